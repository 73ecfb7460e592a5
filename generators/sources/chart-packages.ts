/** The packages a team's chart may import; everything else it imports is from manifests/ and bundled (workspace/charts.ts). */
export const CHART_PACKAGE_NAMES = ['cdk8s', 'cdk8s-plus-33', 'constructs'] as const;
