/**
 * The bad-input corpus: every way of getting an input wrong that gitops-bridge refuses, one data
 * row each, run through the CLI as a user runs it. Each row edits the example project, and the
 * run must exit 1 (2 for a usage error) with an error that names the file and the place (line
 * and/or JSON pointer) and a hint, write nothing: rendered/ byte-for-byte as it was, and the
 * `rendered` branch where it was (rendered-commit refuses the same input). Adding a case is
 * adding a row to CASES.
 *
 * Fast by sharing: one copy of the example in a git repository, rendered and committed to the
 * `rendered` branch once; each case edits it, runs in this process (cli()), and its edits are
 * undone from a pristine copy.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, snapshotDir, tempProject } from '../helpers.js';
import { scratchDir } from '../scratch.js';

/** One edit of the project (paths relative to its root). */
type Step = (root: string) => void;

/** The paths the edits of a case touched: put back from the pristine copy after it. */
const touched = new Set<string>();
/** `path` in the project, recorded as touched. */
const at = (root: string, path: string) => {
  touched.add(path);
  return join(root, path);
};

interface Case {
  name: string;
  /** The bad input: edits applied in order. */
  edits: Step[];
  /** The command line (default: render). */
  args?: string[];
  /** 1 (default) or 2 for a usage error. */
  exit?: 1 | 2;
  /** The file the error names (relative to the project), and where in it. */
  file?: string;
  /** The error's line: a number, or the text of the line (in the file as edited). */
  line?: number | string;
  /** The JSON pointer the error names. */
  pointer?: string;
  /** What the error says. */
  error: string | RegExp;
  /** What the hint says, beyond having one. */
  hint?: string | RegExp;
}

const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8');
const replace =
  (file: string, from: string | RegExp, to: string): Step =>
  (root) => {
    const text = read(root, file);
    const next = text.replace(from, to);
    if (next === text) throw new Error(`test setup: ${file} has no ${String(from)}`);
    writeFileSync(at(root, file), next);
  };
const write =
  (file: string, text: string): Step =>
  (root) => {
    mkdirSync(dirname(at(root, file)), { recursive: true });
    writeFileSync(at(root, file), text);
  };
const append =
  (file: string, text: string): Step =>
  (root) =>
    appendFileSync(at(root, file), text);
const remove =
  (path: string): Step =>
  (root) =>
    rmSync(at(root, path), { recursive: true });
const copy =
  (from: string, to: string): Step =>
  (root) =>
    cpSync(join(root, from), at(root, to), { recursive: true });
const move =
  (from: string, to: string): Step =>
  (root) =>
    renameSync(at(root, from), at(root, to));
/** A symbolic link at `path` to `target` (relative to the link, or absolute: `outside` makes one outside the project). */
const link =
  (target: string | (() => string), path: string): Step =>
  (root) => {
    mkdirSync(dirname(at(root, path)), { recursive: true });
    symlinkSync(typeof target === 'string' ? target : target(), at(root, path));
  };

/** Puts every touched path back as the pristine copy has it (or removes it), and forgets them. */
function restore(root: string, pristine: string): void {
  // A path inside another touched one comes back with it.
  const tops = [...touched].filter((p) => ![...touched].some((q) => p.startsWith(`${q}/`)));
  for (const path of tops) {
    rmSync(join(root, path), { recursive: true, force: true });
    if (existsSync(join(pristine, path))) cpSync(join(pristine, path), join(root, path), { recursive: true });
  }
  touched.clear();
}

let outsideDir = '';
/** A directory outside the project (made once), holding a copy of an app. */
const outside = () => outsideDir;

const APP = (name: string) => `manifests/apps/${name}/app.yaml`;
const OVERLAY = (name: string, env: string) => `manifests/apps/${name}/overlays/${env}.yaml`;
const ENV = (name: string) => `manifests/environments/${name}.yaml`;
const SNAPSHOT = (env: string) => `infra/outputs/${env}.json`;
const LBC = 'manifests/addons/aws-load-balancer-controller';
const EXEMPTIONS = (app: string, policy: string, reason = 'the vendor image needs this until the 3.0 release (PLAT-12)') =>
  `apiVersion: gitops-bridge.dev/v1alpha1\nkind: Exemptions\nmetadata:\n  name: ${app}\nexemptions:\n  - policy: ${policy}\n    reason: ${reason}\n`;
const deployment = (extra: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: extra',
    'spec:',
    '  selector: {matchLabels: {app: extra}}',
    '  template:',
    '    metadata: {labels: {app: extra}}',
    '    spec:',
    '      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}',
    '      containers:',
    '        - name: extra',
    '          image: public.ecr.aws/docker/library/busybox:1.36.1',
    extra,
  ].join('\n') + '\n';
const RESOURCES = '          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 10m, memory: 16Mi}}\n          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}';
/** A resource added to the load balancer controller's base. */
const lbcResource = (file: string, text: string): Step[] => [write(`${LBC}/base/${file}`, text), replace(`${LBC}/base/kustomization.yaml`, '  - networkpolicy.yaml\n', `  - networkpolicy.yaml\n  - ${file}\n`)];

