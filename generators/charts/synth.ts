/**
 * A chart's objects as plain JSON: what cdk8s's `chart.toJson()` gives, at a fraction of its
 * cost. The charts build their objects with cdk8s's typed classes (KubeDeployment...), which
 * check the shapes at compile time; synthesising them through cdk8s walks every value through
 * its generic token resolution, sorting and sanitising, then through per-type converters that
 * rebuild each object key by key. For the values the charts use (plain JSON, and the
 * number-or-string unions IntOrString and Quantity) that amounts to: unions become their value,
 * null and undefined properties go. That is done here in one walk; anything else (a Lazy, a
 * token, another class) sends the chart to cdk8s. Only key order differs from cdk8s (the YAML
 * writer sorts keys). test/render/synth.test.ts holds the two together on every unit of
 * several fleets. Pure.
 */
import { ApiObject, type Chart } from 'cdk8s';
import type { KubeObject } from './object.js';

const UNSUPPORTED = Symbol('unsupported');

export function synth(chart: Chart): KubeObject[] {
  return synthPlain(chart) ?? (chart.toJson() as KubeObject[]);
}

/** The fast path alone: the objects, or undefined when the chart holds a value it leaves to cdk8s. */
export function synthPlain(chart: Chart): KubeObject[] | undefined {
  try {
    return chart.node.children.filter((c): c is ApiObject => ApiObject.isApiObject(c)).map(objectOf);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

function objectOf(o: ApiObject): KubeObject {
  const { apiVersion, kind, metadata: _declared, ...rest } = (o as unknown as { props: Record<string, unknown> }).props;
  const out: Record<string, unknown> = { apiVersion, kind, metadata: o.metadata.toJson() };
  for (const key of Object.keys(rest)) {
    const value = plain(rest[key]);
    if (value !== undefined) out[key] = value;
  }
  return out as KubeObject;
}

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    // IntOrString, Quantity: cdk8s's NumberStringUnionResolver and the typed converters take `.value`.
    const v = (value as { value?: unknown }).value;
    if ((typeof v === 'number' || typeof v === 'string') && typeof (value as { resolve?: unknown }).resolve !== 'function') return v;
    throw UNSUPPORTED;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = plain((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
