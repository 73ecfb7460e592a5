/**
 * `replacements:` copies a value from one object's field (source: an id and a fieldPath, with an
 * optional delimiter/index to take part of a string) into fields of other objects (targets:
 * select/reject by id, labels and annotations; fieldPaths with list selectors like
 * `spec.template.spec.containers.[name=app].image`; options delimiter/index/create). Kustomize's
 * rules kept: a source must match exactly one object; a target field that does not exist is an
 * error unless `create`; a scalar target keeps its type (a string stays a string).
 */
import { pointerOf } from '../core/errors.js';
import type { ParsedDocument } from '../load/yaml.js';
import { propagate } from './aliases.js';
import { Checker } from './kustomization.js';
import { effectiveNamespace, gvkSelected, idString, type ResId, type Resource } from './resource.js';
import { matchesExpression, parseSelectorExpression, SELECTOR_HINT, SelectorError } from './selector.js';

/** What to do about a field path that does not parse. */
const FIELD_PATH_HINT = 'a field path is dot-separated (spec.template.spec.containers.[name=app].image); quote a key holding dots with [] (metadata.annotations.[a.b/c])';

interface IdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}
interface TargetSelect extends IdSelector {
  labelSelector?: string;
  annotationSelector?: string;
}
interface Options {
  delimiter?: string;
  index: number;
  create: boolean;
}
export interface Replacement {
  source: IdSelector & { fieldPath: string; options?: Options };
  targets: { select: TargetSelect; reject: TargetSelect[]; fieldPaths: string[]; options?: Options }[];
  /** Where it was written, for errors. */
  where: { file: string; pointer: string; doc: ParsedDocument };
}

const SELECT_FIELDS = ['group', 'version', 'kind', 'name', 'namespace'];
const TARGET_SELECT_FIELDS = [...SELECT_FIELDS, 'labelSelector', 'annotationSelector'];

/** Checks one replacement's shape (inline in a kustomization or from a replacements file). */
export function readReplacement(c: Checker, v: unknown, p: string): Replacement {
  const m = c.map(v, p);
  c.keys(m, ['source', 'targets'], p);
  if (m.source === undefined || m.source === null || m.targets === undefined || m.targets === null) c.fail(p, 'a replacement needs a source and at least one target', 'write source: {kind, name, fieldPath} and targets: [{select: {kind, name}, fieldPaths: [...]}]');
  const options = (o: unknown, op: string): Options | undefined => {
    if (o === undefined || o === null) return undefined;
    const om = c.map(o, op);
    c.keys(om, ['delimiter', 'index', 'create', 'encoding'], op);
    if (om.encoding !== undefined) c.fail(`${op}/encoding`, "the 'encoding' option is not supported", 'copy the value as it is');
    const index = om.index ?? 0;
    if (typeof index !== 'number' || !Number.isInteger(index)) c.fail(`${op}/index`, 'index must be a whole number', 'write the index of the part unquoted, counting from 0');
    return { delimiter: c.optString(om.delimiter, `${op}/delimiter`), index, create: c.bool(om.create, `${op}/create`) };
  };
  const idSel = (s: unknown, sp: string, fields: string[]): TargetSelect => {
    const sm = c.map(s, sp);
    const out: TargetSelect = {};
    for (const f of fields) {
      const x = c.optString(sm[f], `${sp}/${f}`);
      if (x !== undefined) out[f as keyof TargetSelect] = x;
    }
    return out;
  };
  const sm = c.map(m.source, `${p}/source`);
  c.keys(sm, [...SELECT_FIELDS, 'fieldPath', 'options'], `${p}/source`);
  const source = {
    ...idSel(sm, `${p}/source`, SELECT_FIELDS),
    fieldPath: c.optString(sm.fieldPath, `${p}/source/fieldPath`) || 'metadata.name',
    options: options(sm.options, `${p}/source/options`),
  };
  const targets = c.list(m.targets, `${p}/targets`).map((t, i) => {
    const tp = `${p}/targets/${i}`;
    const tm = c.map(t, tp);
    c.keys(tm, ['select', 'reject', 'fieldPaths', 'options'], tp);
    if (tm.select === undefined || tm.select === null) c.fail(tp, 'a replacement target must say which objects to select (select:)', 'add select: {kind: ..., name: ...}');
    c.keys(c.map(tm.select, `${tp}/select`), TARGET_SELECT_FIELDS, `${tp}/select`);
    const reject = c.list(tm.reject, `${tp}/reject`).map((r, j) => {
      c.keys(c.map(r, `${tp}/reject/${j}`), TARGET_SELECT_FIELDS, `${tp}/reject/${j}`);
      return idSel(r, `${tp}/reject/${j}`, TARGET_SELECT_FIELDS);
    });
    const fieldPaths = c.stringList(tm.fieldPaths, `${tp}/fieldPaths`).map((x) => x.value);
    return { select: idSel(tm.select, `${tp}/select`, TARGET_SELECT_FIELDS), reject, fieldPaths: fieldPaths.length ? fieldPaths : ['metadata.name'], options: options(tm.options, `${tp}/options`) };
  });
  if (targets.length === 0) c.fail(`${p}/targets`, 'a replacement needs at least one target', 'add targets: [{select: {kind, name}, fieldPaths: [...]}]');
  return { source, targets, where: { file: c.file, pointer: p, doc: c.doc } };
}

