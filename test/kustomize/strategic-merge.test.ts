/**
 * strategicMerge against `kubectl kustomize`: every case of the table is a target object and a
 * patch file; kubectl's output (or its refusal) is the expected result. The `why` of a case
 * says which rule it pins. Pure tests at the end need no kubectl.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { StrategicMergeError, strategicMerge, type GroupVersionKind } from '../../generators/kustomize/strategic-merge.js';
import { mergedListPaths, schemaForKind } from '../../generators/kustomize/merge-keys.js';
import { hasKubectl, kustomizeCases, type KubectlResult } from './smp-kubectl.js';
import yaml from 'js-yaml';

type Obj = Record<string, unknown>;

interface Case {
  name: string;
  why: string;
  target: Obj;
  /** The patch; apiVersion, kind and metadata.name are filled from the target when absent. */
  patch: Obj | string;
  /** Kustomize refuses the patch (the error's pointer inside the patch, when strategicMerge names one). */
  refused?: { pointer: string };
}

function gvkOf(o: Obj): GroupVersionKind {
  const apiVersion = String(o.apiVersion);
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: String(o.kind),
  };
}

const meta = (extra: Obj = {}) => ({ name: 'app', ...extra });

function deployment(podSpec: Obj, extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(),
    spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: podSpec } },
    ...extra,
  };
}

const podPatch = (podSpec: Obj): Obj => ({ spec: { template: { spec: podSpec } } });

