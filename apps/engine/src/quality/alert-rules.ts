/**
 * Alert rules over execution-quality aggregates on a sliding window (pure): which metric, which venue
 * (or every venue), the threshold that raises, the level that clears (hysteresis), the window and the
 * fewest orders in it for a verdict. Rules are set by the risk role (console_quality_alert_rule).
 */
export const QUALITY_METRICS = ["ackLatencyP99Ms", "rejectRatePct", "slippageBps"] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/** The alert code of each metric (the alert centre deduplicates by code and subject `<rule id>:<venue>`). */
export const QUALITY_ALERT_CODES: Record<QualityMetric, string> = {
  ackLatencyP99Ms: "QUALITY_ACK_LATENCY",
  rejectRatePct: "QUALITY_REJECT_RATE",
  slippageBps: "QUALITY_SLIPPAGE",
};

export const METRIC_LABEL: Record<QualityMetric, { what: string; unit: string }> = {
  ackLatencyP99Ms: { what: "p99 ack latency", unit: "ms" },
  rejectRatePct: { what: "reject rate", unit: "%" },
  slippageBps: { what: "average arrival slippage (notional-weighted)", unit: "bps" },
};

export interface QualityAlertRule {
  id: string;
  metric: QualityMetric;
  /** One venue, or null for every venue (one alert per venue). */
  venue: string | null;
  /** Raise above this. */
  threshold: number;
  /** Clear at or below this (≤ threshold). */
  clearBelow: number;
  windowMs: number;
  minOrders: number;
  enabled: boolean;
}

/** A metric over the window for one venue: its value (null without samples) and the samples behind it. */
export interface Reading {
  venue: string;
  value: number | null;
  n: number;
}

export type Verdict = "raise" | "clear" | "hold";

/**
 * Hysteresis: raise when not open, with at least `minOrders` samples and the value above the
 * threshold; clear when open and the value is back at or below `clearBelow`, or too few samples
 * remain in the window (no verdict is no alarm). Between the two levels nothing changes.
 */
export function verdict(rule: QualityAlertRule, open: boolean, reading: Reading | undefined): Verdict {
  const n = reading?.n ?? 0;
  const value = reading?.value ?? null;
  if (!open) return rule.enabled && n >= rule.minOrders && value !== null && value > rule.threshold ? "raise" : "hold";
  if (!rule.enabled || n < rule.minOrders || value === null || value <= rule.clearBelow) return "clear";
  return "hold";
}

export function alertSubject(rule: Pick<QualityAlertRule, "id">, venue: string): string {
  return `${rule.id}:${venue}`;
}

export function describeReading(rule: QualityAlertRule, r: Reading): string {
  const { what, unit } = METRIC_LABEL[rule.metric];
  const v = r.value === null ? "n/a" : `${Number(r.value.toFixed(2))} ${unit}`;
  return `${r.venue} ${what} ${v} over ${r.n} orders in the last ${rule.windowMs / 1000} s`;
}
