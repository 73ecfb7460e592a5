/**
 * kustomizeBuild, feature by feature, on small in-memory file sets (no kubectl needed; the
 * corpus test compares with kubectl). Expected values that are not obvious (hash suffixes, the
 * shared label quirk, annotations clean-up) were taken from `kubectl kustomize` on the same files.
 */
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { kustomizeBuild, type KustomizedObject } from '../../generators/kustomize/build.js';

type Files = Record<string, string>;

function build(files: Files, dir = 'app', root = 'app', resolve?: (data: unknown) => unknown): KustomizedObject[] {
  return kustomizeBuild({ files: new Map(Object.entries(files)), dir, root, resolve: resolve && ((d) => resolve(d)) });
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const objects = (files: Files, dir?: string, root?: string): Any[] => build(files, dir, root).map((o) => o.object);
const find = (objs: Any[], kind: string, name: string): Any => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: main
          image: nginx:1.25
${extra}`;

describe('resources', () => {
  it('reads files, multi-document files, Lists and directories, in Kustomize order, each with its file', () => {
    const out = build({
      'app/kustomization.yaml': 'resources:\n  - deploy.yaml\n  - more.yaml\n  - sub\n',
      'app/deploy.yaml': deployment('web'),
      'app/more.yaml': '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMapList\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n',
      'app/sub/kustomization.yml': 'resources: [ns.yaml]\n',
      'app/sub/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n',
    });
    expect(out.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['Namespace/web', 'ConfigMap/a', 'Service/web', 'Deployment/web']);
    expect(out.map((o) => o.file)).toEqual(['app/sub/ns.yaml', 'app/more.yaml', 'app/more.yaml', 'app/deploy.yaml']);
  });

  it('accepts a file named Kustomization and keeps build order with sortOptions fifo', () => {
    const out = objects({
      'app/Kustomization': 'sortOptions: {order: fifo}\nresources: [a.yaml]\n',
      'app/a.yaml': deployment('web') + '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n',
    });
    expect(out.map((o) => o.kind)).toEqual(['Deployment', 'Namespace']);
  });

  it('builds an overlay of an overlay of a base', () => {
    const out = objects(
      {
        'app/base/kustomization.yaml': 'resources: [d.yaml]\n',
        'app/base/d.yaml': deployment('web'),
        'app/mid/kustomization.yaml': 'resources: [../base]\nnamePrefix: mid-\n',
        'app/top/kustomization.yaml': 'resources: [../mid]\nnamePrefix: top-\nnamespace: prod\n',
      },
      'app/top',
    );
    expect(out[0].metadata).toEqual({ name: 'top-mid-web', namespace: 'prod' });
  });

  it('calls resolve on every parsed document and uses what it returns', () => {
    const seen: string[] = [];
    const out = kustomizeBuild({
      files: new Map(Object.entries({ 'app/kustomization.yaml': 'resources: [d.yaml]\nnamespace: NS\n', 'app/d.yaml': deployment('web') })),
      dir: 'app',
      root: 'app',
      resolve: (data, doc) => {
        seen.push(doc.file);
        return JSON.parse(JSON.stringify(data).replace(/"NS"/g, '"resolved"'));
      },
    });
    expect(seen).toEqual(['app/kustomization.yaml', 'app/d.yaml']);
    expect(out[0]!.object.metadata.namespace).toBe('resolved');
  });

  it('gives a resolve error without a file the document it came from, with the line', () => {
    const resolve = () => {
      throw new BridgeError({ code: 'unknown-bridge-key', message: 'no such key', pointer: '/spec/template' });
    };
    let err: BridgeError | undefined;
    try {
      kustomizeBuild({ files: new Map(Object.entries({ 'app/kustomization.yaml': 'resources: [d.yaml]\n' })), dir: 'app', root: 'app', resolve });
    } catch (e) {
      err = e as BridgeError;
    }
    expect(err?.file).toBe('app/kustomization.yaml');
    expect(err?.code).toBe('unknown-bridge-key');
  });
});

describe('namespace', () => {
  const files: Files = {
    'app/kustomization.yaml': 'namespace: prod\nresources: [r.yaml]\n',
    'app/r.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: old}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
  - {kind: ServiceAccount, name: sa, namespace: elsewhere-but-ours}
  - {kind: ServiceAccount, name: sa}
  - {kind: ServiceAccount, name: default}
  - {kind: ServiceAccount, name: external, namespace: kube-system}
`,
  };
  it('sets it on namespaced objects only, renames the Namespace object and fixes RBAC subjects', () => {
    const out = objects(files);
    expect(find(out, 'Namespace', 'prod').metadata.namespace).toBeUndefined();
    expect(find(out, 'ClusterRole', 'reader').metadata.namespace).toBeUndefined();
    expect(find(out, 'ServiceAccount', 'sa').metadata.namespace).toBe('prod');
    const subjects = find(out, 'ClusterRoleBinding', 'crb').subjects;
    expect(subjects[0]).toEqual({ kind: 'ServiceAccount', name: 'sa', namespace: 'elsewhere-but-ours' });
    expect(subjects[1]).toEqual({ kind: 'ServiceAccount', name: 'sa', namespace: 'prod' });
    expect(subjects[2]).toEqual({ kind: 'ServiceAccount', name: 'default', namespace: 'prod' });
    expect(subjects[3]).toEqual({ kind: 'ServiceAccount', name: 'external', namespace: 'kube-system' });
  });
});