const twoContainers = {
  containers: [
    { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
    { name: 'side', image: 'side:1' },
  ],
};

const cr = (spec: Obj, apiVersion = 'example.com/v1', kind = 'Widget'): Obj => ({ apiVersion, kind, metadata: meta(), spec });

const CASES: Case[] = [
  // ---- containers / initContainers / ephemeralContainers by name
  { name: 'container image', why: 'a container named in the patch is merged into the one of that name', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'side', image: 'side:2' }] }) },
  { name: 'container added', why: 'a new container goes first (kustomize prepends the patch list)', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'new', image: 'n' }] }) },
  { name: 'container order', why: 'patch order first, then the rest in target order', target: deployment({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }] }), patch: podPatch({ containers: [{ name: 'c', image: 'c2' }, { name: 'z', image: 'z' }, { name: 'a', image: 'a2' }] }) },
  { name: 'container delete', why: '$patch: delete on a list element removes it', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'side', $patch: 'delete' }] }) },
  { name: 'container delete missing', why: 'deleting an element the target lacks changes nothing', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'nope', $patch: 'delete' }] }) },
  { name: 'container replace element', why: '$patch: replace on an element of a merged list', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'app', image: 'app:9', $patch: 'replace' }] }) },
  { name: 'containers list replace', why: 'a {$patch: replace} element replaces the whole list', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'only', image: 'o' }, { $patch: 'replace' }] }) },
  { name: 'containers list delete', why: 'a {$patch: delete} element deletes the whole list', target: deployment(twoContainers), patch: podPatch({ containers: [{ $patch: 'delete' }] }) },
  { name: 'containers list merge', why: 'a {$patch: merge} element is the default, and is removed', target: deployment(twoContainers), patch: podPatch({ containers: [{ $patch: 'merge' }, { name: 'side', image: 's3' }] }) },
  { name: 'containers null', why: 'null deletes a merged list', target: deployment(twoContainers), patch: podPatch({ containers: null }) },
  { name: 'initContainers', why: 'initContainers merge by name', target: deployment({ ...twoContainers, initContainers: [{ name: 'init', image: 'i:1' }, { name: 'init2', image: 'j' }] }), patch: podPatch({ initContainers: [{ name: 'init2', image: 'j:2' }] }) },
  { name: 'initContainers added to none', why: 'a merged list the target lacks is added as written', target: deployment(twoContainers), patch: podPatch({ initContainers: [{ name: 'i', image: 'i' }, { name: 'j', image: 'j', args: null }] }) },
  { name: 'ephemeralContainers', why: 'ephemeralContainers merge by name', target: deployment({ ...twoContainers, ephemeralContainers: [{ name: 'e', image: 'e' }, { name: 'f', image: 'f' }] }), patch: podPatch({ ephemeralContainers: [{ name: 'f', image: 'f2' }] }) },
  // ---- env / envFrom / ports / volumeMounts / volumeDevices
  { name: 'env by name', why: 'env merges by name; a new variable goes first', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'app', env: [{ name: 'C', value: '3' }, { name: 'A', value: 'x' }] }] }) },
  { name: 'env valueFrom replaces value', why: 'maps merge: value and valueFrom both kept unless value: null', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'app', env: [{ name: 'A', value: null, valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }) },
  { name: 'env delete', why: '$patch: delete inside env', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'app', env: [{ name: 'B', $patch: 'delete' }] }] }) },
  { name: 'env duplicates in target', why: 'kyaml collapses duplicate keys of a list it walks', target: deployment({ containers: [{ name: 'app', image: 'a', env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }, { name: 'B', value: '3' }] }] }), patch: podPatch({ containers: [{ name: 'app', image: 'b' }] }) },
  { name: 'envFrom replaced', why: 'envFrom has no merge strategy: replaced', target: deployment({ containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 'b' } }] }] }), patch: podPatch({ containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'c' } }] }] }) },
  { name: 'ports by containerPort', why: 'container ports merge by containerPort (+protocol)', target: deployment({ containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }] }] }), patch: podPatch({ containers: [{ name: 'app', ports: [{ containerPort: 443, name: 'tls' }, { containerPort: 9090, name: 'metrics' }] }] }) },
  { name: 'ports protocol', why: 'the same containerPort with two protocols', target: deployment({ containers: [{ name: 'app', ports: [{ containerPort: 53, protocol: 'TCP' }, { containerPort: 80 }] }] }), patch: podPatch({ containers: [{ name: 'app', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns-udp' }] }] }) },
  { name: 'ports partial keys', why: 'a port without protocol matches the target port with one', target: deployment({ containers: [{ name: 'app', ports: [{ containerPort: 53, protocol: 'UDP', name: 'a' }, { containerPort: 80 }] }] }), patch: podPatch({ containers: [{ name: 'app', ports: [{ containerPort: 53, name: 'b' }] }] }) },
  { name: 'ports string number', why: 'merge key values compare as text', target: deployment({ containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'a' }] }] }), patch: "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        ports:\n        - containerPort: \"80\"\n          hostPort: 8080\n" },
  { name: 'volumeMounts by mountPath', why: 'volumeMounts merge by mountPath, not name', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'app', volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }, { name: 'data', mountPath: '/other', subPath: 'x' }] }] }) },
  { name: 'volumeDevices by devicePath', why: 'volumeDevices merge by devicePath', target: deployment({ containers: [{ name: 'app', volumeDevices: [{ name: 'a', devicePath: '/dev/a' }] }] }), patch: podPatch({ containers: [{ name: 'app', volumeDevices: [{ name: 'b', devicePath: '/dev/a' }, { name: 'c', devicePath: '/dev/c' }] }] }) },
  { name: 'args replaced', why: 'args and command are replaced', target: deployment({ containers: [{ name: 'app', args: ['a', 'b'], command: ['x'] }] }), patch: podPatch({ containers: [{ name: 'app', args: ['c'] }] }) },
  { name: 'resources nested map', why: 'nested maps merge; null deletes a key', target: deployment({ containers: [{ name: 'app', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } } }] }), patch: podPatch({ containers: [{ name: 'app', resources: { limits: { cpu: null, memory: '2Gi' }, requests: { memory: '1Gi' } } }] }) },
  // ---- volumes and friends
  { name: 'volumes by name', why: 'volumes merge by name; the volume source maps merge (retainKeys is not applied)', target: deployment({ ...twoContainers, volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }] }), patch: podPatch({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pvc' } }, { name: 'cfg', configMap: { name: 'd', defaultMode: 420 } }] }) },
  { name: 'volumes retainKeys', why: '$retainKeys is no directive for kyaml', target: deployment({ ...twoContainers, volumes: [{ name: 'data', emptyDir: {} }] }), patch: podPatch({ volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] }) },
  { name: 'volume emptyDir null', why: 'a null inside a merged element deletes that field', target: deployment({ ...twoContainers, volumes: [{ name: 'data', emptyDir: {} }] }), patch: podPatch({ volumes: [{ name: 'data', emptyDir: null, secret: { secretName: 's' } }] }) },
  { name: 'ephemeral volume template', why: 'a volume claim template is known down to its metadata', target: deployment({ ...twoContainers, volumes: [{ name: 'e', ephemeral: { volumeClaimTemplate: { metadata: { finalizers: ['a'] }, spec: { accessModes: ['ReadWriteOnce'] } } } }] }), patch: podPatch({ volumes: [{ name: 'e', ephemeral: { volumeClaimTemplate: { metadata: { finalizers: ['b'] }, spec: { accessModes: ['ReadOnlyMany'] } } } }] }) },
  { name: 'imagePullSecrets', why: 'imagePullSecrets merge by name', target: deployment({ ...twoContainers, imagePullSecrets: [{ name: 'a' }] }), patch: podPatch({ imagePullSecrets: [{ name: 'b' }, { name: 'a' }] }) },
  { name: 'tolerations replaced', why: 'tolerations have no merge strategy: replaced', target: deployment({ ...twoContainers, tolerations: [{ key: 'a', operator: 'Exists' }] }), patch: podPatch({ tolerations: [{ key: 'b', operator: 'Exists', effect: null }] }) },
  { name: 'hostAliases by ip', why: 'hostAliases merge by ip', target: deployment({ ...twoContainers, hostAliases: [{ ip: '10.0.0.1', hostnames: ['a'] }] }), patch: podPatch({ hostAliases: [{ ip: '10.0.0.1', hostnames: ['b'] }, { ip: '10.0.0.2', hostnames: ['c'] }] }) },
  { name: 'topologySpreadConstraints', why: 'merged by topologyKey + whenUnsatisfiable', target: deployment({ ...twoContainers, topologySpreadConstraints: [{ topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 }, { topologyKey: 'host', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 1 }] }), patch: podPatch({ topologySpreadConstraints: [{ topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 2 }, { topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 }] }) },
  { name: 'resourceClaims replaced', why: 'pod resourceClaims postdate kyaml schema (1.21): replaced', target: deployment({ ...twoContainers, resourceClaims: [{ name: 'a', source: { resourceClaimName: 'x' } }] }), patch: podPatch({ resourceClaims: [{ name: 'b', source: { resourceClaimName: 'y' } }] }) },
  { name: 'affinity nested', why: 'affinity maps merge, its term lists are replaced', target: deployment({ ...twoContainers, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } } }), patch: podPatch({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'h' } }] }, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'b', operator: 'Exists' }] }] } } } }) },
  // ---- metadata
  { name: 'finalizers set', why: 'finalizers merge as a set, patch values first', target: deployment(twoContainers, { metadata: meta({ finalizers: ['f1', 'f2'] }) }), patch: { metadata: { finalizers: ['f3', 'f1'] } } },
  { name: 'finalizers deleteFromPrimitiveList', why: '$deleteFromPrimitiveList is no directive for kyaml', target: deployment(twoContainers, { metadata: meta({ finalizers: ['f1', 'f2'] }) }), patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] } } },
  { name: 'ownerReferences by uid', why: 'ownerReferences merge by uid', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' }] }), data: { a: '1' } }, patch: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'q', uid: 'u2' }, { apiVersion: 'v1', kind: 'Pod', name: 'p2', uid: 'u1' }] } } },
  { name: 'labels and annotations', why: 'maps merge, null deletes, new keys added', target: deployment(twoContainers, { metadata: meta({ labels: { a: '1', b: '2' }, annotations: { x: 'y' } }) }), patch: { metadata: { labels: { a: null, c: '3' }, annotations: null } } },
  { name: 'configmap data', why: 'plain maps', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1', b: '2' } }, patch: { data: { b: null, c: '3' } } },
  { name: 'map replace', why: '$patch: replace on a map', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1', b: '2' } }, patch: { data: { $patch: 'replace', c: '3' } } },
  { name: 'map delete', why: '$patch: delete on a map', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1', b: '2' } }, patch: { data: { $patch: 'delete' } } },
  { name: 'map merge directive', why: '$patch: merge on a map is removed', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1' } }, patch: { data: { $patch: 'merge', b: '2' } } },
  { name: 'new map with directive', why: 'a map the target lacks: $patch: replace is removed', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta() }, patch: { data: { $patch: 'replace', b: '2', c: null } } },
  { name: 'new map deleted', why: 'a map the target lacks with $patch: delete is not added', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta() }, patch: { data: { $patch: 'delete', b: '2' } } },
  { name: 'object delete', why: 'top-level $patch: delete removes the object', target: deployment(twoContainers), patch: { $patch: 'delete' } },
  { name: 'object replace', why: 'top-level $patch: replace leaves the object as it was (kustomize keeps its own node)', target: deployment(twoContainers), patch: { $patch: 'replace', spec: { replicas: 3 } } },
  { name: 'null in target kept', why: 'a null the patch does not touch stays', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ labels: null }), data: { a: '1', b: null } }, patch: { data: { a: '2' } } },
  { name: 'null in target patched', why: 'a patch value replaces a null', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: null }, patch: { data: { a: '2' } } },
  { name: 'scalar replaced', why: 'scalars are replaced, types kept', target: deployment(twoContainers), patch: { spec: { replicas: 5, paused: true, minReadySeconds: null } } },
  { name: 'setElementOrder', why: '$setElementOrder is no directive for kyaml', target: deployment(twoContainers), patch: podPatch({ '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }], containers: [{ name: 'app', image: 'x' }] }) },
  // ---- other kinds
  { name: 'service ports', why: 'Service ports merge by port (+protocol)', target: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443 }] } }, patch: { spec: { ports: [{ port: 443, targetPort: 8443 }, { name: 'm', port: 9090 }] } } },
  { name: 'service ports protocol', why: 'the same port with TCP and UDP', target: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { ports: [{ name: 'dns', port: 53, protocol: 'TCP' }] } }, patch: { spec: { ports: [{ name: 'dns-udp', port: 53, protocol: 'UDP' }] } } },
  { name: 'statefulset claim templates replaced', why: 'volumeClaimTemplates are replaced; the pod template merges', target: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), spec: { serviceName: 's', template: { spec: twoContainers }, volumeClaimTemplates: [{ metadata: { name: 'a' } }] } }, patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'z' }] } }, volumeClaimTemplates: [{ metadata: { name: 'b' } }] } } },
  { name: 'cronjob', why: 'CronJob jobTemplate down to the containers', target: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(), spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: twoContainers } } } } }, patch: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'side', image: 's9' }] } } } } } } },
  { name: 'job', why: 'Job pod template', target: { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(), spec: { template: { spec: twoContainers } } }, patch: { spec: { template: { spec: { containers: [{ name: 'side', env: [{ name: 'X', value: 'y' }] }] } } } } },
  { name: 'daemonset', why: 'DaemonSet pod template', target: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), spec: { template: { spec: twoContainers } } }, patch: { spec: { template: { spec: { containers: [{ name: 'new', image: 'n' }] } } } } },
  { name: 'pod', why: 'Pod spec', target: { apiVersion: 'v1', kind: 'Pod', metadata: meta(), spec: twoContainers }, patch: { spec: { containers: [{ name: 'app', image: 'p' }] } } },
  { name: 'podtemplate', why: 'PodTemplate template', target: { apiVersion: 'v1', kind: 'PodTemplate', metadata: meta(), template: { spec: twoContainers } }, patch: { template: { spec: { containers: [{ name: 'app', image: 'p' }] } } } },
  { name: 'replicaset', why: 'ReplicaSet pod template', target: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(), spec: { template: { spec: twoContainers } } }, patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'p' }] } } } } },
  { name: 'serviceaccount secrets', why: 'ServiceAccount secrets merge by name', target: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(), secrets: [{ name: 'a' }] }, patch: { secrets: [{ name: 'b' }] } },
  { name: 'webhooks', why: 'webhook configurations merge webhooks by name', target: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: meta(), webhooks: [{ name: 'a.x', sideEffects: 'None' }, { name: 'b.x' }] }, patch: { webhooks: [{ name: 'b.x', timeoutSeconds: 5 }] } },
  { name: 'role rules replaced', why: 'rules are replaced', target: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, patch: { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } },
  { name: 'ingress rules replaced', why: 'Ingress lists are replaced', target: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(), spec: { rules: [{ host: 'a' }], tls: [{ hosts: ['a'] }] } }, patch: { spec: { rules: [{ host: 'b' }] } } },
  { name: 'hpa v2 finalizers', why: 'autoscaling/v2 is newer than the schema: even finalizers are replaced', target: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta({ finalizers: ['a'] }), spec: { metrics: [{ type: 'Resource' }] } }, patch: { metadata: { finalizers: ['b'] }, spec: { metrics: [{ type: 'Pods' }] } } },
  // ---- custom resources
  { name: 'cr lists replaced', why: 'a kind without schema: lists replaced even with name keys', target: cr({ items: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }], tags: ['x'] }), patch: { spec: { items: [{ name: 'b', v: 3 }] } } },
  { name: 'cr containers replaced', why: 'containers of a custom resource are replaced', target: cr({ template: { spec: twoContainers } }, 'argoproj.io/v1alpha1', 'Rollout'), patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'n' }] } } } } },
  { name: 'cr maps merge', why: 'maps of a custom resource merge; null deletes', target: cr({ a: { b: 1, c: 2 }, d: 'x' }), patch: { spec: { a: { b: null, e: 3 }, d: 'y' } } },
  { name: 'cr finalizers replaced', why: 'a custom resource metadata has no schema either', target: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta({ finalizers: ['a'] }) }, patch: { metadata: { finalizers: ['b'] } } },
  { name: 'cr list directive untouched', why: 'in a replaced list $patch entries stay as written', target: cr({ items: [{ name: 'a' }] }), patch: { spec: { items: [{ name: 'b', $patch: 'delete' }, { name: 'c', x: null }] } } },
  { name: 'cr embedded deployment', why: 'a nested map naming a known kind gets its schema', target: cr({ resource: deployment(twoContainers) }), patch: { spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'side', image: 'q' }] } } } } } } },
  // ---- kyaml's corner cases, pinned
  { name: 'element replace is lost', why: "$patch: replace on an existing element leaves the target's element as it was (kyaml merges into the patch's node, then puts the target's back)", target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'side', image: 'z' }, { name: 'app', $patch: 'replace', image: 'q' }] }) },
  { name: 'port without protocol vs UDP', why: 'a patch port without protocol matching only a UDP port of the target is lost', target: deployment({ containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 81, protocol: 'UDP' }, { containerPort: 82 }] }] }), patch: podPatch({ containers: [{ name: 'a', ports: [{ containerPort: 81, name: 'x' }] }] }) },
  { name: 'ports rebuilt untouched', why: 'a merged list the patch does not name is rebuilt (same port, two protocols)', target: deployment({ containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }, { containerPort: 82 }] }] }), patch: podPatch({ containers: [{ name: 'a', image: 'q' }] }) },
  { name: 'target element without key', why: 'an element of the target without the merge key leaves only itself', target: deployment({ containers: [{ name: 'a', env: [{ name: 'A' }, { value: 'nokey' }, { name: 'B' }] }] }), patch: podPatch({ containers: [{ name: 'a', env: [{ name: 'C' }] }] }) },
  { name: 'patch element without key', why: 'an element of the patch without the merge key', target: deployment({ containers: [{ name: 'a', env: [{ name: 'A' }] }] }), patch: podPatch({ containers: [{ name: 'a', env: [{ value: 'nokey' }] }] }) },
  { name: 'empty merged list', why: 'an empty patch list merges nothing', target: deployment({ containers: [{ name: 'a', env: [{ name: 'A' }] }] }), patch: podPatch({ containers: [{ name: 'a', env: [] }] }) },
  { name: 'last element deleted', why: 'deleting every element leaves an empty list', target: deployment({ containers: [{ name: 'a', env: [{ name: 'A' }] }] }), patch: podPatch({ containers: [{ name: 'a', env: [{ name: 'A', $patch: 'delete' }] }] }) },
  { name: 'list replace into empty', why: 'a list directive against an empty target list', target: deployment({ containers: [{ name: 'a' }], volumes: [] }), patch: podPatch({ volumes: [{ name: 'v', emptyDir: {} }, { $patch: 'replace' }] }) },
  { name: 'list replace into missing', why: 'a list the target lacks is taken as written, its directive element kept', target: deployment({ containers: [{ name: 'a' }] }), patch: podPatch({ volumes: [{ name: 'v', emptyDir: {} }, { $patch: 'replace' }] }) },
  { name: 'duplicate keys in patch', why: 'a patch list naming an element twice', target: deployment({ containers: [{ name: 'a' }] }), patch: podPatch({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', secret: { secretName: 's' } }] }) },
  { name: 'primitive list replace', why: 'a {$patch: replace} element in finalizers', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ finalizers: ['a', 'b'] }) }, patch: { metadata: { finalizers: ['b', { $patch: 'replace' }] } } },
  { name: 'primitive list delete', why: 'a {$patch: delete} element in finalizers', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ finalizers: ['a', 'b'] }) }, patch: { metadata: { finalizers: [{ $patch: 'delete' }] } } },
  { name: 'primitive list empty', why: 'an empty finalizers patch changes nothing', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ finalizers: ['a', 'b'] }) }, patch: { metadata: { finalizers: [] } } },
  { name: 'primitive list deduplicated', why: 'a set the patch does not touch loses its repeats', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ finalizers: ['a', 'b', 'a'] }) }, patch: { metadata: { labels: { q: 'r' } } } },
  { name: 'map replace empty', why: '$patch: replace alone leaves an empty map', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1' } }, patch: { data: { $patch: 'replace' } } },
  { name: 'empty map merged', why: 'an empty patch map changes nothing', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1' } }, patch: { data: {} } },
  { name: 'empty map added', why: 'an empty map the target lacks is added', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta() }, patch: { data: {} } },
  { name: 'unknown directive on new map', why: 'a new map keeps an unknown $patch as a field', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta() }, patch: { data: { $patch: 'bogus', a: 'b' } } },
  { name: 'new element null field', why: 'a null in a new element is dropped', target: deployment(twoContainers), patch: podPatch({ containers: [{ name: 'app', image: 'q', env: [{ name: 'F', value: null }] }] }) },
  { name: 'pod spec replace', why: '$patch: replace on the pod spec', target: deployment(twoContainers), patch: { spec: { template: { spec: { $patch: 'replace', containers: [{ name: 'z' }] } } } } },
  { name: 'template delete', why: '$patch: delete on the pod template', target: deployment(twoContainers), patch: { spec: { template: { $patch: 'delete' } } } },
  { name: 'object merge directive', why: 'a top-level $patch: merge is removed', target: deployment(twoContainers), patch: { $patch: 'merge', spec: { replicas: 2 } } },
  { name: 'status conditions', why: 'status conditions merge by type', target: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), status: { conditions: [{ type: 'A', status: 'True' }] } }, patch: { status: { conditions: [{ type: 'B', status: 'False' }] } } },
  { name: 'service port and protocol', why: 'a Service port without protocol against one with it', target: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { ports: [{ port: 80, protocol: 'TCP', name: 'a' }, { port: 443, name: 'b' }] } }, patch: { spec: { ports: [{ port: 80, name: 'c' }, { port: 443, protocol: 'TCP', name: 'd' }] } } },
  { name: 'delete and merge together', why: 'deleted, absent and merged elements in one patch', target: deployment({ containers: [{ name: 'a' }, { name: 'b' }] }), patch: podPatch({ containers: [{ name: 'b', $patch: 'delete' }, { name: 'c', $patch: 'delete' }, { name: 'a', image: 'n' }] }) },
  { name: 'new element with directives', why: 'directives inside an element the target lacks', target: deployment({ containers: [{ name: 'a', image: 'i' }] }), patch: podPatch({ containers: [{ name: 'b', image: 'b', env: [{ name: 'A', value: 'x' }, { $patch: 'replace' }, { name: 'C', $patch: 'delete' }] }] }) },
  { name: 'quoted scalars keep quotes', why: "a number or boolean patched over a quoted string becomes a string; over a plain one it stays", target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { port: '8080', flag: 'true', plain: 'abc', empty: '', num: 1 } }, patch: { data: { port: 9090, flag: false, plain: 7, empty: 3, num: '2' } } },
  { name: 'quoted env value', why: 'env value "8080" patched with a number', target: deployment({ containers: [{ name: 'a', env: [{ name: 'PORT', value: '8080' }] }] }), patch: podPatch({ containers: [{ name: 'a', env: [{ name: 'PORT', value: 9090 }] }] }) },
  { name: 'label type', why: 'a number patched over a plain label value stays a number', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ labels: { a: 'b' } }) }, patch: { metadata: { labels: { a: 1 } } } },
  // ---- refusals
  { name: 'map in primitive list', why: 'a map in finalizers is refused', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ finalizers: ['a'] }) }, patch: { metadata: { finalizers: [{ a: 1 }] } }, refused: { pointer: '/metadata/finalizers' } },
  { name: 'list against scalar', why: 'a list where the target has a scalar is refused', target: deployment({ containers: [{ name: 'a', image: 'i' }] }), patch: podPatch({ containers: [{ name: 'a', image: ['x'] }] }), refused: { pointer: '/spec/template/spec/containers/0/image' } },
  { name: 'map against scalar in cr', why: 'a map where a custom resource has a scalar is refused', target: cr({ a: 1 }), patch: { spec: { a: { b: 2 } } }, refused: { pointer: '/spec/a' } },
  { name: 'unknown directive', why: 'an unknown $patch value is refused', target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: '1' } }, patch: { data: { $patch: 'bogus' } }, refused: { pointer: '/data/$patch' } },
  { name: 'unknown list directive', why: 'an unknown list $patch value is refused', target: deployment(twoContainers), patch: podPatch({ containers: [{ $patch: 'bogus' }] }), refused: { pointer: '/spec/template/spec/containers/0' } },
  { name: 'map against list', why: 'a map where the target has a list is refused', target: deployment(twoContainers), patch: podPatch({ containers: { name: 'x' } }), refused: { pointer: '/spec/template/spec/containers' } },
  { name: 'scalar against map', why: 'a scalar where the target has a map is refused', target: deployment(twoContainers), patch: { spec: { template: 'x' } }, refused: { pointer: '/spec/template' } },
];

