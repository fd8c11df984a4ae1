import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/routers/root";

type Out = inferRouterOutputs<AppRouter>["quality"];
type In = inferRouterInputs<AppRouter>["quality"];

export type QualityFilterValue = NonNullable<In["aggregates"]["filter"]>;
export type ComparisonData = Out["comparison"];
export type AggregatesData = Out["aggregates"];
export type TimeseriesData = Out["timeseries"];
export type DistributionData = Out["slippageDistribution"];
export type OrdersData = Out["orders"];
export type AlertRuleView = Out["alertRules"]["rules"][number];

/** One colour per venue, stable by name. */
const PALETTE = ["#4c8dff", "#2fbf71", "#e8b04a", "#f0596b", "#b57bff", "#39c5cf", "#ff8f4c", "#9aa5b8"];
export function venueColour(venue: string, venues: readonly string[]): string {
  const i = venues.indexOf(venue);
  return PALETTE[Math.max(i, 0) % PALETTE.length] ?? "#4c8dff";
}

export const AXIS = "#8591a3";
export const TOOLTIP_STYLE = { background: "#161b22", border: "1px solid #2a3240", color: "#d7dde6", fontSize: 12 } as const;

/** A figure for display: "—" when absent. */
export function fmt(v: number | null | undefined, digits = 2, unit = ""): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  return `${v.toFixed(digits)}${unit}`;
}
export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(digits)} %`);

export const SIZE_LABEL: Record<string, string> = {
  lt250: "< $250",
  "250-1k": "$250–1k",
  "1k-5k": "$1k–5k",
  "5k-20k": "$5k–20k",
  "20k-50k": "$20k–50k",
  "50k-200k": "$50k–200k",
  ge200k: "≥ $200k",
  unknown: "unknown",
};

/** The latency percentile the page charts and exports. */
export type Percentile = "p50" | "p95" | "p99";
