/**
 * The provenance files of the rendered branches, in the Argo CD Source Hydrator format (GitOps
 * Promoter reads the same), pure:
 *   hydrator.metadata            root: repoURL, drySha, author, date, subject, body, references
 *   <env>/<app>/hydrator.metadata  repoURL, drySha, commands
 *   <env>/<app>/README.md          how to render the directory again
 *   .gitattributes               marks the two generated
 * None of them ends in .yaml/.yml/.json: Argo CD parses every such file in an app directory.
 *
 * The JSON is written byte for byte as Argo CD's commit server writes it (Go's encoding/json
 * with two-space indent, no HTML escaping, a final newline): keys in its struct order, empty
 * fields left out, the date the dry commit's author date in UTC, subject and body split at the
 * first blank line of the message, and the body without its valid Argocd-reference-commit-*
 * trailers, which become `references` (references.ts).
 */
import type { Signature } from './object-format.js';
import { messageTrailers, referenceOf, withoutReferenceTrailers, type RevisionReference } from './references.js';

export const METADATA_FILE = 'hydrator.metadata';
export const README_FILE = 'README.md';
export const GITATTRIBUTES_FILE = '.gitattributes';
/** The hub directory of rendered/: Argo CD objects, not an application directory. */
export const HUB_DIR = 'argocd';

/** Names provenance takes at the root and inside each app directory; rendered/ must not hold them. */
export const ROOT_PROVENANCE = [METADATA_FILE, GITATTRIBUTES_FILE] as const;
export const APP_PROVENANCE = [METADATA_FILE, README_FILE] as const;

export const GITATTRIBUTES = `**/${README_FILE} linguist-generated=true\n**/${METADATA_FILE} linguist-generated=true\n`;

/** The dry (source) commit a rendered commit is made from. */
export interface DryCommit {
  sha: string;
  /** Its root tree, to compare the working tree with. */
  tree: string;
  author: Signature;
  committer: Signature;
  subject: string;
  body: string;
  /** The whole message, as the commit holds it. */
  message: string;
}

/**
 * The application directories among rendered/'s files: `<env>/<app>` for every directory one
 * level below an environment directory (any top-level directory but argocd/). Sorted.
 */
export function appDirsOf(paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    if (parts.length >= 3 && parts[0] !== HUB_DIR) dirs.add(`${parts[0]}/${parts[1]}`);
  }
  return [...dirs].sort();
}

/** Git's %s and %b: the first paragraph joined on one line, and the rest. */
export function splitMessage(message: string): { subject: string; body: string } {
  const text = message.replace(/\r\n/g, '\n').replace(/^\s*\n/, '');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const rest = end < 0 ? '' : text.slice(end + 2);
  return {
    subject: head.split('\n').map((l) => l.trim()).join(' ').trim(),
    body: rest.replace(/^\n+/, '').replace(/\s+$/, ''),
  };
}

/** RFC 3339 in the signature's own offset, as Go's time.RFC3339 prints it ("Z" for UTC). */
export function rfc3339(s: Signature): string {
  const local = new Date((s.timestamp + s.offset * 60) * 1000).toISOString().slice(0, 19);
  if (s.offset === 0) return `${local}Z`;
  const abs = Math.abs(s.offset);
  return `${local}${s.offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function ident(s: { name: string; email: string }): string {
  return `${s.name} <${s.email}>`;
}

/** JSON as Go's json.Encoder writes it with SetIndent("", "  ") and SetEscapeHTML(false). */
function json(value: object): string {
  return JSON.stringify(value, null, 2).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') + '\n';
}

/** The root hydrator.metadata's fields, as Argo CD's hydrator makes them from the dry commit (empty ones left out). */
export interface RootMetadata {
  repoURL: string;
  drySha: string;
  author?: string;
  date?: string;
  subject?: string;
  body?: string;
  references?: RevisionReference[];
}

export function rootMetadataFields(dry: DryCommit, repoURL: string): RootMetadata {
  const message = dry.message.trim();
  const cut = message.indexOf('\n\n');
  const subject = cut < 0 ? message : message.slice(0, cut);
  const body = withoutReferenceTrailers(cut < 0 ? '' : message.slice(cut + 2));
  const reference = referenceOf(messageTrailers(message));
  return {
    repoURL,
    drySha: dry.sha,
    author: ident(dry.author),
    date: rfc3339({ ...dry.author, offset: 0 }),
    ...(subject !== '' && { subject }),
    ...(body !== '' && { body }),
    ...(reference && { references: [{ commit: reference }] }),
  };
}

export function rootMetadata(dry: DryCommit, repoURL: string): string {
  return json(rootMetadataFields(dry, repoURL));
}

/** The git note on a proposed branch's tip (refs/notes/hydrator.metadata), as Argo CD's commit server writes it with `git notes add -m`. */
export function hydratorNote(drySha: string): string {
  return `${JSON.stringify({ drySha })}\n`;
}

export function appMetadata(repoURL: string, drySha: string, commands: readonly string[]): string {
  return json({ repoURL, drySha, commands });
}

/** The commands that render one app directory again, run from the repository root. */
export function renderCommands(projectPrefix: string, appDir: string): string[] {
  const [env, app] = appDir.split('/');
  return [...(projectPrefix ? [`cd ${projectPrefix}`] : []), 'npm ci', `npm run render -- --env ${env} --app ${app}`];
}

export function appReadme(appDir: string, repoURL: string, drySha: string, commands: readonly string[], projectPrefix: string): string {
  const out = projectPrefix ? `${projectPrefix}/rendered/${appDir}/` : `rendered/${appDir}/`;
  return [
    `# ${appDir}`,
    '',
    'Generated by gitops-bridge: do not edit these manifests here, the next commit to this branch replaces them.',
    `They were rendered from ${repoURL} at commit ${drySha}.`,
    '',
    'To render them again:',
    '',
    '```shell',
    `git clone ${repoURL}`,
    '# cd into the clone',
    `git checkout ${drySha}`,
    ...commands,
    '```',
    '',
    `The result is in ${out}`,
    '',
  ].join('\n');
}

/**
 * The rendered commit's message: `<drySha first 7>: <dry subject>`, the dry body, and a
 * Co-authored-by trailer for the dry commit's author (added to the body's trailer block
 * when it ends with one, and not repeated when it is already there).
 */
export function commitMessage(dry: DryCommit): string {
  const subject = `${dry.sha.slice(0, 7)}: ${dry.subject}`;
  const trailer = `Co-authored-by: ${ident(dry.author)}`;
  const body = dry.body;
  if (body === '') return `${subject}\n\n${trailer}\n`;
  const paragraphs = body.split(/\n{2,}/);
  const last = paragraphs[paragraphs.length - 1]!;
  const lastLines = last.split('\n');
  if (lastLines.includes(trailer)) return `${subject}\n\n${body}\n`;
  const isTrailerBlock = lastLines.every((l) => /^[A-Za-z0-9-]+: \S/.test(l));
  return `${subject}\n\n${body}${isTrailerBlock ? '\n' : '\n\n'}${trailer}\n`;
}
