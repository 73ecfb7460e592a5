/**
 * The infrastructure policy pack: `pulumi preview --policy-pack infra/policy` (run in infra/,
 * or pass the path from wherever you are). The rules live in ./rules as plain functions; this
 * file only wraps them for the Pulumi policy engine.
 */
import { PolicyPack, type Policies, type PolicyResource as EnginePolicyResource, type ResourceValidationArgs } from '@pulumi/policy';
import { rules, type PolicyResource } from './rules';

function fromResourceArgs(args: ResourceValidationArgs): PolicyResource {
  return { type: args.type, name: args.name, urn: args.urn, props: args.props as Record<string, unknown> };
}

function fromStackResource(r: EnginePolicyResource): PolicyResource {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[k] = deps.map((d) => d.urn);
  return { type: r.type, name: r.name, urn: r.urn, props: r.props as Record<string, unknown>, propertyDependencies };
}

const policies: Policies = [];
for (const rule of rules) {
  const check = rule.resource;
  if (check) {
    policies.push({
      name: rule.name,
      description: rule.description,
      enforcementLevel: rule.enforcementLevel,
      validateResource: (args, reportViolation) => check(fromResourceArgs(args)).forEach((message) => reportViolation(message)),
    });
  }
  const checkStack = rule.stack;
  if (checkStack) {
    policies.push({
      name: `${rule.name}-stack`,
      description: `${rule.description} (checked across the stack's resources)`,
      enforcementLevel: rule.enforcementLevel,
      validateStack: (args, reportViolation) => checkStack(args.resources.map(fromStackResource)).forEach((v) => reportViolation(v.message, v.urn)),
    });
  }
}

new PolicyPack('gitops-bridge-infra', { policies });
