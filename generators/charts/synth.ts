/**
 * A chart's objects as plain JSON: what cdk8s's `chart.toJson()` gives, through cdk8s's public
 * API only, with a fast path for the kinds and fields the charts use.
 *
 * Why a fast path: `chart.toJson()` resolves the whole App (dependencies, validation), then walks
 * every object through token resolution, sanitising, and cdk8s-plus-33's generated converters,
 * which rebuild each typed object key by key (the converters alone cost about as much as all the
 * rest). Measured on the synthetic fleet of 1,000 apps x 3 environments (17,213 objects in 3,303
 * charts; Node 20, 2 cores shared with other jobs): synthesising every chart takes 1.0-1.4 s of CPU through
 * cdk8s, 0.45-0.55 s here; a cold `render` (rendered/ and the cache removed, one process, 10 runs
 * of each alternated) took 9.5 s (8.3 s of CPU) through cdk8s alone against 7.2 s (6.4 s of CPU)
 * with the fast path, medians: it saves about a quarter of a cold render.
 *
 * Why it gives cdk8s's output: charts build objects with `add()`, which keeps the props it
 * handed the object's constructor (cdk8s keeps them private). For a chart whose every object was
 * built so, of a kind listed in synth-kinds.ts, with only the fields listed there, in an App of
 * its own with cdk8s's default resolvers, no dependencies, validation errors, JSON patches or
 * toJson() overrides, cdk8s's synthesis amounts to: IntOrString and Quantity become their value
 * where the type has one (`{ value }` elsewhere), null and undefined properties go, every other
 * value stays as it is, under the same name (cdk8s renames or drops no listed field:
 * test/render/synth.test.ts fills in every one of them and compares with cdk8s). Anything else
 * (another kind or field, a Lazy or token, a value of another class, a primitive where a typed
 * object or an IntOrString is expected) sends the whole chart to `chart.toJson()`. Only key
 * order differs from cdk8s (the YAML writer sorts keys). Pure.
 */
