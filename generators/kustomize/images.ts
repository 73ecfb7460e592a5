/**
 * `images:` rewrites the image of every container and init container, wherever a
 * `containers`/`initContainers` list appears in an object (any kind but a CRD, as Kustomize's
 * walk does), when the image's name matches: new name, new tag, digest.
 */
import type { Resource } from './resource.js';

export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** Splits an image into name, tag and digest the way Kustomize does (a registry port is part of the name). */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) return { name: image.slice(0, offset + at), tag: '', digest: image.slice(offset + at + 1) };
  if (at >= 0 && colon >= 0) return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1, offset + at), digest: image.slice(offset + at + 1) };
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1), digest: '' };
}

interface CompiledRule {
  rule: ImageRule;
  match: RegExp | undefined;
}

export function compileImageRule(rule: ImageRule): CompiledRule {
  let match: RegExp | undefined;
  try {
    // Kustomize puts the name into its pattern unescaped; so does this.
    match = new RegExp('^' + rule.name + '(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$');
  } catch {
    match = undefined;
  }
  return { rule, match };
}

function updated(image: string, { rule, match }: CompiledRule): string {
  if (!match || !match.test(image)) return image;
  let { name, tag, digest } = splitImage(image);
  if (rule.newName) name = rule.newName;
  if (rule.newTag && rule.digest) {
    tag = rule.newTag;
    digest = rule.digest;
  } else if (rule.newTag) {
    tag = rule.newTag;
    digest = '';
  } else if (rule.digest) {
    tag = '';
    digest = rule.digest;
  } else if (rule.tagSuffix) {
    tag += rule.tagSuffix;
    digest = '';
  }
  return name + (tag ? ':' + tag : '') + (digest ? '@' + digest : '');
}

function walk(node: unknown, rule: CompiledRule): void {
  if (Array.isArray(node)) {
    for (const el of node) walk(el, rule);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    walk(value, rule);
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value) {
        if (c && typeof c === 'object' && typeof (c as Record<string, unknown>).image === 'string') {
          const container = c as Record<string, unknown>;
          container.image = updated(container.image as string, rule);
        }
      }
    }
  }
}

/** Kustomize then applies each rule a second time through its field specs (it matters only for tagSuffix). */
const SECOND_PASS = [['spec', 'containers'], ['spec', 'initContainers'], ['spec', 'template', 'spec', 'containers'], ['spec', 'template', 'spec', 'initContainers']];

function secondPass(obj: Record<string, unknown>, rule: CompiledRule): void {
  for (const path of SECOND_PASS) {
    let node: unknown = obj;
    for (const p of path) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[p] : undefined;
    if (!Array.isArray(node)) continue;
    for (const c of node) {
      if (c && typeof c === 'object' && typeof (c as Record<string, unknown>).image === 'string') {
        const container = c as Record<string, unknown>;
        container.image = updated(container.image as string, rule);
      }
    }
  }
}

export function applyImages(resources: Resource[], rules: ImageRule[]): void {
  for (const rule of rules) {
    const compiled = compileImageRule(rule);
    for (const r of resources) {
      if (r.kind === 'CustomResourceDefinition') continue;
      walk(r.obj, compiled);
      secondPass(r.obj, compiled);
    }
  }
}