/** The whole patch document strategicMerge gets (kubectl gets the same, renamed per case). */
function fullPatch(c: Case): Obj {
  const t = c.target as { apiVersion: string; kind: string; metadata: { name: string } };
  const head = { apiVersion: t.apiVersion, kind: t.kind, metadata: { name: t.metadata.name } };
  if (typeof c.patch === 'string') return { ...head, ...(yaml.load(c.patch) as Obj) };
  const p = c.patch;
  return { ...head, ...p, metadata: { ...head.metadata, ...(p.metadata as Obj | undefined) } };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

if (!hasKubectl) console.warn('strategic-merge.test.ts: kubectl is not on PATH; the cases checked against `kubectl kustomize` are skipped');

const TABLE_CASES = tableCases();
/** The table's kubectl build, started with the first one so that both run at once. */
let tableResults: Promise<KubectlResult[]> | undefined;

describe.skipIf(!hasKubectl)('strategicMerge against kubectl kustomize', () => {
  let results: KubectlResult[] = [];
  beforeAll(async () => {
    tableResults = kustomizeCases(TABLE_CASES.map((c) => ({ target: c.target, patch: c.patch })));
    results = await kustomizeCases(CASES.map((c) => ({ target: c.target, patch: c.patch, alone: c.refused !== undefined })));
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const expected = results[i] as KubectlResult;
    const patch = fullPatch(c);
    const run = () => strategicMerge(deepFreeze(structuredClone(c.target)), deepFreeze(structuredClone(patch)), gvkOf(c.target));
    if ('error' in expected) {
      expect(c.refused, `kubectl refused (${c.why}): ${expected.error}`).toBeDefined();
      let thrown: unknown;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(StrategicMergeError);
      expect((thrown as StrategicMergeError).pointer).toBe(c.refused?.pointer);
      return;
    }
    expect(c.refused, `kubectl accepted a case marked refused (${c.why})`).toBeUndefined();
    let got = run();
    // Kustomize keeps the target's name and namespace and kind (its caller's job, not the merge's).
    if (got && expected.object) got = { ...got, kind: expected.object.kind, metadata: { ...(got.metadata as Obj), name: (expected.object.metadata as Obj).name } };
    expect(got, c.why).toEqual(expected.object);
  });
});

/**
 * One case per merged list of merge-keys.ts: a target holding two elements there, a patch
 * naming one of them and a new one. kubectl merges them only if kyaml has the same merge key.
 */
function tableCases(): Case[] {
  const entries = mergedListPaths();
  const keysOf = new Map(entries.map((e) => [`${e.apiVersion} ${e.kind} ${e.path.join('.')}`, e.keys]));
  const element = (keys: readonly string[], id: string, extra: Obj): unknown => {
    if (keys.length === 0) return id;
    return { [keys[0] as string]: id, ...extra };
  };
  // Builds the object holding `leaf` at `path`, list segments ('*') as one-element lists.
  const build = (apiVersion: string, kind: string, path: string[], leaf: unknown): Obj => {
    const root: Obj = {};
    let node: Obj = root;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i] as string;
      if (path[i + 1] === '*') {
        const keys = keysOf.get(`${apiVersion} ${kind} ${path.slice(0, i + 1).join('.')}`) ?? [];
        const child: Obj = { [keys[0] as string]: 'parent' };
        node[seg] = [child];
        node = child;
        i++;
      } else {
        const child: Obj = {};
        node[seg] = child;
        node = child;
      }
    }
    node[path[path.length - 1] as string] = leaf;
    return root;
  };
  // Metadata lists are the same type everywhere: finalizers once per kind (which checks that
  // kyaml knows the kind), the rest once, in a Deployment.
  const wanted = entries.filter((e) => {
    const last = e.path[e.path.length - 1];
    if (e.kind === 'Deployment') return true;
    if (last === 'ownerReferences') return false;
    return !(last === 'finalizers' && e.path.length > 2);
  });
  return wanted.map((e) => {
    const target = build(e.apiVersion, e.kind, e.path, [element(e.keys, 'one', { v: 1 }), element(e.keys, 'two', { v: 2 })]);
    const patch = build(e.apiVersion, e.kind, e.path, [element(e.keys, 'new', { v: 3 }), element(e.keys, 'two', { w: 4 })]);
    const metadata = { ...((target.metadata as Obj | undefined) ?? {}), name: 'app' };
    return {
      name: `${e.apiVersion} ${e.kind} ${e.path.join('.')} [${e.keys.join(',')}]`,
      why: 'the merge key of this list in the table is kyaml\'s',
      target: { apiVersion: e.apiVersion, kind: e.kind, ...target, metadata },
      patch,
    };
  });
}

