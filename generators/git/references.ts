/**
 * The `references` of the root hydrator.metadata and the `body` without them, from the dry
 * commit's `Argocd-reference-commit-*` trailers, as Argo CD's Source Hydrator makes them
 * (GitOps Promoter reads both). Pure. What Argo CD does, and so what this does:
 *
 * - references come from the trailer block of the message (what `git interpret-trailers --parse`
 *   prints: the last paragraph after the subject, when it is made of trailers), one reference
 *   at most, each of its six fields set by the last valid trailer naming it;
 * - the body is the message after its first blank line with every line that is a valid
 *   `Argocd-reference-commit-*` trailer removed, wherever it stands, and every line kept ending
 *   in "\n"; an invalid trailer is ignored for references and stays in the body;
 * - validity and normal forms: `sha` lower-case hex of 5 to 40 digits; `date` RFC 3339,
 *   written back without fractions in its own offset ("Z" for UTC); `author` an RFC 5322
 *   address, written back as Go's mail.Address.String() does (`"Name" <local@domain>`); `body`
 *   a JSON string, decoded; `repourl` a URL Go's url.Parse accepts; `subject` anything.
 * Field names are Argo CD's: {"commit": {author, date, subject, body, sha, repoUrl}} (Promoter
 * reads `repoUrl` through Go's case-insensitive field matching).
 */

export interface CommitReference {
  author?: string;
  date?: string;
  subject?: string;
  body?: string;
  sha?: string;
  repoUrl?: string;
}

export interface RevisionReference {
  commit: CommitReference;
}

const PREFIX = 'Argocd-reference-commit-';
const SHA = /^[0-9a-f]{5,40}$/;

/** Which field a trailer line sets, and to what; undefined when it is not a valid reference trailer. */
function referenceField(line: string): [keyof CommitReference, string] | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const sep = line.indexOf(': ');
  if (sep < 0) return undefined;
  const key = line.slice(0, sep);
  const value = line.slice(sep + 2);
  switch (key) {
    case `${PREFIX}repourl`:
      return isGoUrl(value) ? ['repoUrl', value] : undefined;
    case `${PREFIX}author`: {
      const address = parseMailAddress(value);
      return address ? ['author', formatMailAddress(address)] : undefined;
    }
    case `${PREFIX}date`: {
      const date = normalRfc3339(value);
      return date ? ['date', date] : undefined;
    }
    case `${PREFIX}subject`:
      return ['subject', value];
    case `${PREFIX}body`: {
      let body: unknown;
      try {
        body = JSON.parse(value);
      } catch {
        return undefined;
      }
      return typeof body === 'string' ? ['body', body] : undefined;
    }
    case `${PREFIX}sha`:
      return SHA.test(value) ? ['sha', value] : undefined;
    default:
      return undefined;
  }
}

/** Lines as Go's bufio.Scanner gives them: split on "\n", a trailing "\r" dropped, no empty last line. */
function scanLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** The lines of `text` that are not valid reference trailers, each ending in "\n" (Argo CD's GetReferences). */
export function withoutReferenceTrailers(text: string): string {
  let out = '';
  for (const line of scanLines(text)) if (!referenceField(line)) out += `${line}\n`;
  return out;
}

/** The reference the trailer lines describe (the last valid value of each field), or undefined when none is valid. */
export function referenceOf(trailers: readonly string[]): CommitReference | undefined {
  const found: CommitReference = {};
  let any = false;
  for (const line of trailers) {
    const field = referenceField(line);
    if (!field) continue;
    found[field[0]] = field[1];
    any = true;
  }
  if (!any) return undefined;
  // Argo CD's field order (Go struct order): author, date, subject, body, sha, repoUrl.
  const ordered: CommitReference = {};
  for (const k of ['author', 'date', 'subject', 'body', 'sha', 'repoUrl'] as const) if (found[k] !== undefined) ordered[k] = found[k];
  return ordered;
}

/** Trailers git recognises by prefix, which let a trailer block hold other lines too. */
const GIT_TRAILER_PREFIXES = ['Signed-off-by: ', '(cherry picked from commit '];
const TRAILER = /^([A-Za-z0-9-]+)\s*:(.*)$/;

/**
 * The message's trailers as `git interpret-trailers --parse` prints them ("Key: value", values
 * unfolded and trimmed): the last paragraph after the subject, when every line of it is a
 * trailer or a continuation, or when a quarter of them are and one has a prefix git itself
 * writes (Signed-off-by). Comment lines (#) and a patch after a `---` line are not part of it.
 */
export function messageTrailers(message: string): string[] {
  let lines = message.replace(/\r\n/g, '\n').split('\n').filter((l) => !l.startsWith('#'));
  const divider = lines.findIndex((l) => /^---(\s|$)/.test(l));
  if (divider >= 0) lines = lines.slice(0, divider);
  const blank = (l: string) => l.trim() === '';
  const titleEnd = lines.findIndex(blank);
  if (titleEnd < 0) return [];
  let end = lines.length;
  while (end > titleEnd && blank(lines[end - 1]!)) end--;
  let start = end;
  while (start > titleEnd && !blank(lines[start - 1]!)) start--;
  if (start === end) return [];
  const block = lines.slice(start, end);
  let trailers = 0;
  let others = 0;
  let continuations = 0;
  let recognised = false;
  for (let i = block.length - 1; i >= 0; i--) {
    const l = block[i]!;
    if (/^\s/.test(l)) {
      continuations++;
      continue;
    }
    if (TRAILER.test(l) || l.startsWith(GIT_TRAILER_PREFIXES[1]!)) {
      trailers++;
      continuations = 0;
      if (GIT_TRAILER_PREFIXES.some((p) => l.startsWith(p))) recognised = true;
    } else {
      others += 1 + continuations;
      continuations = 0;
    }
  }
  others += continuations;
  if (!((recognised && trailers * 3 >= others) || (trailers > 0 && others === 0))) return [];
  const out: string[] = [];
  let continues = false;
  for (const l of block) {
    const m = TRAILER.exec(l);
    if (m) {
      out.push(`${m[1]}: ${m[2]!.trim()}`);
      continues = true;
    } else if (continues && /^\s/.test(l)) {
      const last = out.pop()!;
      out.push(last.endsWith(': ') ? `${last}${l.trim()}` : `${last} ${l.trim()}`);
    } else continues = false;
  }
  return out;
}

// --- RFC 3339 (Go's time.Parse and Format with time.RFC3339) ---------------------------------

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** The date written back as Go formats it with RFC3339 (no fraction, "Z" for a zero offset); undefined when Go would not parse it. */
export function normalRfc3339(value: string): string | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  if (m[9] === undefined) return `${local}Z`;
  const offHours = Number(m[10]);
  const offMinutes = Number(m[11]);
  if (offHours > 23 || offMinutes > 59) return undefined;
  return offHours === 0 && offMinutes === 0 ? `${local}Z` : `${local}${m[9]}${m[10]}:${m[11]}`;
}

