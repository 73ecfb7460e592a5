/**
 * The API server's own validation of one rendered object, run after the schema: what
 * `kubectl apply` would be refused with although the object has the right shape (Kubernetes 1.33:
 * apimachinery's name and label formats, ObjectMeta, and the core, apps, batch, autoscaling,
 * policy and networking validation of the kinds a fleet renders). Findings are of the
 * `kubernetes-api` rule: mandatory, never exempted, not an environment setting (an exemption
 * cannot make the API server accept an object). Cross-object rules (selectors and scale targets
 * that resolve) are the `references-resolve` policy, which an exemption can lift.
 *
 * Cost, measured with bench/check.ts (the example fleet copied to 15,000 objects, these machines):
 * about 60 ms for these rules alone, against about 170 ms for the schema and 0.5 to 0.8 s for
 * the whole check. Pure.
 */
import type { KubeObject } from '../../charts/object.js';
import type { Finding } from '../policies/types.js';
import { validateKind } from './kinds.js';
import { dataProblems, sizeProblems, validateMetadata } from './metadata.js';
import { validatePods } from './pod-spec.js';

/** The rule id of the API server's validation, beside kubernetes-schema. */
export const API_RULE = 'kubernetes-api';

/** What the API server would refuse in `object`, in the order found. */
export function validateApiObject(object: KubeObject): Finding[] {
  const out: Finding[] = [];
  const report = (f: Finding) => void out.push(f);
  if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') return out;
  validateMetadata(object, report);
  validatePods(object, report);
  validateKind(object, report);
  // A ConfigMap's or Secret's size is its data's, whose limit is the API server's own (dataProblems).
  if (object.kind === 'ConfigMap' || object.kind === 'Secret') dataProblems(object, report);
  else sizeProblems(object, report);
  return out;
}