describe('namePrefix / nameSuffix and name references', () => {
  it('renames objects and every reference to them, but not CRDs and Namespaces', () => {
    const out = objects({
      'app/kustomization.yaml': 'namePrefix: p-\nnameSuffix: -s\nresources: [r.yaml]\n',
      'app/r.yaml': `${deployment(
        'web',
        `      serviceAccountName: sa
      volumes:
        - name: c
          configMap: {name: cfg}
        - name: s
          projected:
            sources:
              - secret: {name: creds}
`,
      )}---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: sa}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
`,
    });
    const d = find(out, 'Deployment', 'p-web-s');
    expect(d.spec.template.spec.serviceAccountName).toBe('p-sa-s');
    expect(d.spec.template.spec.volumes[0].configMap.name).toBe('p-cfg-s');
    expect(d.spec.template.spec.volumes[1].projected.sources[0].secret.name).toBe('p-creds-s');
    const ing = find(out, 'Ingress', 'p-web-s');
    expect(ing.spec.defaultBackend.service.name).toBe('p-web-s');
    expect(ing.spec.rules[0].http.paths[0].backend.service.name).toBe('p-web-s');
    expect(find(out, 'HorizontalPodAutoscaler', 'p-web-s').spec.scaleTargetRef.name).toBe('p-web-s');
    const rb = find(out, 'RoleBinding', 'p-rb-s');
    expect(rb.roleRef.name).toBe('p-r-s');
    expect(rb.subjects[0].name).toBe('p-sa-s');
    find(out, 'CustomResourceDefinition', 'widgets.example.com');
    find(out, 'Namespace', 'team');
  });

  it('leaves a reference to an object outside the build alone', () => {
    const out = objects({
      'app/kustomization.yaml': 'namePrefix: p-\nresources: [d.yaml]\n',
      'app/d.yaml': deployment('web', '      volumes:\n        - name: c\n          configMap: {name: external}\n'),
    });
    expect(out[0].spec.template.spec.volumes[0].configMap.name).toBe('external');
  });
});

