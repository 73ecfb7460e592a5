/**
 * Just enough of Go's text/template, as the ApplicationSet controller runs it with
 * goTemplate: true and goTemplateOptions ["missingkey=error"], to render the templates
 * rendered/argocd/ uses: `{{ .a.b }}`, `{{ with X }}...{{ else }}...{{ end }}`, parenthesised
 * calls of `index`, `eq`, `printf` (%s) and sprig's `fail`. Anything else is an error, so a
 * template this cannot evaluate faithfully fails the tests instead of passing them. (The same
 * templates were checked against Go's own text/template when they were written.)
 */

export class TemplateError extends Error {}

type Value = unknown;
type Node = { text: string } | { pipeline: Expr } | { with: Expr; then: Node[]; otherwise: Node[] };
type Expr = { field: string[] } | { string: string } | { call: string; args: Expr[] };

export function renderGoTemplate(template: string, data: Record<string, Value>): string {
  const nodes = parse(tokenizeTemplate(template));
  return evaluate(nodes, data);
}

type Piece = { text: string } | { action: string };

function tokenizeTemplate(template: string): Piece[] {
  const pieces: Piece[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      pieces.push({ text: rest });
      break;
    }
    if (open > 0) pieces.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open);
    if (close < 0) throw new TemplateError('unclosed action');
    const action = rest.slice(open + 2, close);
    if (action.startsWith('-') || action.endsWith('-')) throw new TemplateError('trim markers are not supported here');
    pieces.push({ action: action.trim() });
    rest = rest.slice(close + 2);
  }
  return pieces;
}

function parse(pieces: Piece[]): Node[] {
  let i = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const piece = pieces[i++]!;
      if ('text' in piece) {
        nodes.push({ text: piece.text });
        continue;
      }
      const word = piece.action.split(/\s+/)[0]!;
      if (terminators.includes(word) && (word === 'else' || word === 'end')) {
        if (piece.action !== word) throw new TemplateError(`unsupported "${piece.action}"`);
        return { nodes, end: word };
      }
      if (word === 'with') {
        const expr = parseExpr(piece.action.slice(4));
        const then = block(['else', 'end']);
        const otherwise = then.end === 'else' ? block(['end']) : { nodes: [], end: 'end' };
        if (otherwise.end !== 'end') throw new TemplateError('with without end');
        nodes.push({ with: expr, then: then.nodes, otherwise: otherwise.nodes });
        continue;
      }
      if (['if', 'range', 'define', 'template', 'block', 'else', 'end'].includes(word) || piece.action.includes(':=') || piece.action.includes('|')) {
        throw new TemplateError(`unsupported action "${piece.action}"`);
      }
      nodes.push({ pipeline: parseExpr(piece.action) });
    }
    if (terminators.length > 0) throw new TemplateError(`missing {{ ${terminators.join(' or ')} }}`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

function tokenizeAction(source: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|\.[A-Za-z0-9_.]*|[A-Za-z_][A-Za-z0-9_]*)/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw new TemplateError(`cannot read "${source.slice(at)}"`);
    tokens.push(m[1]!);
    at = re.lastIndex;
  }
  return tokens;
}

function parseExpr(source: string): Expr {
  const tokens = tokenizeAction(source);
  let i = 0;
  const operand = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) throw new TemplateError('missing operand');
    if (t === '(') {
      const e = command(')');
      if (tokens[i++] !== ')') throw new TemplateError('missing )');
      return e;
    }
    if (t.startsWith('"')) return { string: JSON.parse(t) as string };
    if (t.startsWith('.')) return { field: t === '.' ? [] : t.slice(1).split('.') };
    return { call: t, args: [] };
  };
  const command = (stop?: string): Expr => {
    const head = operand();
    if (!('call' in head)) return head;
    const args: Expr[] = [];
    while (i < tokens.length && tokens[i] !== stop) args.push(operand());
    return { call: head.call, args };
  };
  const expr = command();
  if (i !== tokens.length) throw new TemplateError(`unexpected "${tokens.slice(i).join(' ')}"`);
  return expr;
}

function evaluate(nodes: Node[], dot: Value): string {
  let out = '';
  for (const node of nodes) {
    if ('text' in node) out += node.text;
    else if ('pipeline' in node) out += print(value(node.pipeline, dot));
    else {
      const v = value(node.with, dot);
      out += truthy(v) ? evaluate(node.then, v) : evaluate(node.otherwise, dot);
    }
  }
  return out;
}

function value(expr: Expr, dot: Value): Value {
  if ('string' in expr) return expr.string;
  if ('field' in expr) {
    let v: Value = dot;
    for (const f of expr.field) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TemplateError(`can't evaluate field ${f}`);
      if (!(f in (v as object))) throw new TemplateError(`map has no entry for key "${f}"`);
      v = (v as Record<string, Value>)[f];
    }
    return v;
  }
  const args = expr.args.map((a) => value(a, dot));
  switch (expr.call) {
    case 'index': {
      const [coll, key] = args;
      if (args.length !== 2 || coll === null || typeof coll !== 'object') throw new TemplateError('index takes a map and a key');
      // Go's index on a map[string]string returns the zero value, "", for a missing key.
      return (coll as Record<string, Value>)[String(key)] ?? '';
    }
    case 'eq':
      if (args.length !== 2) throw new TemplateError('eq takes two arguments here');
      return args[0] === args[1];
    case 'printf': {
      const [format, ...rest] = args;
      let k = 0;
      return String(format).replace(/%[a-z%]/g, (m) => {
        if (m !== '%s') throw new TemplateError(`printf verb ${m} is not supported here`);
        return String(rest[k++]);
      });
    }
    case 'fail':
      throw new TemplateError(`error calling fail: ${String(args[0])}`);
    default:
      throw new TemplateError(`function "${expr.call}" is not supported here`);
  }
}

function truthy(v: Value): boolean {
  return !(v === undefined || v === null || v === false || v === '' || v === 0 || (Array.isArray(v) && v.length === 0));
}

function print(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  throw new TemplateError(`cannot print ${JSON.stringify(v)}`);
}
