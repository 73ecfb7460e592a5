/**
 * `npm run infra:outputs -- --stack <env>`: reads a Pulumi stack's outputs through the
 * Automation API (which drives the Pulumi CLI) and writes them to infra/outputs/<env>.json, the
 * bridge contract. A secret output, or a value that looks like a credential, is refused with an
 * error naming the key; the result must validate against schemas/stack-outputs.schema.json.
 * The file is written deterministically: sorted keys, 2-space JSON, trailing newline.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BridgeError, ErrorSink, pointerOf } from '../core/errors.js';
import { secretReason } from '../core/secrets.js';
import { closest, compareStrings } from '../core/strings.js';
import { environmentNames } from '../load/aws-access.js';
import { validateAgainst } from '../load/schemas.js';
import { parseJson } from '../load/yaml.js';
import { readSources } from '../workspace/inputs.js';
import type { Workspace } from '../workspace/workspace.js';

/** One stack output as the Automation API reports it. */
export interface StackOutputValue {
  value: unknown;
  secret?: boolean;
}

export const PULUMI_INSTALL_URL = 'https://www.pulumi.com/docs/install/';

/** The environment a stack is for: the last segment of `org/project/stack`. */
export function environmentOfStack(stack: string): string {
  return stack.split('/').pop() ?? stack;
}

/**
 * The snapshot text for a stack's outputs. Pure. Throws (all problems at once) when an output is
 * secret, looks like a credential, or the whole does not validate against the schema.
 */
export function snapshotText(outputs: Record<string, StackOutputValue>, file: string, sourceText?: string): string {
  /** Errors point into the file the outputs were read from (--from-json) when there is one, else the snapshot. */
  const lineIn = (pointer: string): number | undefined => (sourceText !== undefined ? lineOfKey(sourceText, pointer) : undefined);
  const errors = new ErrorSink();
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(outputs).sort(compareStrings)) {
    const { value, secret } = outputs[key]!;
    const reason = secret === true ? 'Pulumi marks the output as secret' : secretReason(key, value);
    if (reason) {
      errors.add({
        code: 'secret-in-snapshot',
        message: `stack output "${key}" is a secret and must not cross the bridge: ${reason}`,
        file,
        pointer: pointerOf([key]),
        ...(lineIn(pointerOf([key])) !== undefined && { line: lineIn(pointerOf([key])) }),
        hint: 'stop exporting it from infra/ (apps read secrets through externalSecrets), or export a non-secret reference such as an ARN',
      });
      continue;
    }
    data[key] = value;
  }
  errors.throwIfAny();
  const text = JSON.stringify(data, null, 2) + '\n';
  validateAgainst('stack-outputs', data, { file, data, lineOf: (pointer) => (sourceText !== undefined ? lineIn(pointer) : lineOfKey(text, pointer)) }).forEach((e) =>
    errors.add(
      new BridgeError({
        code: e.code,
        message: `stack output ${e.message}`,
        file: e.file,
        pointer: e.pointer,
        line: e.line,
        hint: `${e.hint ?? ''}${e.hint ? '; ' : ''}fix the export in infra/ and run \`pulumi up\` again`,
      }),
    ),
  );
  errors.throwIfAny();
  return text;
}

/** Outputs as `pulumi stack output --json` prints them (secrets as "[secret]"). */
export function outputsFromJson(text: string, file: string): Record<string, StackOutputValue> {
  const data = parseJson(text, file);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BridgeError({ code: 'schema', message: 'stack outputs must be one JSON object', file, hint: 'pass what `pulumi stack output --json` prints' });
  }
  return Object.fromEntries(Object.entries(data).map(([k, value]) => [k, { value }]));
}

/** Keys added, removed and changed between two snapshots, for the summary line. */
export function snapshotChanges(before: Record<string, unknown> | undefined, after: Record<string, unknown>) {
  const b = before ?? {};
  return {
    added: Object.keys(after).filter((k) => !(k in b)).sort(compareStrings),
    removed: Object.keys(b).filter((k) => !(k in after)).sort(compareStrings),
    changed: Object.keys(after).filter((k) => k in b && JSON.stringify(b[k]) !== JSON.stringify(after[k])).sort(compareStrings),
  };
}

