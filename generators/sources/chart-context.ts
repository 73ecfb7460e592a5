/**
 * What a team's chart.ts gets: the public interface of chart apps. A chart.ts default-exports a
 * ChartFunction; it adds constructs (cdk8s-plus-33 L2 constructs, the `k8s` L1 classes, any
 * cdk8s ApiObject) to the Chart it is given. Types only: a chart imports them with
 * `import type`, which compiles to nothing.
 */
import type { Chart } from 'cdk8s';

export interface ChartContext {
  /** The environment the chart renders for. */
  readonly environment: { readonly name: string; readonly tier: string; readonly domain: string };
  /** The app: its name (its directory) and the namespace its objects go to (the Chart's default). */
  readonly app: { readonly name: string; readonly namespace: string };
  /**
   * The environment's bridge: the stack output `key` (infra/outputs/<env>.json). A key the
   * snapshot does not have stops the render with an error naming the chart's file and line.
   */
  bridge(key: string): string;
  /** Every bridge key the environment's snapshot has, sorted. */
  readonly bridgeKeys: readonly string[];
}

/** The default export of a chart.ts. */
export type ChartFunction = (chart: Chart, ctx: ChartContext) => void;
