/**
 * One ApplicationSet per environment, turning each directory `<env>/<dir>` of the `rendered`
 * branch into one Application. Pure.
 *
 * How each generated Application knows where to go:
 * - The git directory generator matches `<env>/*` (Go path.Match: `*` never crosses `/`), so it
 *   yields exactly the environment's directories: its apps, cluster-metadata and namespaces.
 *   Nothing else can match: argocd/ (the hub's own objects) and every other environment sit
 *   under other first segments, and no environment can be named argocd (a reserved name).
 * - Cluster, project and sync policy are the environment's, known when the ApplicationSet is
 *   rendered, so they are literals: one ApplicationSet per environment keeps prod's manual sync
 *   and dev's automated sync apart without templating them, and bounds what a broken
 *   ApplicationSet can affect to one environment.
 * - The namespace is per directory and is not the directory's name (orders-api and
 *   orders-worker share `orders`; cluster-metadata goes to argocd). The render knows it, so the
 *   generator carries it in `values` (directory -> namespace) and the template looks the
 *   directory up. A directory missing from that table (the branch moved ahead of the
 *   ApplicationSet the hub has applied: both come from the same commit, but the bootstrap
 *   Application applies argocd/ a moment later) fails the template on purpose: the
 *   ApplicationSet reports the error and changes no Application until argocd/ catches up,
 *   instead of deploying to a guessed namespace. The table lives in the ApplicationSet rather
 *   than in a config file inside each app directory, because Argo CD parses every
 *   .yaml/.yml/.json there as a manifest and the layout keeps app directories manifests only.
 */
import type { IApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import type { KubeObject } from '../charts/object.js';
import type { EnvironmentPlan } from './plan.js';
import { CLUSTER_METADATA_NAME } from '../metadata/cluster-metadata.js';
import { activeBranch, BOOTSTRAP_APP, DIRECTORY_LABEL, MANAGED_BY_LABELS, RESOURCES_FINALIZER, type ArgoCdSettings } from './settings.js';

type Template = IApplicationSet['spec']['template'];
type SyncPolicy = NonNullable<Template['spec']['syncPolicy']>;

/** Name of the Application generated for a directory of an environment. */
export function applicationName(env: string, directory: string): string {
  return `${env}-${directory}`;
}

/** Go template: the directory's namespace from the generator's values, or a render error naming the directory. */
export function namespaceLookup(applicationSet: string): string {
  const why = `%s has no namespace in ApplicationSet ${applicationSet}: the branch is ahead of the hub; sync the Application ${BOOTSTRAP_APP}`;
  return `{{ with index .values .path.basename }}{{ . }}{{ else }}{{ fail (printf "${why}" .path.path) }}{{ end }}`;
}

/** The syncOptions every generated Application gets. */
export function syncOptions(): string[] {
  return [
    // Namespaces come from the environment's namespaces unit (with their quotas and default-deny
    // policy); only cluster-metadata's argocd namespace, which no unit renders, is created on demand.
    `CreateNamespace={{ eq .path.basename "${CLUSTER_METADATA_NAME}" }}`,
    // Two Applications claiming one resource is a layout bug: fail instead of fighting over it.
    'FailOnSharedResource=true',
    // Delete what left the branch only once everything else of the sync is applied and healthy.
    'PruneLast=true',
    // Keep the fields listed in ignoreDifferences (the replicas an HPA owns, a canary's traffic weights) as they are live.
    'RespectIgnoreDifferences=true',
  ];
}

/**
 * Where an environment's Applications read: `<env>/*` of the `rendered` branch, or, with
 * environment branches, the root directories of the environment's active branch (what its
 * last merged promotion holds; the proposed `-next` branch is never deployed).
 */
export function environmentSource(env: string, settings: ArgoCdSettings): { revision: string; directories: string } {
  return settings.layout === 'environment-branches' ? { revision: activeBranch(env), directories: '*' } : { revision: settings.targetRevision, directories: `${env}/*` };
}

export function applicationSet(plan: EnvironmentPlan, settings: ArgoCdSettings): KubeObject {
  const env = plan.env;
  const source = environmentSource(env.name, settings);
  const sync = env.spec.sync ?? {};
  const syncPolicy: SyncPolicy = {
    // Environments that ask for it (dev, staging) sync on every commit, prune what left the branch
    // and revert drift; the others (prod) wait for a person to press Sync. Never sync an empty
    // directory automatically: that would prune a whole app.
    ...(sync.automated === true && { automated: { prune: sync.prune === true, selfHeal: sync.selfHeal === true, allowEmpty: false } }),
    syncOptions: syncOptions(),
    // Applications of one environment sync independently; an app synced before the namespaces
    // unit has created its namespace fails and is retried with backoff until it exists.
    retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
  };
  const template: Template = {
    metadata: {
      name: applicationName(env.name, '{{ .path.basename }}'),
      labels: {
        ...MANAGED_BY_LABELS,
        environment: env.name,
        tier: env.spec.tier,
        [DIRECTORY_LABEL]: '{{ .path.basename }}',
      },
    },
    spec: {
      project: plan.project,
      source: {
        repoURL: settings.repoURL,
        targetRevision: source.revision,
        path: '{{ .path.path }}',
        // Plain manifests, read as they are: never detected as Helm or Kustomize, and only the
        // .yaml files (the branch adds README.md and hydrator.metadata beside them).
        directory: { recurse: false, include: '*.yaml' },
      },
      destination: { name: plan.clusterName, namespace: namespaceLookup(env.name) },
      // An HPA owns its workload's replica count: neither diff nor sync it. Only the workloads an
      // HPA scales are listed, so a replicas change in git still syncs everywhere else. Likewise
      // the Argo Rollouts controller owns the weights of a canary's Ingress action annotation
      // during an update: a sync (or self-heal) putting git's all-on-stable back would undo it.
      ...(plan.scaledTargets.length + plan.routedIngresses.length > 0 && {
        ignoreDifferences: [
          ...plan.scaledTargets.map((t) => ({ group: t.group, kind: t.kind, name: t.name, namespace: t.namespace, jsonPointers: ['/spec/replicas'] })),
          ...plan.routedIngresses.map((t) => ({ group: t.group, kind: t.kind, name: t.name, namespace: t.namespace, jsonPointers: [`/metadata/annotations/${t.annotation.replace(/~/g, '~0').replace(/\//g, '~1')}`] })),
        ],
      }),
      syncPolicy,
    },
  };
  const object: IApplicationSet = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: {
      name: env.name,
      namespace: settings.namespace,
      labels: { ...MANAGED_BY_LABELS, environment: env.name },
      // With create-update, deleting the ApplicationSet orphans its Applications instead of
      // deleting them (the controller strips their owner references before letting it go).
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        {
          git: {
            repoURL: settings.repoURL,
            revision: source.revision,
            directories: [{ path: source.directories }],
            values: Object.fromEntries(plan.destinations),
          },
        },
      ],
      syncPolicy: {
        // Create and update Applications, never delete one: a directory gone from the branch
        // leaves its Application (reporting the missing path) for a person to delete.
        applicationsSync: 'create-update',
        // Deleting an Application (or this ApplicationSet) never deletes what it deployed.
        preserveResourcesOnDeletion: true,
      },
      template,
    },
  };
  return object as unknown as KubeObject;
}