export class ReplacementError extends Error {
  constructor(
    message: string,
    readonly replacement: Replacement,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The resource ids replacements see: current and previous, never cluster-scoped (Kustomize builds them without the lookup). */
function idsOf(r: Resource): ResId[] {
  return r.allIds().map((id) => ({ ...id, clusterScoped: false }));
}

function selectedBy(id: ResId, s: IdSelector): boolean {
  return (
    (!s.name || s.name === id.name) &&
    (!s.namespace || effectiveNamespace({ ...id, namespace: s.namespace }) === effectiveNamespace(id)) &&
    gvkSelected(id, s)
  );
}

/** Splits on a delimiter as Kustomize's PathSplitter does: a leading delimiter is dropped, `\.` escapes one. */
function pathSplitter(path: string, delimiter: string): string[] {
  let ps = path.split(delimiter);
  if (ps.length > 1 && ps[0] === '') ps = ps.slice(1);
  const res = [ps[0]!];
  for (let i = 1; i < ps.length; i++) {
    const last = res.length - 1;
    if (res[last]!.endsWith('\\')) res[last] = res[last]!.slice(0, -1) + delimiter + ps[i];
    else res.push(ps[i]!);
  }
  return res;
}

/** Splits a field path on dots, keeping `[a.b=c.d]` whole. */
export function splitFieldPath(path: string): string[] {
  const parts = pathSplitter(path, '.');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('[') && !p.endsWith(']')) {
      const group = [p];
      while (i < parts.length - 1) {
        i++;
        group.push(parts[i]!);
        if (parts[i]!.endsWith(']')) break;
      }
      const joined = group.join('.');
      out.push(joined.includes('=') ? joined : joined.replace(/^\[|\]$/g, ''));
    } else out.push(p);
  }
  return out;
}

const isIndex = (p: string) => /^\d+$/.test(p);
const isListSelector = (p: string) => p.startsWith('[') && p.endsWith(']');

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/** Reads the source field (exact matches in list selectors). */
function lookup(obj: unknown, path: string[]): unknown {
  let node: unknown = obj;
  for (const part of path) {
    if (node === null || node === undefined) return undefined;
    if (isListSelector(part)) {
      if (!Array.isArray(node)) return undefined;
      const [field, value] = splitSelector(part);
      node = node.find((el) => (field === '' ? scalarText(el) === value : el && typeof el === 'object' && scalarText((el as Record<string, unknown>)[field]) === value));
    } else if (Array.isArray(node)) {
      if (!isIndex(part)) return undefined;
      node = node[Number(part)];
    } else if (typeof node === 'object') node = (node as Record<string, unknown>)[part];
    else return undefined;
  }
  return node;
}

function splitSelector(part: string): [string, string] {
  const inner = part.slice(1, -1);
  const eq = inner.indexOf('=');
  if (eq < 0) throw new SelectorError(`'${part}' must be [field=value]`);
  return [inner.slice(0, eq), inner.slice(eq + 1)];
}

type Slot = { holder: Record<string | number, unknown>; key: string | number; created: boolean; path: (string | number)[] };