describe.skipIf(!hasKubectl)('every merged list of merge-keys.ts against kubectl kustomize', () => {
  const cases = TABLE_CASES;
  let results: KubectlResult[] = [];
  beforeAll(async () => {
    results = await (tableResults ?? kustomizeCases(cases.map((c) => ({ target: c.target, patch: c.patch }))));
  });

  it('covers the pod template of every workload kind', () => {
    const names = cases.map((c) => c.name);
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'PodTemplate', 'ReplicationController']) {
      expect(names.some((n) => n.includes(` ${kind} `) && n.includes('containers.*.env [name]'))).toBe(true);
    }
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const expected = results[i] as KubectlResult;
    if ('error' in expected) throw new Error(`kubectl refused: ${expected.error}`);
    const got = strategicMerge(c.target, fullPatch(c), gvkOf(c.target));
    expect(got).toEqual(expected.object);
    // And it did merge (the target's first element is still there), so the case is not vacuous.
    expect(JSON.stringify(got)).toContain('one');
  });
});

describe('strategicMerge without kubectl', () => {
  it('leaves both inputs untouched and shares what it does not change', () => {
    const target = deepFreeze(deployment(twoContainers, { metadata: meta({ labels: { a: '1' } }) })) as Obj;
    const patch = deepFreeze({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', labels: { b: '2' } } }) as Obj;
    const before = JSON.stringify([target, patch]);
    const out = strategicMerge(target, patch, gvkOf(target)) as Obj;
    expect(JSON.stringify([target, patch])).toBe(before);
    expect((out.metadata as Obj).labels).toEqual({ a: '1', b: '2' });
    expect(out.spec).toBe(target.spec);
  });

  it('returns undefined for a top-level $patch: delete', () => {
    expect(strategicMerge(deployment(twoContainers), { $patch: 'delete' }, gvkOf(deployment({})))).toBeUndefined();
  });

  it('names the place of a bad directive in the patch', () => {
    const patch = podPatch({ containers: [{ name: 'app', env: [{ name: 'A', $patch: 'remove' }] }] });
    let thrown: unknown;
    try {
      strategicMerge(deployment(twoContainers), patch, gvkOf(deployment({})));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StrategicMergeError);
    expect((thrown as StrategicMergeError).pointer).toBe('/spec/template/spec/containers/0/env/0/$patch');
    expect((thrown as StrategicMergeError).message).toContain("unknown patch strategy 'remove'");
  });

  it('knows the merge keys of the pod spec and of metadata', () => {
    const pod = schemaForKind('apps/v1', 'Deployment');
    expect(pod).toBeDefined();
    const lines = mergedListPaths()
      .filter((e) => e.apiVersion === 'apps/v1' && e.kind === 'Deployment')
      .map((e) => `${e.path.join('.')} [${e.keys.join(',')}]`);
    expect(lines).toContain('spec.template.spec.containers [name]');
    expect(lines).toContain('spec.template.spec.containers.*.ports [containerPort,protocol]');
    expect(lines).toContain('spec.template.spec.volumes [name]');
    expect(lines).toContain('metadata.finalizers []');
    expect(schemaForKind('example.com/v1', 'Widget')).toBeUndefined();
  });
});