const CASES: Case[] = [
  // --- YAML syntax
  { name: 'an unclosed flow sequence', edits: [replace(APP('orders-api'), '  replicas: 2\n', '  replicas: [2\n')], file: APP('orders-api'), line: '  ports:', error: 'YAML syntax error' },
  { name: 'a duplicate key, at the second one', edits: [replace(OVERLAY('catalog-api', 'prod'), /\nspec:\n/, '\nspec:\n  replicas: 3\n  replicas: 5\n')], file: OVERLAY('catalog-api', 'prod'), line: 'replicas: 5', error: 'duplicate key', hint: 'a key may appear once' },
  { name: 'a YAML alias', edits: [append(APP('catalog-api'), 'x: &a {k: v}\ny: *a\n')], file: APP('catalog-api'), line: 'y: *a', error: 'YAML anchors and aliases', hint: 'write the values out' },
  { name: '${...} unquoted in a flow sequence', edits: [replace(APP('storefront'), '  replicas: 1\n', '  replicas: 1\n  args: [--queue=${bridge.q}]\n')], file: APP('storefront'), line: 'args: [', error: 'YAML syntax error', hint: 'must be quoted' },
  { name: 'a tab in the indentation of an environment file', edits: [replace(ENV('dev'), '  tier: development', '\ttier: development')], file: ENV('dev'), line: 'tier: development', error: 'YAML syntax error' },
  { name: 'invalid JSON in a snapshot', edits: [replace(SNAPSHOT('dev'), '{\n', '{\n  "a": 1,,\n')], file: SNAPSHOT('dev'), line: 2, error: 'JSON syntax error', hint: 'npm run infra:outputs' },
  { name: 'an overlay that is not a mapping', edits: [write(OVERLAY('catalog-api', 'dev'), '- just\n- a list\n')], file: OVERLAY('catalog-api', 'dev'), pointer: '/', error: 'must be of type object' },

  // --- sizes and depth
  { name: 'an input file over 4 MiB', edits: [append(APP('catalog-api'), `# ${'x'.repeat(5 * 1024 * 1024)}\n`)], file: APP('catalog-api'), error: 'more than the 4 MiB an input file may hold', hint: 'split vendored manifests' },
  { name: 'a config value of 10 MB (was a stack overflow)', edits: [replace(APP('catalog-api'), '  config:\n', `  config:\n    BLOB: "${'x'.repeat(10_000_000)}"\n`)], file: APP('catalog-api'), error: 'an input file may hold' },
  { name: 'a config value over 1 MiB', edits: [replace(APP('catalog-api'), '  config:\n', `  config:\n    BLOB: "${'x'.repeat(1_500_000)}"\n`)], file: APP('catalog-api'), line: 'BLOB:', error: 'a value of 1500000 characters, more than the 1048576', hint: 'Kubernetes refuses a ConfigMap over 1 MiB' },
  { name: 'a snapshot value over 1 MiB', edits: [replace(SNAPSHOT('staging'), '{\n', `{\n  "big_blob": "${'x'.repeat(1_100_000)}",\n`)], file: SNAPSHOT('staging'), line: 2, pointer: '/big_blob', error: 'more than the 1048576 (1 MiB)' },
  { name: 'nesting 300 levels deep', edits: [append(APP('catalog-api'), `deep: ${'['.repeat(300)}${']'.repeat(300)}\n`)], file: APP('catalog-api'), line: 'deep:', error: 'nested more than 100 levels deep', hint: 'runaway indentation' },
  { name: 'a snapshot value nested 100,000 levels deep', edits: [replace(SNAPSHOT('dev'), '{\n', `{\n  "deep": ${'['.repeat(100_000)}${']'.repeat(100_000)},\n`)], file: SNAPSHOT('dev'), line: 2, pointer: '/deep', error: 'must be of type string,number,boolean' },
  { name: 'a rendered object over 1.5 MiB (configMapGenerator files)', edits: [write(`${LBC}/base/blob.txt`, `${'y'.repeat(900_000)}\n`), write(`${LBC}/base/blob2.txt`, `${'z'.repeat(900_000)}\n`), replace(`${LBC}/base/kustomization.yaml`, '      - controller.conf\n', '      - controller.conf\n      - blob.txt\n      - blob2.txt\n')], file: `${LBC}/base/kustomization.yaml`, error: /rendered\/dev\/aws-load-balancer-controller\/configmap-aws-load-balancer-controller-config-\w+\.yaml would be 1\.7 MiB, more than the 1\.5 MiB/, hint: 'split the data over several objects' },
  {
    name: 'a YAML alias bomb is refused before it expands',
    edits: [write(OVERLAY('catalog-api', 'prod'), ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n') + '\n')],
    file: OVERLAY('catalog-api', 'prod'),
    line: 2,
    error: 'YAML anchors and aliases',
  },

  // --- schema
  { name: 'an unknown field, with a did-you-mean', edits: [replace(APP('orders-api'), '  replicas: 2\n', '  replica: 2\n')], file: APP('orders-api'), line: 'replica: 2', pointer: '/spec/replica', error: 'unknown field "replica"', hint: 'did you mean "replicas"?' },
  { name: 'an out-of-range value set by an overlay, blamed on the overlay', edits: [replace(OVERLAY('storefront', 'prod'), 'minReplicas: 3', 'minReplicas: 0')], file: OVERLAY('storefront', 'prod'), line: 'minReplicas: 0', pointer: '/spec/autoscaling/minReplicas', error: '"minReplicas"' },
  { name: 'a mutable image tag', edits: [replace(APP('catalog-api'), 'tag: 1.22.3', 'tag: latest')], file: APP('catalog-api'), line: 'tag: latest', pointer: '/spec/image/tag', error: '"tag"' },
  { name: 'an environment without its tier', edits: [replace(ENV('staging'), /  tier: \w+\n/, '')], file: ENV('staging'), pointer: '/spec', error: 'missing required field "tier"', hint: 'add "tier"' },
  { name: 'an exemption without a real reason', edits: [write('manifests/apps/orders-api/exemptions.yaml', EXEMPTIONS('orders-api', 'probes', 'ORD-1'))], file: 'manifests/apps/orders-api/exemptions.yaml', line: 'reason: ORD-1', pointer: '/exemptions/0/reason', error: 'fewer than 20 characters' },
  { name: 'an unknown field in manifests/argocd.yaml', edits: [replace('manifests/argocd.yaml', '  hubType: self-managed\n', '  hubTyp: self-managed\n')], file: 'manifests/argocd.yaml', line: 'hubTyp:', pointer: '/spec/hubTyp', error: 'unknown field "hubTyp"', hint: 'did you mean "hubType"?' },
  { name: 'an unknown field in aws-access.yaml', edits: [replace(`${LBC}/aws-access.yaml`, '  team: platform\n', '  teams: platform\n')], file: `${LBC}/aws-access.yaml`, line: 'teams: platform', pointer: '/spec/teams', error: 'unknown field "teams"' },
  { name: 'a port protocol Kubernetes does not know', edits: [replace(APP('orders-api'), '      containerPort: 9090\n', '      containerPort: 9090\n      protocol: ICMP\n')], file: APP('orders-api'), line: 'protocol: ICMP', pointer: '/spec/ports/1/protocol', error: 'must be one of "TCP", "UDP", "SCTP"' },
  { name: 'a network policy port with an unknown protocol', edits: [replace(APP('orders-api'), '        ports: [8080]\n', '        ports: [{port: 8080, protocol: QUIC}]\n')], file: APP('orders-api'), line: 'protocol: QUIC', pointer: '/spec/networkPolicy/ingressFrom/0/ports/0', error: /must match exactly one schema|must be one of/ },
  { name: 'namespace as an object without `managed`', edits: [replace(APP('orders-api'), '  namespace: orders\n', '  namespace: {name: orders}\n')], file: APP('orders-api'), line: 'namespace: {name: orders}', pointer: '/spec/namespace', error: /namespace/ },
  { name: 'two env items of one name', edits: [replace(APP('orders-api'), '    - name: DB_HOST\n', '    - name: AWS_REGION\n      value: x\n    - name: DB_HOST\n')], file: APP('orders-api'), pointer: '/spec/env/1/name', error: 'env has two items named "AWS_REGION"', hint: 'names are unique' },
  { name: "metadata.name that is not the directory's", edits: [replace(APP('catalog-api'), 'name: catalog-api', 'name: catalog')], file: APP('catalog-api'), line: 'name: catalog', pointer: '/metadata/name', error: 'does not match its directory', hint: 'set metadata.name to "catalog-api"' },
  { name: "an overlay's environment that is not its file's", edits: [replace(OVERLAY('storefront', 'prod'), 'environment: prod', 'environment: staging')], file: OVERLAY('storefront', 'prod'), line: 'environment: staging', pointer: '/metadata/environment', error: 'does not match its path' },
  { name: 'an app directory name that is not a DNS-1123 label', edits: [move('manifests/apps/catalog-api', 'manifests/apps/Catalog_API')], file: 'manifests/apps/Catalog_API/app.yaml', error: 'app name "Catalog_API" is not a DNS-1123 label', hint: 'lower-case letters' },
  { name: 'a reserved app name', edits: [copy('manifests/apps/catalog-api', 'manifests/apps/namespaces'), replace(APP('namespaces'), 'name: catalog-api', 'name: namespaces')], file: APP('namespaces'), error: '"namespaces" is reserved', hint: 'reserved names' },
  { name: 'an app name that tries to leave its directory', edits: [replace(APP('catalog-api'), 'name: catalog-api', 'name: ../../etc')], file: APP('catalog-api'), line: 'name: ../../etc', pointer: '/metadata/name', error: '"name"' },
  { name: 'a file manifests/ has no place for', edits: [write('manifests/apps.yaml', 'a: 1\n')], file: 'manifests/apps.yaml', error: 'unexpected file in manifests/', hint: 'environments go in' },

  {
    name: 'two objects that would share a file',
    edits: [replace(APP('orders-api'), '  externalSecrets:\n', '  externalSecrets:\n    - name: orders-db\n      data:\n        - secretKey: other\n          remoteKey: other\n')],
    file: APP('orders-api'),
    error: 'dev/orders-api/externalsecret-orders-db.yaml would hold two objects',
    hint: 'give one of them another name',
  },
  {
    name: 'several problems, reported in one run',
    edits: [replace(APP('orders-api'), '  replicas: 2\n', '  replica: 2\n'), replace(APP('catalog-api'), 'tag: 1.22.3', 'tag: latest')],
    file: APP('orders-api'),
    line: 'replica: 2',
    pointer: '/spec/replica',
    error: 'unknown field "replica"',
    hint: /catalog-api\/app\.yaml:\d+ at \/spec\/image\/tag[^]*\n2 errors; nothing was written$/,
  },

  // --- references
  { name: 'an unknown bridge key (fromBridge)', edits: [replace(APP('orders-api'), 'fromBridge: orders_db_endpoint', 'fromBridge: orders_db_endpiont')], file: APP('orders-api'), line: 'orders_db_endpiont', pointer: '/spec/env/1/fromBridge', error: 'references bridge key "orders_db_endpiont", which infra/outputs/dev.json does not have', hint: 'did you mean "orders_db_endpoint"?' },
  { name: 'an unknown ${bridge.*} key in an overlay', edits: [append(OVERLAY('catalog-api', 'prod'), '  podAnnotations:\n    owner: ${bridge.no_such_key}\n')], file: OVERLAY('catalog-api', 'prod'), line: 'no_such_key', pointer: '/spec/podAnnotations/owner', error: 'references bridge key "no_such_key"' },
  { name: 'an unknown ${env.*} reference', edits: [replace(APP('orders-api'), 'host: orders-api.internal.${env.domain}', 'host: orders-api.internal.${env.domian}')], file: APP('orders-api'), line: 'env.domian', pointer: '/spec/ingress/host', error: 'unknown reference ${env.domian}', hint: 'did you mean ${env.domain}?' },
  { name: 'an unknown bridge key in an overlay patch value', edits: [replace(OVERLAY('storefront', 'prod'), 'topologyKey: topology.kubernetes.io/zone', 'topologyKey: "${bridge.aws_regio}"')], file: OVERLAY('storefront', 'prod'), line: 'aws_regio', pointer: '/patches/0/operations/0/value/0/topologyKey', error: 'references bridge key "aws_regio"', hint: 'did you mean "aws_region"?' },
  { name: '${bridge.*} in an environment file, where nothing is resolved', edits: [replace(ENV('dev'), 'alb.ingress.kubernetes.io/target-type: ip', 'alb.ingress.kubernetes.io/target-type: ${bridge.aws_region}')], file: ENV('dev'), line: 'target-type', pointer: '/spec/ingress/annotations/alb.ingress.kubernetes.io~1target-type', error: '${bridge.aws_region} in an environment file, where references are not resolved', hint: 'write the value itself' },
  { name: '${env.*} in manifests/argocd.yaml', edits: [replace('manifests/argocd.yaml', '    path: bootstrap/control-plane/addons\n', '    path: bootstrap/${env.name}/addons\n')], file: 'manifests/argocd.yaml', line: 'bootstrap/${env.name}', pointer: '/spec/addonsRepo/path', error: '${env.name} in manifests/argocd.yaml' },
  { name: '${bridge.*} in exemptions.yaml', edits: [write('manifests/apps/orders-api/exemptions.yaml', EXEMPTIONS('orders-api', 'probes', 'the account ${bridge.aws_account_id} runs the legacy probe agent'))], file: 'manifests/apps/orders-api/exemptions.yaml', line: 'reason:', pointer: '/exemptions/0/reason', error: '${bridge.aws_account_id} in exemptions.yaml' },
  { name: '${app.*} in aws-access.yaml outside the policy', edits: [replace(`${LBC}/aws-access.yaml`, '    name: aws-load-balancer-controller\n', '    name: ${app.name}\n')], file: `${LBC}/aws-access.yaml`, line: 'name: ${app.name}', pointer: '/spec/serviceAccount/name', error: '${app.name} in aws-access.yaml outside spec.serviceAccount.aws.policy' },
  { name: '${bridge.*} in a configMapGenerator file (read as it is)', edits: [append(`${LBC}/base/controller.conf`, 'region=${bridge.aws_region}\n')], file: `${LBC}/base/kustomization.yaml`, line: '- controller.conf', pointer: '/configMapGenerator/0/files/0', error: 'controller.conf holds ${bridge.aws_region}, but env and generator files are read as they are', hint: 'literals:' },
  { name: 'an unknown bridge key in a Kustomize resource', edits: [replace(`${LBC}/base/serviceaccount.yaml`, '${bridge.aws_load_balancer_controller_iam_role_arn}', '${bridge.aws_lb_controller_role}')], file: `${LBC}/base/serviceaccount.yaml`, line: 'aws_lb_controller_role', error: 'references bridge key "aws_lb_controller_role"' },
  { name: 'an overlay for an unknown environment', edits: [move(OVERLAY('catalog-api', 'prod'), OVERLAY('catalog-api', 'prd'))], file: OVERLAY('catalog-api', 'prd'), error: 'overlay for unknown environment "prd"', hint: 'did you mean overlays/prod.yaml?' },
  { name: 'an exemption for an unknown environment', edits: [write('manifests/apps/orders-api/exemptions.yaml', EXEMPTIONS('orders-api', 'probes') + '    environments: [prdo]\n')], file: 'manifests/apps/orders-api/exemptions.yaml', line: 'environments: [prdo]', pointer: '/exemptions/0/environments/0', error: 'exemption for unknown environment "prdo"', hint: 'did you mean "prod"?' },
  { name: 'an enabled addon that does not exist', edits: [replace(ENV('dev'), '    - external-dns\n', '    - external-dsn\n')], file: ENV('dev'), line: '- external-dsn', pointer: '/spec/addons/0', error: 'addon "external-dsn" is enabled but', hint: 'known addons' },
  { name: 'a network policy peer that is not deployed', edits: [replace(APP('catalog-api'), '      - app: storefront\n', '      - app: storefrnt\n')], file: APP('catalog-api'), line: 'app: storefrnt', pointer: '/spec/networkPolicy/ingressFrom/0', error: 'networkPolicy names app "storefrnt", which is not deployed', hint: 'use one of' },
  { name: 'a snapshot of an environment that does not exist', edits: [copy(SNAPSHOT('dev'), SNAPSHOT('qa'))], file: SNAPSHOT('qa'), error: 'snapshot for environment "qa", which has no manifests/environments/qa.yaml', hint: 'add the environment spec' },
  { name: 'a missing snapshot', edits: [move(SNAPSHOT('prod'), 'infra/outputs/prod.json.bak')], file: SNAPSHOT('prod'), error: 'environment "prod" has no stack-outputs snapshot', hint: 'npm run infra:outputs -- --stack prod' },
  { name: 'ingress.port that is not a Service port', edits: [replace(APP('storefront'), /\n    port: http\n/, '\n    port: metrics\n')], file: APP('storefront'), line: 'port: metrics', pointer: '/spec/ingress/port', error: 'ingress.port "metrics" is not a port with a servicePort' },
  { name: 'an HPA on a CronJob app', edits: [replace(APP('invoice-report'), '  cronJob:', '  autoscaling: { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 80 }\n  cronJob:')], file: APP('invoice-report'), line: 'autoscaling:', pointer: '/spec/autoscaling', error: 'a CronJob cannot be autoscaled', hint: 'remove spec.autoscaling' },
  { name: 'a failing JSON 6902 operation', edits: [replace(OVERLAY('storefront', 'prod'), 'op: add', 'op: replace'), replace(OVERLAY('storefront', 'prod'), '/spec/template/spec/topologySpreadConstraints', '/spec/template/spec/nope/x')], file: OVERLAY('storefront', 'prod'), line: 'op: replace', pointer: '/patches/0/operations/0', error: 'patch on Rollout "storefront" failed', hint: 'does not exist on the object' },

  // --- secrets
  { name: 'a "[secret]" value in a snapshot', edits: [replace(SNAPSHOT('staging'), '{\n', '{\n  "orders_db_password": "[secret]",\n')], file: SNAPSHOT('staging'), line: 2, pointer: '/orders_db_password', error: '"orders_db_password" is a secret and must not cross the bridge', hint: 'externalSecrets' },
  { name: 'an AWS access key in a snapshot', edits: [replace(SNAPSHOT('dev'), '{\n', '{\n  "ci_user_key": "AKIAIOSFODNN7EXAMPLE",\n')], file: SNAPSHOT('dev'), line: 2, pointer: '/ci_user_key', error: 'AWS access key' },
  { name: 'an exemption from no-credentials', edits: [write('manifests/apps/orders-api/exemptions.yaml', EXEMPTIONS('orders-api', 'no-credentials'))], file: 'manifests/apps/orders-api/exemptions.yaml', line: 6, pointer: '/exemptions/0/policy', error: 'policy "no-credentials" cannot be exempted', hint: 'spec.externalSecrets' },
  { name: 'an exemption from no-plaintext-secret', edits: [write('manifests/apps/orders-api/exemptions.yaml', EXEMPTIONS('orders-api', 'no-plaintext-secret'))], file: 'manifests/apps/orders-api/exemptions.yaml', line: 6, pointer: '/exemptions/0/policy', error: 'policy "no-plaintext-secret" cannot be exempted' },
  { name: 'a credential in a config value', edits: [replace(APP('catalog-api'), '  config:\n', '  config:\n    AWS_KEY: AKIAIOSFODNN7EXAMPLE\n')], file: APP('catalog-api'), pointer: '/data/AWS_KEY', error: '[no-credentials] rendered/dev/catalog-api/configmap-catalog-api-config.yaml', hint: /Secret|externalSecrets/ },
  { name: 'a Secret in a Kustomize base', edits: lbcResource('secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: abc\n'), file: `${LBC}/base/secret.yaml`, line: 1, pointer: '/', error: '[no-plaintext-secret]', hint: 'ExternalSecret' },

  // --- policies and the Kubernetes schema
  { name: 'a PodDisruptionBudget removed in production', edits: [replace(OVERLAY('catalog-api', 'prod'), '  disruptionBudget:\n    minAvailable: 2\n', '  disruptionBudget: null\n')], file: OVERLAY('catalog-api', 'prod'), line: 'disruptionBudget: null', error: '[pdb-in-production]' },
  { name: 'a privileged container in a Kustomize app', edits: lbcResource('extra.yaml', deployment(`${RESOURCES}\n          securityContext: {privileged: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}`).replace(`${RESOURCES}\n`, RESOURCES.split('\n')[0]! + '\n')), file: `${LBC}/base/extra.yaml`, line: 'privileged: true', error: '[no-privileged]' },
  { name: 'a container without resources in a Kustomize app', edits: lbcResource('extra.yaml', deployment('          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}')), file: `${LBC}/base/extra.yaml`, error: '[container-resources]' },
  { name: 'a LoadBalancer Service', edits: lbcResource('lb.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: public\nspec:\n  type: LoadBalancer\n  ports: [{port: 443}]\n'), file: `${LBC}/base/lb.yaml`, line: 'type: LoadBalancer', error: '[no-load-balancer]' },
  { name: 'an unknown field in a brought object', edits: [replace(`${LBC}/base/deployment.yaml`, '  revisionHistoryLimit: 10\n', '  revisionHistoryLimt: 10\n')], file: `${LBC}/base/deployment.yaml`, line: 'revisionHistoryLimt', error: '[kubernetes-schema]', hint: 'did you mean "revisionHistoryLimit"?' },
  { name: 'a cluster-scoped kind the AppProject does not allow', edits: lbcResource('priority.yaml', 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: critical\nvalue: 1000\n'), file: 'manifests/argocd.yaml', pointer: '/spec/clusterScopedAllowList', error: 'cluster-scoped PriorityClass "critical"', hint: 'clusterScopedAllowList' },

  // --- apps sharing an environment
  { name: 'two apps of a namespace with one ServiceAccount', edits: [replace(APP('orders-worker'), /\n  serviceAccount:\n/, '\n  serviceAccount:\n    name: orders-api\n')], file: APP('orders-worker'), line: 'name: orders-api', pointer: '/spec/serviceAccount/name', error: 'ServiceAccount orders/orders-api is rendered twice in environments dev, prod, staging: by app "orders-api" (manifests/apps/orders-api/app.yaml:10) and by app "orders-worker"', hint: 'give one of them another name' },
  { name: 'two apps of a namespace with one ExternalSecret', edits: [replace(APP('orders-worker'), '    - name: orders-worker-db\n', '    - name: orders-db\n'), replace(APP('orders-worker'), 'fromSecret: { name: orders-worker-db', 'fromSecret: { name: orders-db')], file: APP('orders-worker'), line: '- name: orders-db', pointer: '/spec/externalSecrets/0/name', error: /ExternalSecret orders\/orders-db is rendered twice .*manifests\/apps\/orders-api\/app\.yaml:\d+/ },
  { name: 'two apps claiming one ingress host and path', edits: [replace(APP('orders-api'), 'host: orders-api.internal.${env.domain}', 'host: www.${env.domain}')], file: APP('storefront'), line: 'host: www', pointer: '/spec/ingress/host', error: /two Ingresses claim host "www\.\S+", path "\/" \(ingress class alb\) in environment \w+: app "orders-api" \(manifests\/apps\/orders-api\/app\.yaml:\d+\) and app "storefront"/, hint: 'another host' },
  { name: 'a Kustomize app rendering a Namespace gitops-bridge renders', edits: lbcResource('namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: aws-load-balancer-controller\n'), file: `${LBC}/base/namespace.yaml`, line: 'name: aws-load-balancer-controller', pointer: '/metadata/name', error: /Namespace aws-load-balancer-controller is rendered twice .* by rendered\/dev\/namespaces \(manifests\/environments\/dev\.yaml\) and by addon "aws-load-balancer-controller"/ },
  { name: 'an app in kube-system', edits: [replace(APP('orders-api'), '  namespace: orders\n', '  namespace: kube-system\n')], file: APP('orders-api'), line: 'namespace: kube-system', pointer: '/spec/namespace', error: 'app "orders-api" deploys into namespace "kube-system", the cluster\'s own', hint: 'namespace: {name: kube-system, managed: false}' },
  { name: "an app in Argo CD's namespace", edits: [replace(APP('catalog-api'), '  team: catalog\n', '  team: catalog\n  namespace: argocd\n')], file: APP('catalog-api'), line: 'namespace: argocd', pointer: '/spec/namespace', error: 'namespace "argocd", Argo CD\'s' },
  { name: "an app in a hub addon's namespace", edits: [replace(APP('catalog-api'), '  team: catalog\n', '  team: catalog\n  namespace: cert-manager\n')], file: APP('catalog-api'), line: 'namespace: cert-manager', pointer: '/spec/namespace', error: 'namespace "cert-manager", the hub addon cert_manager\'s' },
  { name: 'an app named after a cluster namespace', edits: [move('manifests/apps/status-page', 'manifests/apps/default')], file: 'manifests/apps/default/chart.ts', error: 'app "default" deploys into namespace "default"' },
  { name: 'a Kustomize app in kube-system', edits: [replace(`${LBC}/base/kustomization.yaml`, 'namespace: aws-load-balancer-controller', 'namespace: kube-system')], file: `${LBC}/base/kustomization.yaml`, line: 'namespace: kube-system', pointer: '/namespace', error: 'addon "aws-load-balancer-controller" deploys into namespace "kube-system"'.replace('addon', 'app'), hint: 'gitops-bridge.dev/namespace-managed' },
  { name: 'apps of one namespace disagreeing on who owns it', edits: [replace(APP('orders-api'), '  namespace: orders\n', '  namespace: {name: orders, managed: false}\n')], file: APP('orders-worker'), line: 'namespace: orders', pointer: '/spec/namespace', error: 'apps "orders-worker" (manifests/apps/orders-worker/app.yaml) and "orders-api" (manifests/apps/orders-api/app.yaml) share namespace "orders", but only "orders-api" says' },

  // --- nothing dropped silently
  { name: "an app's overlays without its app.yaml", edits: [remove(APP('orders-api'))], file: OVERLAY('orders-api', 'dev'), error: 'manifests/apps/orders-api holds overlays/dev.yaml, overlays/prod.yaml but no app.yaml', hint: 'delete the whole directory' },
  { name: "an app's exemptions without its app", edits: [remove(APP('catalog-api')), remove('manifests/apps/catalog-api/overlays'), write('manifests/apps/catalog-api/exemptions.yaml', EXEMPTIONS('catalog-api', 'probes'))], file: 'manifests/apps/catalog-api/exemptions.yaml', error: 'holds exemptions.yaml but no app.yaml' },
  { name: "a Kustomize app's overlays without its base", edits: [remove(`${LBC}/base/kustomization.yaml`)], file: `${LBC}/aws-access.yaml`, error: /manifests\/addons\/aws-load-balancer-controller holds .* and \d+ more files but no/ },
  { name: 'overlays/prod.yml beside overlays/prod.yaml', edits: [copy(OVERLAY('orders-api', 'prod'), 'manifests/apps/orders-api/overlays/prod.yml')], file: 'manifests/apps/orders-api/overlays/prod.yml', error: 'the overlay of manifests/apps/orders-api for "prod" is defined twice', hint: 'keep one of them (prod.yaml)' },
  { name: 'app.yml beside app.yaml', edits: [copy(APP('orders-api'), 'manifests/apps/orders-api/app.yml')], file: 'manifests/apps/orders-api/app.yml', error: 'manifests/apps/orders-api is defined twice: app.yaml and app.yml' },
  { name: 'exemptions.yml beside exemptions.yaml', edits: [write('manifests/apps/orders-api/exemptions.yaml', EXEMPTIONS('orders-api', 'probes')), write('manifests/apps/orders-api/exemptions.yml', EXEMPTIONS('orders-api', 'probes'))], file: 'manifests/apps/orders-api/exemptions.yml', error: 'the exemptions of manifests/apps/orders-api is defined twice' },
  { name: 'aws-access.yml beside aws-access.yaml', edits: [copy(`${LBC}/aws-access.yaml`, `${LBC}/aws-access.yml`)], file: `${LBC}/aws-access.yml`, error: 'is defined twice' },
  { name: 'environments/dev.yml beside dev.yaml', edits: [copy(ENV('dev'), 'manifests/environments/dev.yml')], file: 'manifests/environments/dev.yml', error: 'environment "dev" is defined twice: manifests/environments/dev.yaml and manifests/environments/dev.yml' },
  { name: 'an app and an addon of one name', edits: [copy('manifests/addons/external-dns', 'manifests/apps/external-dns')], file: 'manifests/addons/external-dns/app.yaml', error: '"external-dns" is both an app (manifests/apps/external-dns/app.yaml) and an addon (manifests/addons/external-dns/app.yaml)', hint: 'rename one' },
  { name: 'two kinds of app in one directory', edits: [write('manifests/apps/catalog-api/chart.ts', 'export default () => undefined;\n')], file: 'manifests/apps/catalog-api/chart.ts', error: 'is more than one kind of app', hint: 'keep one' },
  { name: 'an app directory linked from outside the repository', edits: [link(() => join(outside(), 'remote-app'), 'manifests/apps/remote-app')], file: 'manifests/apps/remote-app', error: /manifests\/apps\/remote-app leads outside the repository \(to .*remote-app\)/, hint: 'copy the file or directory into the repository' },
  { name: 'an overlay linked to a file outside the repository', edits: [remove(OVERLAY('catalog-api', 'prod')), link(() => join(outside(), 'remote-app/overlays/prod.yaml'), OVERLAY('catalog-api', 'prod'))], file: OVERLAY('catalog-api', 'prod'), error: 'leads outside the repository' },
  { name: 'a dangling symbolic link', edits: [link('nowhere.yaml', OVERLAY('orders-api', 'staging'))], file: OVERLAY('orders-api', 'staging'), error: 'is a symbolic link to nothing', hint: 'point the link at a file' },
  { name: 'a symbolic link loop', edits: [link('..', 'manifests/apps/catalog-api/overlays/loop')], file: 'manifests/apps/catalog-api/overlays/loop', error: 'leads back into a directory that holds it' },
  { name: 'a directory where app.yaml belongs', edits: [remove(APP('catalog-api')), write(`${APP('catalog-api')}/x.yaml`, 'a: 1\n')], file: APP('catalog-api'), error: 'manifests/apps/catalog-api/app.yaml is a directory, not a file' },

  // --- the command line
  { name: 'an unknown environment', edits: [], args: ['render', '--env', 'prd'], exit: 2, error: 'unknown environment "prd"', hint: 'did you mean "prod"?' },
  { name: 'an unknown app', edits: [], args: ['render', '--app', 'orders'], exit: 2, error: 'unknown app "orders"', hint: 'known: ' },
  { name: 'an unknown option', edits: [], args: ['render', '--dry'], exit: 2, error: "unknown option '--dry'" },
  { name: 'an unknown command', edits: [], args: ['rendr'], exit: 2, error: "unknown command 'rendr'" },
  { name: 'an invalid --format', edits: [], args: ['check', '--format', 'xml'], exit: 2, error: "argument 'xml' is invalid" },
  { name: '--explain of an unknown object', edits: [], args: ['check', '--explain', 'Deployment/orders/nope'], exit: 2, error: 'no rendered object "Deployment/orders/nope"', hint: 'Kind/namespace/name' },
  { name: 'rendered-commit --push to an SSH remote', edits: [], args: ['rendered-commit', '--push', 'mirror'], error: 'its SSH protocol is not supported', hint: 'an HTTPS URL' },
];

describe('the bad-input corpus', () => {
  let root = '';
  let cleanup = () => {};
  let before = new Map<string, string>();
  let branch = '';
  let pristine = '';
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, encoding: 'utf8' });

  beforeAll(async () => {
    ({ root, cleanup } = tempProject());
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', 'https://github.com/example-shop/shop-gitops.git');
    git('remote', 'add', 'mirror', 'git@github.com:example-shop/shop-gitops.git');
    git('add', '-A');
    git('commit', '-qm', 'the example');
    // Warms the cache, and puts the example on the rendered branch.
    expect((await cli(['--root', root, 'render', '--quiet'])).code).toBe(0);
    const commit = await cli(['--root', root, 'rendered-commit']);
    expect(commit.code, commit.stderr).toBe(0);
    branch = git('rev-parse', 'refs/heads/rendered').trim();
    before = snapshotDir(join(root, 'rendered'));
    pristine = scratchDir('gitops-bridge-pristine-');
    for (const dir of ['manifests', 'infra']) cpSync(join(root, dir), join(pristine, dir), { recursive: true });
    outsideDir = scratchDir('gitops-bridge-outside-');
    cpSync(join(root, 'manifests/apps/catalog-api'), join(outsideDir, 'remote-app'), { recursive: true });
    replace('remote-app/app.yaml', 'name: catalog-api', 'name: remote-app')(outsideDir);
  });
  afterAll(() => {
    cleanup();
    rmSync(outsideDir, { recursive: true, force: true });
    rmSync(pristine, { recursive: true, force: true });
  });
  afterEach(() => restore(root, pristine));

  it('holds at least 60 cases, each with a name of its own', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      for (const step of c.edits) step(root);
      const r = await cli(['--root', root, ...(c.args ?? ['render'])]);
      const exit = c.exit ?? 1;
      expect(r.code, r.stdout + r.stderr).toBe(exit);
      const err = r.stderr;
      expect(err).not.toMatch(/internal error|RangeError|TypeError/);
      expect(err).toMatch(c.error);
      if (c.file !== undefined) {
        // The file and the place, on the error's own line: `error: file:line at /pointer: ...`.
        const line = typeof c.line === 'string' ? read(root, c.file).split('\n').findIndex((l) => l.includes(c.line as string)) + 1 : c.line;
        if (typeof c.line === 'string') expect(line, `test setup: no line with ${c.line}`).toBeGreaterThan(0);
        const head = `error: ${c.file}${line === undefined ? '' : `:${line}`}`;
        const errorLine = err.split('\n').find((l) => l.startsWith(head) && /^[: ]/.test(l.slice(head.length)) && (typeof c.error === 'string' ? l.includes(c.error) : c.error.test(l)));
        expect(errorLine, `no error line starting ${head} and saying ${String(c.error)} in:\n${err}`).toBeDefined();
        if (c.pointer !== undefined) expect(errorLine).toContain(` at ${c.pointer}`);
      }
      expect(err, 'a hint').toMatch(exit === 2 ? /\n {2}hint: |Usage:/ : /\n {2}hint: /);
      if (c.hint !== undefined) expect(err).toMatch(c.hint);
      if (exit === 1 && (c.args ?? ['render'])[0] === 'render') expect(err).toMatch(/nothing was written$/);

      // Nothing written: rendered/ as it was; the rendered branch refuses the input and stays.
      expect(snapshotDir(join(root, 'rendered'))).toEqual(before);
      if (exit === 1 && c.args === undefined) {
        const commit = await cli(['--root', root, 'rendered-commit', '--allow-dirty']);
        expect(commit.code, commit.stdout + commit.stderr).toBe(1);
      }
      expect(git('rev-parse', 'refs/heads/rendered').trim()).toBe(branch);
    });
  }
});
