/**
 * Selecting objects the way Kustomize's patch targets do: group, version, kind, name and
 * namespace as anchored regular expressions (matched against the object's original and current
 * name and namespace), and Kubernetes label / annotation selector expressions
 * (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`).
 */
import { effectiveNamespace, type Resource } from './resource.js';

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export class SelectorError extends Error {}

/** What to do about a selector or name pattern that does not parse. */
export const SELECTOR_HINT =
  "labelSelector/annotationSelector take Kubernetes selectors ('key=value', 'key!=value', 'key in (a,b)', 'key notin (a)', 'key', '!key', comma-separated); group, version, kind, name and namespace take regular expressions";

type Requirement = { key: string; op: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt'; values: string[] };

/** Parses a Kubernetes selector expression; throws SelectorError on bad syntax. */
export function parseSelectorExpression(text: string): Requirement[] {
  const out: Requirement[] = [];
  let i = 0;
  const s = text;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const word = (): string => {
    ws();
    const start = i;
    while (i < s.length && !/[\s,=!()<>]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (true) {
    ws();
    if (i >= s.length) break;
    if (s[i] === '!') {
      i++;
      const key = word();
      if (!key) throw new SelectorError(`a key is missing after '!' in '${text}'`);
      out.push({ key, op: '!exists', values: [] });
    } else {
      const key = word();
      if (!key) throw new SelectorError(`a key is missing in '${text}'`);
      ws();
      if (i >= s.length || s[i] === ',') out.push({ key, op: 'exists', values: [] });
      else if (s.startsWith('==', i) || s[i] === '=') {
        i += s.startsWith('==', i) ? 2 : 1;
        out.push({ key, op: '=', values: [word()] });
      } else if (s.startsWith('!=', i)) {
        i += 2;
        out.push({ key, op: '!=', values: [word()] });
      } else if (s[i] === '>' || s[i] === '<') {
        const op = s[i] === '>' ? 'gt' : 'lt';
        i++;
        out.push({ key, op, values: [word()] });
      } else {
        const op = word();
        if (op !== 'in' && op !== 'notin') throw new SelectorError(`unexpected '${op}' in '${text}'`);
        ws();
        if (s[i] !== '(') throw new SelectorError(`'(' expected after '${op}' in '${text}'`);
        i++;
        const values: string[] = [];
        for (;;) {
          const v = word();
          values.push(v);
          ws();
          if (s[i] === ',') i++;
          else if (s[i] === ')') {
            i++;
            break;
          } else throw new SelectorError(`')' expected in '${text}'`);
        }
        out.push({ key, op, values });
      }
    }
    ws();
    if (i < s.length) {
      if (s[i] !== ',') throw new SelectorError(`',' expected in '${text}'`);
      i++;
    }
  }
  return out;
}

export function matchesExpression(requirements: Requirement[], set: Record<string, string>): boolean {
  return requirements.every(({ key, op, values }) => {
    const has = Object.prototype.hasOwnProperty.call(set, key);
    const v = has ? String(set[key]) : undefined;
    switch (op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && v === values[0];
      case '!=':
        return !has || v !== values[0];
      case 'in':
        return has && values.includes(v!);
      case 'notin':
        return !has || !values.includes(v!);
      case 'gt':
      case 'lt': {
        const a = Number(v);
        const b = Number(values[0]);
        if (!has || !Number.isInteger(a) || !Number.isInteger(b)) return false;
        return op === 'gt' ? a > b : a < b;
      }
    }
  });
}

const anchored = (pattern: string | undefined): RegExp | undefined => {
  if (!pattern) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new SelectorError(`'${pattern}' is not a valid regular expression: ${(e as Error).message}`);
  }
};

export interface CompiledSelector {
  matches(r: Resource): boolean;
}

/** Compiles a patch target; throws SelectorError for a bad pattern or expression. */
export function compileSelector(sel: Selector): CompiledSelector {
  const group = anchored(sel.group);
  const version = anchored(sel.version);
  const kind = anchored(sel.kind);
  const name = anchored(sel.name);
  const namespace = anchored(sel.namespace);
  const labels = sel.labelSelector ? parseSelectorExpression(sel.labelSelector) : undefined;
  const annotations = sel.annotationSelector ? parseSelectorExpression(sel.annotationSelector) : undefined;
  return {
    matches(r) {
      const cur = r.curId();
      const org = r.orgId();
      if (namespace && !namespace.test(effectiveNamespace(org)) && !namespace.test(effectiveNamespace(cur))) return false;
      if (name && !name.test(org.name) && !name.test(cur.name)) return false;
      if (group && !group.test(cur.group)) return false;
      if (version && !version.test(cur.version)) return false;
      if (kind && !kind.test(cur.kind)) return false;
      if (labels && !matchesExpression(labels, r.labels())) return false;
      if (annotations && !matchesExpression(annotations, r.annotations())) return false;
      return true;
    },
  };
}