/** Finds (and with `create`, makes) the target fields; Kustomize matches list selectors as unanchored patterns here. */
function matchTargets(obj: unknown, path: string[], create: 'scalar' | 'map' | 'seq' | null): Slot[] {
  const out: Slot[] = [];
  const kindFor = (next: string | undefined) => (next === undefined ? create : isListSelector(next) || isIndex(next) ? 'seq' : 'map');
  const empty = (kind: ReturnType<typeof kindFor>): unknown => (kind === 'seq' ? [] : kind === 'map' ? {} : null);
  const trail: (string | number)[] = [];
  const walk = (holder: Record<string | number, unknown>, key: string | number, i: number, created: boolean) => {
    if (key !== 'root' || holder[key] !== obj) trail.push(key);
    try {
      step(holder, key, i, created);
    } finally {
      if (key !== 'root' || holder[key] !== obj) trail.pop();
    }
  };
  const step = (holder: Record<string | number, unknown>, key: string | number, i: number, created: boolean) => {
    if (i === path.length) {
      out.push({ holder, key, created, path: trail.slice() });
      return;
    }
    const node = holder[key];
    const part = path[i]!;
    if (node === null || node === undefined) return;
    if (isIndex(part)) {
      if (!Array.isArray(node)) return;
      const idx = Number(part);
      if (idx === node.length && create) node.push(empty(kindFor(path[i + 1])));
      if (idx >= node.length) throw new SelectorError(`index ${idx} specified but only ${node.length} elements found`);
      walk(node as unknown as Record<number, unknown>, idx, i + 1, created);
    } else if (isListSelector(part)) {
      if (!Array.isArray(node)) return;
      const [field, pattern] = splitSelector(part);
      const re = new RegExp(pattern);
      let any = false;
      node.forEach((el, j) => {
        if (field === '') {
          if (re.test(scalarText(el))) {
            any = true;
            walk(node as unknown as Record<number, unknown>, j, i + 1, created);
          }
        } else if (el && typeof el === 'object' && !Array.isArray(el)) {
          const v = (el as Record<string, unknown>)[field];
          if (v !== undefined && v !== null && re.test(scalarText(v))) {
            any = true;
            walk(node as unknown as Record<number, unknown>, j, i + 1, created);
          }
        }
      });
      if (!any && create) {
        node.push(field === '' ? pattern : { [field]: pattern });
        walk(node as unknown as Record<number, unknown>, node.length - 1, i + 1, true);
      }
    } else if (part === '*') {
      if (Array.isArray(node)) node.forEach((_, j) => walk(node as unknown as Record<number, unknown>, j, i + 1, created));
    } else if (typeof node === 'object' && !Array.isArray(node)) {
      const map = node as Record<string, unknown>;
      if (map[part] === undefined || map[part] === null) {
        if (!create) return;
        map[part] = empty(kindFor(path[i + 1]));
        walk(map, part, i + 1, true);
      } else walk(map, part, i + 1, created);
    }
  };
  walk({ root: obj }, 'root', 0, false);
  return out;
}

/** YAML's reading of a plain scalar's text (what a created field's value becomes once written out). */
function resolvePlain(text: string): unknown {
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~|)$/.test(text)) return text === '' ? '' : null;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