import { ApiObject, App, Chart, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import type { Construct } from 'constructs';
import { k8s, type KubeObject } from './object.js';
import { FAST_KINDS, type Field } from './synth-kinds.js';

/** Props as each object's constructor got them, for the objects `add()` built. */
const built = new WeakMap<ApiObject, Readonly<Record<string, unknown>>>();

/**
 * `new Kind(chart, id, props)`, the props kept for the fast path. The props must not be changed
 * afterwards (cdk8s would see some changes and not others).
 */
export function add<P extends object, T extends ApiObject>(chart: Chart, Kind: new (scope: Construct, id: string, props: P) => T, id: string, props: P): T {
  const o = new Kind(chart, id, props);
  // The generated classes keep a copy of the props' top level; ApiObject keeps the props themselves.
  built.set(o, (Kind === (ApiObject as unknown) ? props : { ...props }) as Record<string, unknown>);
  // A JSON patch changes what cdk8s renders: from then on the object goes through cdk8s.
  // One shared function, not a closure per object: 17,000 closures cost a cold render ~100 ms of garbage collection.
  o.addJsonPatch = addJsonPatchUnbuilt;
  return o;
}

/** ApiObject.addJsonPatch, after which the object is no longer one the fast path may take. */
function addJsonPatchUnbuilt(this: ApiObject, ...ops: Parameters<ApiObject['addJsonPatch']>): void {
  built.delete(this);
  ApiObject.prototype.addJsonPatch.apply(this, ops);
}

export function synth(chart: Chart): KubeObject[] {
  return synthPlain(chart) ?? (chart.toJson() as KubeObject[]);
}

const REFUSED = Symbol('refused');
const refuse = (): never => {
  throw REFUSED;
};

/** The fast path alone: the objects, or undefined when the chart holds something it leaves to cdk8s. */
export function synthPlain(chart: Chart): KubeObject[] | undefined {
  if (!alone(chart)) return undefined;
  try {
    return chart.node.children.map((c) => objectOf(c as ApiObject));
  } catch (e) {
    if (e === REFUSED) return undefined;
    throw e;
  }
}

/**
 * Whether synthesising the chart is synthesising each of its objects: the chart alone in its App,
 * cdk8s's default resolvers, no toJson() of its own, nothing but objects add() built directly in
 * the chart, no dependencies (they order the objects), nothing for validation to report.
 */
function alone(chart: Chart): boolean {
  const app = chart.node.scope;
  if (!(app instanceof App) || app.node.scope !== undefined || app.node.children.length !== 1) return false;
  if (chart.toJson !== Chart.prototype.toJson) return false;
  const r = app.resolvers;
  if (r.length !== 3 || !(r[0] instanceof LazyResolver) || !(r[1] instanceof ImplicitTokenResolver) || !(r[2] instanceof NumberStringUnionResolver)) return false;
  for (const c of [app, chart, ...chart.node.children]) {
    if (c.node.dependencies.length > 0 || c.node.validate().length > 0) return false;
    if (c !== app && c !== chart && (!built.has(c as ApiObject) || c.node.children.length > 0)) return false;
  }
  return true;
}

function objectOf(o: ApiObject): KubeObject {
  const fields = FAST_KINDS.get(o.constructor) ?? refuse();
  if (Object.hasOwn(o, 'toJson')) refuse();
  const props = built.get(o)!;
  // ApiObject.toJson()'s data: the props and the metadata (chart namespace and labels applied).
  const data = { ...props, metadata: o.metadata.toJson() };
  if (o.constructor === ApiObject) return walk(fields, data) as KubeObject;
  // A generated class's toJson(): its apiVersion and kind, then the converter's output, which has neither.
  if ('apiVersion' in props || 'kind' in props) refuse();
  return { apiVersion: o.apiVersion, kind: o.kind, ...(walk(fields, data) as object) } as KubeObject;
}

/** A value that is not null or undefined, as cdk8s renders it in a field of this shape. */
function walk(field: Field, value: unknown): unknown {
  switch (field.t) {
    case 'as-is':
      return asIs(value);
    case 'union':
      return isUnion(value) ? value.value : refuse();
    case 'list':
      return Array.isArray(value) ? value.map((v: unknown) => (v == null ? refuse() : walk(field.of, v))) : refuse();
    case 'map':
    case 'object': {
      if (!isPlain(value)) refuse();
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value as object)) {
        const v = (value as Record<string, unknown>)[key];
        if (v == null) continue;
        if (key === '__proto__') refuse();
        out[key] = walk(field.t === 'map' ? field.of : (field.fields.get(key) ?? refuse()), v);
      }
      return out;
    }
  }
}

/** What cdk8s's resolution and sanitising make of a value: unions become `{ value }` (the converters take `.value`). */
// Its object loop is walk()'s again, by hand: a shared helper taking a callback allocates a
// closure per object level of every object (hundreds of thousands in a cold render at fleet
// scale), and closures were measured to cost garbage collection time here (see add()).
function asIs(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      refuse();
  }
  if (Array.isArray(value)) return value.map((v: unknown) => (v == null ? refuse() : asIs(v)));
  if (isUnion(value)) return { value: value.value };
  if (!isPlain(value)) refuse();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object)) {
    const v = (value as Record<string, unknown>)[key];
    if (v == null) continue;
    if (key === '__proto__') refuse();
    out[key] = asIs(v);
  }
  return out;
}

/** A plain object, which cdk8s's resolution walks into. */
function isPlain(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !Object.hasOwn(value, 'constructor');
}

function isUnion(value: unknown): value is { value: string | number } {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== k8s.IntOrString.prototype && proto !== k8s.Quantity.prototype) return false;
  const v = (value as { value: unknown }).value;
  return typeof v === 'string' || typeof v === 'number';
}