describe('labels and annotations', () => {
  const base = (k: string) => ({
    'app/kustomization.yaml': `resources: [r.yaml]\n${k}`,
    'app/r.yaml': `${deployment('web')}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n`,
  });
  it('commonLabels go into metadata, templates and selectors (a Service gets a selector)', () => {
    const out = objects(base('commonLabels: {team: a}\n'));
    const d = find(out, 'Deployment', 'web');
    expect(d.metadata.labels).toEqual({ team: 'a' });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'web', team: 'a' });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web', team: 'a' });
    expect(find(out, 'Service', 'web').spec.selector).toEqual({ team: 'a' });
  });
  it('labels without selectors touch metadata only; includeTemplates adds templates; includeSelectors all', () => {
    const plain = find(objects(base('labels: [{pairs: {team: a}}]\n')), 'Deployment', 'web');
    expect(plain.metadata.labels).toEqual({ team: 'a' });
    expect(plain.spec.template.metadata.labels).toEqual({ app: 'web' });
    const templates = find(objects(base('labels: [{pairs: {team: a}, includeTemplates: true}]\n')), 'Deployment', 'web');
    expect(templates.spec.template.metadata.labels).toEqual({ app: 'web', team: 'a' });
    expect(templates.spec.selector.matchLabels).toEqual({ app: 'web' });
    const selectors = find(objects(base('labels: [{pairs: {team: a}, includeSelectors: true}]\n')), 'Deployment', 'web');
    expect(selectors.spec.selector.matchLabels).toEqual({ app: 'web', team: 'a' });
  });
  it('labels with custom fields', () => {
    const d = find(objects(base('labels:\n  - pairs: {team: a}\n    fields: [{path: spec/template/metadata/annotations, kind: Deployment, create: true}]\n')), 'Deployment', 'web');
    expect(d.spec.template.metadata.annotations).toEqual({ team: 'a' });
  });
  it('commonAnnotations go into metadata and pod templates', () => {
    const d = find(objects(base('commonAnnotations: {owner: x}\n')), 'Deployment', 'web');
    expect(d.metadata.annotations).toEqual({ owner: 'x' });
    expect(d.spec.template.metadata.annotations).toEqual({ owner: 'x' });
  });
  it('keeps Kustomize shared label nodes: a later change of one field changes the fields added with it', () => {
    const out = objects(
      {
        'app/base/kustomization.yaml': 'commonLabels: {version: v1}\nresources: [d.yaml]\n',
        'app/base/d.yaml': deployment('web'),
        'app/ov/kustomization.yaml': 'resources: [../base]\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: web, labels: {version: v3}}\n',
      },
      'app/ov',
    );
    expect(out[0].spec.selector.matchLabels.version).toBe('v3');
    expect(out[0].spec.template.metadata.labels.version).toBe('v3');
  });
});

describe('images and replicas', () => {
  it('rewrites name, tag and digest in containers and init containers of any workload', () => {
    const out = objects({
      'app/kustomization.yaml':
        'resources: [r.yaml]\nimages:\n  - {name: nginx, newTag: "1.27"}\n  - {name: busybox, newName: registry.example.com/busybox, digest: "sha256:abc"}\n',
      'app/r.yaml': `apiVersion: batch/v1
kind: CronJob
metadata: {name: job}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: init, image: "busybox:1.36"}]
          containers: [{name: main, image: nginx}, {name: other, image: nginx-exporter:1}]
`,
    });
    const spec = out[0].spec.jobTemplate.spec.template.spec;
    expect(spec.initContainers[0].image).toBe('registry.example.com/busybox@sha256:abc');
    expect(spec.containers.map((c: Any) => c.image)).toEqual(['nginx:1.27', 'nginx-exporter:1']);
  });
  it('sets replicas by the name before the prefix', () => {
    const out = objects({ 'app/kustomization.yaml': 'namePrefix: p-\nresources: [d.yaml]\nreplicas: [{name: web, count: 4}]\n', 'app/d.yaml': deployment('web') });
    expect(out[0].spec.replicas).toBe(4);
  });
});