function lineOfKey(text: string, pointer: string): number | undefined {
  const key = pointer.split('/')[1];
  if (key === undefined) return 1;
  const i = text.indexOf(JSON.stringify(key.replace(/~1/g, '/').replace(/~0/g, '~')) + ':');
  return i >= 0 ? text.slice(0, i).split('\n').length : undefined;
}

export function missingPulumiCli(detail?: string): BridgeError {
  return new BridgeError({
    code: 'io',
    message: `the Pulumi CLI is not installed or not on PATH${detail ? ` (${detail})` : ''}; reading stack outputs needs it`,
    hint: `install it (${PULUMI_INSTALL_URL}), log in to the stack's backend (\`pulumi login\`) and run this again; or pass --from-json with what \`pulumi stack output --json\` printed`,
  });
}

/** Reads a stack's outputs with the Automation API: `pulumi stack output` run in infra/. */
export async function readStackOutputs(stack: string, workDir: string): Promise<Record<string, StackOutputValue>> {
  const { LocalWorkspace } = await import('@pulumi/pulumi/automation/index.js');
  try {
    const selected = await LocalWorkspace.selectStack({ stackName: stack, workDir });
    return await selected.outputs();
  } catch (e) {
    const text = String((e as Error)?.message ?? e);
    if (/ENOENT/.test(text) && /\bpulumi\b/.test(text)) throw missingPulumiCli('spawn pulumi ENOENT');
    const reason = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('error:') || /^stderr:/.test(l))
      .join(' ')
      .replace(/^stderr:\s*/, '');
    throw new BridgeError({
      code: 'io',
      message: `could not read the outputs of stack "${stack}": ${reason || text.split('\n')[0]}`,
      file: join(workDir, 'Pulumi.yaml'),
      hint: 'check `pulumi login`, that the stack exists (`pulumi stack ls` in infra/) and that it has been deployed (`pulumi up`)',
    });
  }
}

export interface InfraOutputsRequest {
  /** The Pulumi stack: the environment name, or org/project/<env>. */
  stack: string;
  /** Read the outputs from this file (what `pulumi stack output --json` printed) instead of asking Pulumi. */
  fromJson?: string;
  /** Return the snapshot without writing it. */
  dryRun?: boolean;
}

export interface InfraOutputsOutcome {
  /** infra/outputs/<env>.json. */
  file: string;
  text: string;
  written: boolean;
  /** Keys added, changed and removed against the snapshot it replaced. */
  changes: ReturnType<typeof snapshotChanges>;
}

/** Reads a stack's outputs (Pulumi, or --from-json) and writes them, refusing secrets, as infra/outputs/<env>.json. */
export async function infraOutputsCommand(request: InfraOutputsRequest, deps: { workspace: Workspace }): Promise<InfraOutputsOutcome> {
  const root = deps.workspace.root;
  const env = environmentOfStack(request.stack);
  const known = environmentNames(readSources(root));
  if (!known.includes(env)) {
    const guess = closest(env, known);
    throw new BridgeError({
      code: 'usage',
      message: `stack "${request.stack}" is for environment "${env}", which manifests/environments/ does not define`,
      hint: guess ? `did you mean "${guess}"?` : `environments: ${known.join(', ')}`,
    });
  }
  const file = `infra/outputs/${env}.json`;
  const given = request.fromJson !== undefined ? { file: request.fromJson, text: readText(request.fromJson) } : undefined;
  const outputs = given ? outputsFromJson(given.text, given.file) : await readStackOutputs(request.stack, join(root, 'infra'));
  // What is wrong with the outputs is wrong in the file given, not in the snapshot not yet written.
  const text = given ? snapshotText(outputs, given.file, given.text) : snapshotText(outputs, file);
  const target = join(root, file);
  const previous = existsSync(target) ? (JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>) : undefined;
  const changes = snapshotChanges(previous, JSON.parse(text) as Record<string, unknown>);
  if (request.dryRun) return { file, text, written: false, changes };
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, target);
  return { file, text, written: true, changes };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new BridgeError({ code: 'io', message: `cannot read ${file}: ${(e as Error).message}`, file });
  }
}
