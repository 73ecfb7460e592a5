/** Images are pinned: a version tag, a commit SHA tag or a digest; never latest or a branch. */
import { containersOf, nameOf, podTemplatesOf } from './pods.js';
import type { Finding, Policy } from './types.js';

/** Tags that name a moving target. */
const MUTABLE_TAGS = new Set(['latest', 'stable', 'main', 'master', 'edge', 'nightly', 'dev', 'develop', 'head', 'current', 'lts', 'canary', 'release', 'prod', 'production', 'staging', 'test']);
const DIGEST = /@sha256:[a-f0-9]{64}$/;
/** 1, 1.2, v1.2.3, 1.2.3-rc.1, 1.25-alpine, 2024.06.01: starts with a version number. */
const VERSION = /^v?[0-9]+(\.[0-9]+){0,3}([-+_.][0-9A-Za-z][0-9A-Za-z.-]*)?$/;
/** A commit SHA, bare or with a conventional prefix (sha-, git-, commit-). */
const COMMIT = /^((sha|git|commit)-)?[0-9a-f]{7,40}$/;

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  return { name: colon > slash ? rest.slice(0, colon) : rest, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** Why an image reference is mutable, or undefined when it is pinned. */
export function mutableReason(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  const ref = parseImage(image);
  if (ref.digest !== undefined) return `its digest "${ref.digest}" is not a sha256 digest`;
  if (ref.tag === undefined || ref.tag === '') return 'it has no tag, so it means :latest';
  if (MUTABLE_TAGS.has(ref.tag.toLowerCase())) return `its tag "${ref.tag}" moves`;
  if (VERSION.test(ref.tag) || COMMIT.test(ref.tag)) return undefined;
  return `its tag "${ref.tag}" is neither a version, a commit SHA nor a digest`;
}

export const imageImmutable: Policy = {
  id: 'image-immutable',
  description: 'Every container image is an immutable reference: a version tag, a commit SHA tag or a sha256 digest (no latest, no missing tag, no branch names).',
  level: 'mandatory',
  check(object) {
    const out: Finding[] = [];
    for (const pod of podTemplatesOf(object)) {
      for (const c of containersOf(pod)) {
        const image = c.container.image;
        if (typeof image !== 'string') {
          out.push({ pointer: `${c.pointer}/image`, message: `${nameOf(c)} has no image`, specPointer: '/spec/image' });
          continue;
        }
        const reason = mutableReason(image);
        if (reason) {
          out.push({
            pointer: `${c.pointer}/image`,
            message: `${nameOf(c)} image "${image}" is mutable: ${reason}`,
            hint: 'pin a release version (1.4.2), a commit SHA or a digest (image.digest: sha256:...), so every sync runs the same bits',
            specPointer: parseImage(image).tag !== undefined ? '/spec/image/tag' : '/spec/image',
          });
        }
      }
    }
    return out;
  },
};
