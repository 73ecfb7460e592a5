// What differs between tiers, kept apart from the chart: a module the chart imports is part of
// its cache key, like the chart itself.
import { Size } from 'cdk8s';

export function statusPageSettings(tier: string): { replicas: number; memory: Size } {
  return tier === 'production' ? { replicas: 2, memory: Size.mebibytes(256) } : { replicas: 1, memory: Size.mebibytes(128) };
}