describe('patches', () => {
  const files = (k: string, extra: Files = {}): Files => ({
    'app/kustomization.yaml': `resources: [d.yaml]\n${k}`,
    'app/d.yaml': `${deployment('web')}---\n${deployment('worker').replace('name: worker', 'name: worker\n  labels: {tier: back}')}`,
    ...extra,
  });
  it('applies a strategic-merge patch from a file, naming the object before this namePrefix', () => {
    const out = objects(files('namePrefix: p-\npatches: [{path: p.yaml}]\n', { 'app/p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n' }));
    expect(find(out, 'Deployment', 'p-web').spec.replicas).toBe(2);
  });
  it('applies an inline patch to targets chosen by label selector and name regex', () => {
    const byLabel = objects(files('patches:\n  - target: {labelSelector: "tier in (back)"}\n    patch: |-\n      - {op: add, path: /spec/replicas, value: 5}\n'));
    expect(find(byLabel, 'Deployment', 'worker').spec.replicas).toBe(5);
    expect(find(byLabel, 'Deployment', 'web').spec.replicas).toBeUndefined();
    const byRegex = objects(files('patches:\n  - target: {kind: Deploy.*, name: "w(eb|orker)"}\n    patch: \'[{"op": "add", "path": "/spec/paused", "value": true}]\'\n'));
    expect(byRegex.every((o) => o.spec.paused === true)).toBe(true);
  });
  it('accepts a JSON 6902 patch whose target selects nothing, as Kustomize does', () => {
    const out = objects(files('patches:\n  - target: {kind: StatefulSet}\n    patch: |-\n      - {op: add, path: /x, value: 1}\n'));
    expect(out).toHaveLength(2);
  });
  it('deletes an object with $patch: delete', () => {
    const out = objects(files('patches:\n  - patch: |-\n      $patch: delete\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: worker}\n'));
    expect(out.map((o) => o.metadata.name)).toEqual(['web']);
  });
  it('applies patchesStrategicMerge (inline and path) and patchesJson6902 (path, YAML ops)', () => {
    const out = objects(
      files(
        'patchesStrategicMerge:\n  - p.yaml\n  - |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: worker}\n    spec: {replicas: 7}\npatchesJson6902:\n  - target: {group: apps, version: v1, kind: Deployment, name: web}\n    path: ops.yaml\n',
        { 'app/p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n', 'app/ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 9\n' },
      ),
    );
    expect(find(out, 'Deployment', 'web').spec.replicas).toBe(9);
    expect(find(out, 'Deployment', 'worker').spec.replicas).toBe(7);
  });
  it('lets a patch rename an object with allowNameChange, and references follow', () => {
    const out = objects({
      'app/kustomization.yaml': 'resources: [r.yaml]\npatches:\n  - target: {kind: ConfigMap, name: cfg}\n    options: {allowNameChange: true}\n    patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: renamed}\n',
      'app/r.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n${deployment('web', '      volumes: [{name: c, configMap: {name: cfg}}]\n')}`,
    });
    find(out, 'ConfigMap', 'renamed');
    expect(find(out, 'Deployment', 'web').spec.template.spec.volumes[0].configMap.name).toBe('renamed');
  });
});

