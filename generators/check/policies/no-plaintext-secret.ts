/** Secrets come from the secret store through ExternalSecrets; a Secret in git is a leak. */
import type { Policy } from './types.js';

/** Argo CD cluster Secrets (the gitops-bridge contract) hold no credential: awsAuthConfig and a CA. */
const ARGOCD_CLUSTER = (labels: Record<string, string> | undefined) => labels?.['argocd.argoproj.io/secret-type'] === 'cluster';

export const noPlaintextSecret: Policy = {
  id: 'no-plaintext-secret',
  description:
    'No Secret objects in rendered manifests: secrets come from the secret store through ExternalSecrets. Argo CD cluster Secrets are the exception (they hold awsAuthConfig and a CA, no credential; no-credentials still checks them).',
  level: 'mandatory',
  check(object, context) {
    if (object.kind !== 'Secret' || object.apiVersion !== 'v1' || ARGOCD_CLUSTER(object.metadata?.labels)) return [];
    // A Kustomize or chart app has no spec to declare it in: it brings the ExternalSecret itself.
    const brought = context.app?.kind === 'kustomize' || context.app?.kind === 'chart';
    return [
      {
        pointer: '',
        message: `Secret "${object.metadata?.name}" would put its data in git`,
        hint: brought
          ? `render an ExternalSecret (external-secrets.io) in its place (${context.app?.kind === 'chart' ? 'built by the chart' : 'listed under resources'}); it creates the Secret in the cluster from the secret store`
          : 'declare spec.externalSecrets in the app spec; the ExternalSecret creates the Secret in the cluster from the secret store',
        ...(!brought && { specPointer: '/spec/externalSecrets' }),
      },
    ];
  },
};