// --- URLs (what Go's url.Parse refuses) ------------------------------------------------------

/** Whether Go's url.Parse accepts `value`: no control characters, a scheme before any colon-bearing first segment, valid %-escapes, a valid host and port. */
export function isGoUrl(value: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(value)) return false;
  if (value.startsWith(':')) return false;
  const hash = value.indexOf('#');
  const rest = hash < 0 ? value : value.slice(0, hash);
  const fragment = hash < 0 ? '' : value.slice(hash + 1);
  if (!validEscapes(fragment)) return false;
  const query = rest.indexOf('?');
  let beforeQuery = query < 0 ? rest : rest.slice(0, query);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(beforeQuery);
  if (scheme) beforeQuery = beforeQuery.slice(scheme[0].length);
  else {
    const firstSegment = beforeQuery.split('/')[0]!;
    if (firstSegment.includes(':') && !beforeQuery.startsWith('//')) return false;
  }
  if (beforeQuery.startsWith('//')) {
    const slash = beforeQuery.indexOf('/', 2);
    const authority = slash < 0 ? beforeQuery.slice(2) : beforeQuery.slice(2, slash);
    const path = slash < 0 ? '' : beforeQuery.slice(slash);
    const at = authority.lastIndexOf('@');
    const host = at < 0 ? authority : authority.slice(at + 1);
    if (at >= 0 && !validEscapes(authority.slice(0, at))) return false;
    if (!validHost(host)) return false;
    return validEscapes(path);
  }
  return validEscapes(beforeQuery);
}

function validEscapes(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) if (!/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) return false;
  return true;
}

function validHost(host: string): boolean {
  let name = host;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return false;
    name = '';
    const after = host.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return false;
    port = after === '' ? undefined : after.slice(1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      name = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
  }
  if (port !== undefined && !/^\d*$/.test(port)) return false;
  // Go allows letters, digits and these in a host name (and %-escapes, checked as escapes).
  return /^[A-Za-z0-9\-._~!$&'()*+,;=%\u0080-\uffff]*$/.test(name) && validEscapes(name);
}

// --- Mail addresses (Go's net/mail ParseAddress and Address.String) ---------------------------

export interface MailAddress {
  name: string;
  address: string;
}

const ATEXT = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]/;