describe('configMapGenerator', () => {
  it("names the ConfigMap with Kustomize's hash and rewrites references to it", () => {
    const out = objects({
      'app/kustomization.yaml': 'resources: [d.yaml]\nconfigMapGenerator:\n  - name: x\n    literals: [a=b]\n',
      'app/d.yaml': deployment('web', '      volumes: [{name: c, configMap: {name: x}}]\n'),
    });
    // kubectl kustomize gives x-4h2mbtbbt6 for these literals.
    expect(find(out, 'ConfigMap', 'x-4h2mbtbbt6').data).toEqual({ a: 'b' });
    expect(find(out, 'Deployment', 'web').spec.template.spec.volumes[0].configMap.name).toBe('x-4h2mbtbbt6');
  });
  it('reads env files, literals (quotes removed) and files (with key=path), with options', () => {
    const out = objects({
      'app/kustomization.yaml':
        'generatorOptions: {disableNameSuffixHash: true, labels: {gen: "yes"}}\nconfigMapGenerator:\n  - name: c\n    envs: [a.env]\n    literals: [\'Q="quoted"\']\n    files: [conf/app.properties, renamed=conf/app.properties]\n    options: {annotations: {note: x}, immutable: true}\n',
      'app/a.env': '# comment\nA=1\n  B=two=2\nEMPTY\n',
      'app/conf/app.properties': 'k=v\n',
    });
    expect(out[0]).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { gen: 'yes' }, annotations: { note: 'x' } },
      data: { A: '1', B: 'two=2', EMPTY: '', Q: 'quoted', 'app.properties': 'k=v\n', renamed: 'k=v\n' },
      immutable: true,
    });
  });
  it('merges into and replaces a base generator, keeping its name and prefix', () => {
    const files: Files = {
      'app/base/kustomization.yaml': 'namePrefix: b-\nconfigMapGenerator:\n  - {name: m, literals: [a=1, b=1]}\n  - {name: r, literals: [a=1]}\n',
      'app/ov/kustomization.yaml': 'resources: [../base]\nconfigMapGenerator:\n  - {name: m, behavior: merge, literals: [b=2, c=2]}\n  - {name: r, behavior: replace, literals: [z=9]}\n',
    };
    const out = objects(files, 'app/ov');
    expect(out.find((o) => o.metadata.name.startsWith('b-m-')).data).toEqual({ a: '1', b: '2', c: '2' });
    expect(out.find((o) => o.metadata.name.startsWith('b-r-')).data).toEqual({ z: '9' });
  });
});

describe('replacements', () => {
  const files = (k: string, extra: Files = {}): Files => ({
    'app/kustomization.yaml': `resources: [r.yaml]\n${k}`,
    'app/r.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\ndata: {host: "db.example.com:5432", replicas: "3"}\n---\n${deployment('web')}---\n${deployment('skip')}`,
    ...extra,
  });
  it('copies a value into list-selected fields, with delimiter/index, reject and create', () => {
    const out = objects(
      files(`replacements:
  - source: {kind: ConfigMap, name: src, fieldPath: data.host, options: {delimiter: ":", index: 0}}
    targets:
      - select: {kind: Deployment}
        reject: [{name: skip}]
        fieldPaths:
          - spec.template.spec.containers.[name=main].env.[name=DB].value
        options: {create: true}
  - source: {kind: ConfigMap, name: src, fieldPath: data.replicas}
    targets:
      - select: {kind: Deployment, name: web}
        fieldPaths: [spec.replicas]
        options: {create: true}
`),
    );
    const web = find(out, 'Deployment', 'web');
    expect(web.spec.template.spec.containers[0].env).toEqual([{ name: 'DB', value: 'db.example.com' }]);
    expect(web.spec.replicas).toBe(3);
    expect(find(out, 'Deployment', 'skip').spec.template.spec.containers[0].env).toBeUndefined();
  });
  it('reads replacements from a file and keeps a number target a number', () => {
    const out = objects(
      files('replacements: [{path: rep.yaml}]\n', {
        'app/r.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\ndata: {replicas: "3"}\n---\n${deployment('web').replace('spec:\n  selector', 'spec:\n  replicas: 1\n  selector')}`,
        'app/rep.yaml': '- source: {kind: ConfigMap, name: src, fieldPath: data.replicas}\n  targets:\n    - select: {kind: Deployment}\n      fieldPaths: [spec.replicas]\n',
      }),
    );
    expect(find(out, 'Deployment', 'web').spec.replicas).toBe(3);
  });
});

describe('components', () => {
  it('apply to what the including kustomization has accumulated', () => {
    const out = objects(
      {
        'app/base/kustomization.yaml': 'resources: [d.yaml]\n',
        'app/base/d.yaml': deployment('web'),
        'app/comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels: {feature: on}\nresources: [cm.yaml]\n',
        'app/comp/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: feature}\n',
        'app/ov/kustomization.yaml': 'resources: [../base]\ncomponents: [../comp]\n',
      },
      'app/ov',
    );
    expect(out.map((o) => o.metadata.labels?.feature)).toEqual(['on', 'on']);
  });
});
