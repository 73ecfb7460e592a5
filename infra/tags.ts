/**
 * Tags every taggable resource carries. A resource transformation adds them to each AWS
 * resource whose class has a `tags` input (the SDK lists the key even when unset, so the check
 * follows the provider schema instead of a hand-kept list); tags a resource sets itself (an
 * app role's team) win. The provider's defaultTags carry the same set as a second line.
 */
import type * as pulumi from '@pulumi/pulumi';

export const REQUIRED_TAGS = ['environment', 'managed-by', 'team', 'cost-center'] as const;

export type StandardTags = Record<(typeof REQUIRED_TAGS)[number], string>;

export function standardTags(environment: string, team: string, costCenter: string): StandardTags {
  return { environment, 'managed-by': 'pulumi', team, 'cost-center': costCenter };
}

/** The transformation: merges `tags` under the resource's own tags on every taggable AWS resource. */
export function tagTransformation(tags: StandardTags): pulumi.ResourceTransformation {
  return (args) => {
    if (!args.type.startsWith('aws:') || !('tags' in args.props)) return undefined;
    const own = args.props.tags as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    return { props: { ...args.props, tags: mergeTags(tags, own) }, opts: args.opts };
  };
}

function mergeTags(
  defaults: StandardTags,
  own: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
  if (own === undefined || own === null) return { ...defaults };
  // `own` may be an Output (duck-typed, so this module needs no runtime pulumi import).
  if (typeof (own as { apply?: unknown }).apply === 'function') {
    return (own as pulumi.Output<Record<string, string>>).apply((o) => ({ ...defaults, ...(o ?? {}) }));
  }
  return { ...defaults, ...(own as Record<string, pulumi.Input<string>>) };
}
