/**
 * How a workload's ServiceAccount gets its AWS role (`serviceAccount.aws.identity`): IRSA unless
 * the spec says pod-identity. A module of its own, without imports at run time, so the charts
 * (which render the ServiceAccount) read the same default as the infra program (which creates
 * the trust) without loading the spec loader.
 */
import type { AwsAccess } from './types.gen.js';

export type AwsIdentity = NonNullable<AwsAccess['identity']>;

/** The identity of an AwsAccess block: IRSA unless it says pod-identity. */
export function identityOf(access: Pick<AwsAccess, 'identity'>): AwsIdentity {
  return access.identity ?? 'irsa';
}