/** A scalar target keeps its type with the new text (a string stays a string, a number a number when it can). */
function typedLike(old: unknown, text: string): unknown {
  if (typeof old === 'string') return text;
  if (typeof old === 'number') return /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
  if (typeof old === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return resolvePlain(text);
}

const isScalar = (v: unknown) => v === null || v === undefined || typeof v !== 'object';

export function applyReplacements(resources: Resource[], replacements: Replacement[]): void {
  for (const rep of replacements) {
    const fail = (message: string, hint: string): never => {
      throw new ReplacementError(message, rep, hint);
    };
    const s = rep.source;
    const sources = resources.filter((r) => idsOf(r).some((id) => selectedBy(id, s)));
    const describe = `${[s.group, s.version, s.kind].filter(Boolean).join('/') || '*'} ${s.namespace ? s.namespace + '/' : ''}${s.name ?? '*'}`;
    if (sources.length === 0) fail(`the replacement source ${describe} selects nothing`, 'the source names one object of the build by kind and name (the name before any prefix works)');
    if (sources.length > 1) fail(`the replacement source ${describe} selects several objects: ${sources.map((r) => idString(r.curId())).join(', ')}`, 'add kind, namespace or name to the source');
    let value: unknown;
    try {
      value = lookup(sources[0]!.obj, splitFieldPath(s.fieldPath));
    } catch (e) {
      if (e instanceof SelectorError) fail(e.message, FIELD_PATH_HINT);
      throw e;
    }
    if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)) {
      fail(`fieldPath '${s.fieldPath}' is missing in the replacement source ${idString(sources[0]!.curId())}`, 'name a field the source object has (as the build renders it), e.g. metadata.name or spec.template.spec.containers.[name=app].image');
    }
    if (s.options?.delimiter) {
      if (!isScalar(value)) fail('the delimiter option works on scalar values only', 'point fieldPath at a string, or remove options.delimiter');
      const parts = scalarText(value).split(s.options.delimiter);
      if (s.options.index >= parts.length || s.options.index < 0) fail(`options.index ${s.options.index} is out of bounds for value ${scalarText(value)}`, `the value splits into ${parts.length} parts at '${s.options.delimiter}': index counts from 0`);
      value = parts[s.options.index];
    }
    for (const target of rep.targets) {
      let labelSel, annoSel, rejectSels;
      try {
        labelSel = target.select.labelSelector ? parseSelectorExpression(target.select.labelSelector) : undefined;
        annoSel = target.select.annotationSelector ? parseSelectorExpression(target.select.annotationSelector) : undefined;
        rejectSels = target.reject.map((rj) => ({
          id: SELECT_FIELDS.some((f) => rj[f as keyof IdSelector]) ? rj : undefined,
          labels: rj.labelSelector ? parseSelectorExpression(rj.labelSelector) : undefined,
          annotations: rj.annotationSelector ? parseSelectorExpression(rj.annotationSelector) : undefined,
        }));
      } catch (e) {
        if (e instanceof SelectorError) fail(e.message, SELECTOR_HINT);
        throw e;
      }
      for (const r of resources) {
        if (labelSel && !matchesExpression(labelSel, r.labels())) continue;
        if (annoSel && !matchesExpression(annoSel, r.annotations())) continue;
        if (rejectSels.some((rj) => (rj.labels || rj.annotations) && (!rj.labels || matchesExpression(rj.labels, r.labels())) && (!rj.annotations || matchesExpression(rj.annotations, r.annotations())))) continue;
        const ids = idsOf(r);
        if (!ids.some((id) => selectedBy(id, target.select))) continue;
        if (rejectSels.some((rj) => rj.id && ids.some((id) => selectedBy(id, rj.id!)))) continue;
        for (const fp of target.fieldPaths) {
          const create = target.options?.create ? (Array.isArray(value) ? 'seq' : isScalar(value) ? 'scalar' : 'map') : null;
          let slots: Slot[];
          try {
            slots = matchTargets(r.obj, splitFieldPath(fp), create);
          } catch (e) {
            if (e instanceof SelectorError) fail(`${fp} in ${idString(r.curId())}: ${e.message}`, FIELD_PATH_HINT);
            throw e;
          }
          if (slots.length === 0) {
            fail(
              `unable to ${create ? 'find or create' : 'find'} field '${fp}' in the replacement target ${idString(r.curId())}`,
              create ? 'a list selector ([name=x]) cannot create a list item: add the item in a patch first' : 'set options.create: true to add the field, or narrow the target with select/reject',
            );
          }
          for (const slot of slots) {
            setValue(slot, value, target.options, fail);
            // Kustomize changes a scalar target in place, so fields sharing its node follow (aliases.ts).
            const v = slot.holder[slot.key];
            if (!slot.created && (v === null || typeof v !== 'object')) propagate(r, pointerOf(slot.path), v);
          }
        }
      }
    }
  }
}

function setValue(slot: Slot, value: unknown, options: Options | undefined, fail: (message: string, hint: string) => never): void {
  const old = slot.holder[slot.key];
  let v = value;
  if (options?.delimiter) {
    if (!isScalar(old)) fail('the delimiter option works on scalar values only', 'the target field must be a string to splice a part into; remove options.delimiter');
    const parts = scalarText(old).split(options.delimiter);
    const text = scalarText(value);
    if (options.index < 0) parts.unshift(text);
    else if (options.index >= parts.length) parts.push(text);
    else parts[options.index] = text;
    v = parts.join(options.delimiter);
  }
  if (isScalar(old) && !slot.created) slot.holder[slot.key] = isScalar(v) ? typedLike(old, scalarText(v)) : v === undefined ? old : structuredClone(v);
  // A created scalar has no YAML tag in Kustomize, so its text is read as YAML reads a plain
  // scalar (checked with kubectl: "3" into a new spec.replicas gives 3).
  else if (isScalar(old) && slot.created) slot.holder[slot.key] = isScalar(v) ? resolvePlain(scalarText(v)) : structuredClone(v);
  else slot.holder[slot.key] = isScalar(v) ? v : structuredClone(v);
}