/** Reads a mail address as net/mail.ParseAddress does (display name, angle address or bare addr-spec); undefined when it is not one. */
export function parseMailAddress(input: string): MailAddress | undefined {
  const s = input.trim();
  if (s === '') return undefined;
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const quoted = (): string | undefined => {
    if (s[i] !== '"') return undefined;
    let out = '';
    for (i++; i < s.length; i++) {
      const c = s[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        i++;
        if (i >= s.length) return undefined;
        out += s[i];
      } else if (c === '\r' || c === '\n') return undefined;
      else out += c;
    }
    return undefined;
  };
  const atom = (dots: boolean): string => {
    const from = i;
    while (i < s.length && (ATEXT.test(s[i]!) || (dots && s[i] === '.'))) i++;
    return s.slice(from, i);
  };
  const dotAtom = (): string | undefined => {
    const a = atom(true);
    if (a === '' || a.startsWith('.') || a.endsWith('.') || a.includes('..')) return undefined;
    return a;
  };
  const addrSpec = (): string | undefined => {
    skipSpace();
    const local = s[i] === '"' ? quoted() : dotAtom();
    if (local === undefined || s[i] !== '@') return undefined;
    i++;
    skipSpace();
    let domain: string | undefined;
    if (s[i] === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) return undefined;
      domain = s.slice(i, close + 1);
      i = close + 1;
    } else domain = dotAtom();
    if (domain === undefined) return undefined;
    return `${local}@${domain}`;
  };

  // A bare addr-spec first, as Go tries it.
  const bare = addrSpec();
  skipSpace();
  if (bare !== undefined && i === s.length) return { name: '', address: bare };

  // display-name (a phrase: atoms, dots allowed, and quoted strings) then <addr-spec>.
  i = 0;
  const words: string[] = [];
  for (;;) {
    skipSpace();
    if (i >= s.length || s[i] === '<') break;
    const w = s[i] === '"' ? quoted() : atom(true);
    if (w === undefined || (w === '' && s[i] !== '"')) return undefined;
    words.push(w);
  }
  if (s[i] !== '<') return undefined;
  i++;
  const address = addrSpec();
  skipSpace();
  if (address === undefined || s[i] !== '>') return undefined;
  i++;
  skipSpace();
  if (i !== s.length) return undefined;
  return { name: words.join(' '), address };
}

const isVchar = (c: number) => c >= 0x21 && c <= 0x7e;
const isWsp = (c: number) => c === 0x20 || c === 0x09;
const isQtext = (c: number) => c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);

function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isQtext(c) || isWsp(c)) out += ch;
    else if (isVchar(c)) out += `\\${ch}`;
  }
  return `${out}"`;
}

/** The address as Go's mail.Address.String() writes it: `"Name" <local@domain>`, a non-ASCII name as an RFC 2047 encoded word. */
export function formatMailAddress(a: MailAddress): string {
  const at = a.address.lastIndexOf('@');
  let local = at < 0 ? a.address : a.address.slice(0, at);
  const domain = at < 0 ? '' : a.address.slice(at + 1);
  const plainLocal = [...local].every((ch, i, all) => ATEXT.test(ch) || (ch === '.' && i > 0 && all[i - 1] !== '.' && i < all.length - 1));
  if (!plainLocal) local = quoteString(local);
  const addr = `<${local}@${domain}>`;
  if (a.name === '') return addr;
  if ([...a.name].every((ch) => ch.length === 1 && (isVchar(ch.charCodeAt(0)) || isWsp(ch.charCodeAt(0))))) return `${quoteString(a.name)} ${addr}`;
  return `${/["#$%&'(),.:;<>@[\]^`{|}~]/.test(a.name) ? encodedWord('b', a.name) : encodedWord('q', a.name)} ${addr}`;
}

/** RFC 2047 encoded words of `s` in UTF-8, split as Go's mime.WordEncoder splits them (75 characters a word at most). */
function encodedWord(kind: 'b' | 'q', s: string): string {
  const open = `=?utf-8?${kind}?`;
  const maxContent = 75 - '=?UTF-8?q?'.length - '?='.length;
  const words: string[] = [];
  if (kind === 'b') {
    const bytes = Buffer.from(s, 'utf8');
    if (Math.ceil(bytes.length / 3) * 4 <= maxContent) return `${open}${bytes.toString('base64')}?=`;
    const maxBytes = Math.floor(maxContent / 4) * 3;
    let chunk: Buffer[] = [];
    let size = 0;
    for (const ch of s) {
      const b = Buffer.from(ch, 'utf8');
      if (size + b.length > maxBytes) {
        words.push(Buffer.concat(chunk).toString('base64'));
        chunk = [];
        size = 0;
      }
      chunk.push(b);
      size += b.length;
    }
    words.push(Buffer.concat(chunk).toString('base64'));
  } else {
    let word = '';
    let len = 0;
    for (const ch of s) {
      const bytes = Buffer.from(ch, 'utf8');
      const safe = bytes.length === 1 && bytes[0]! >= 0x20 && bytes[0]! <= 0x7e && ch !== '=' && ch !== '?' && ch !== '_';
      const enc = safe ? (ch === ' ' ? '_' : ch) : [...bytes].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      const encLen = safe ? 1 : 3 * bytes.length;
      if (len + encLen > maxContent) {
        words.push(word);
        word = '';
        len = 0;
      }
      word += enc;
      len += encLen;
    }
    words.push(word);
  }
  return words.map((w) => `${open}${w}?=`).join(' ');
}
