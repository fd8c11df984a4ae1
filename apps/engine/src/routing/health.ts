import type { HealthState } from "@fillmore/shared";

export type { HealthState };

export interface HealthThresholds {
  /** Acknowledgement latency (EWMA, ms) above which a venue is DEGRADED. */
  degradedAckMs: number;
  /** Share of submissions rejected (EWMA) above which a venue is DEGRADED. */
  degradedRejectRate: number;
  /** Consecutive observations needed to change state (hysteresis). */
  confirmations: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { degradedAckMs: 250, degradedRejectRate: 0.2, confirmations: 3 };

export interface HealthSample {
  connected: boolean;
  ackEwmaMs: number;
  rejectRate: number;
}

export interface HealthStatus {
  state: HealthState;
  /** The state the samples point to, and how many in a row have; it takes over at `confirmations`. */
  candidate: HealthState;
  streak: number;
}

/** What one sample says, before hysteresis. A lost connection is DOWN at once. */
export function classify(sample: HealthSample, t: HealthThresholds): HealthState {
  if (!sample.connected) return "DOWN";
  return sample.ackEwmaMs > t.degradedAckMs || sample.rejectRate > t.degradedRejectRate ? "DEGRADED" : "UP";
}

/** Moves the state only after `confirmations` agreeing samples, except that DOWN applies at once. */
export function nextHealth(current: HealthStatus, sample: HealthSample, t: HealthThresholds = DEFAULT_THRESHOLDS): HealthStatus {
  const seen = classify(sample, t);
  if (seen === "DOWN") return { state: "DOWN", candidate: "DOWN", streak: t.confirmations };
  if (seen === current.state) return { state: current.state, candidate: seen, streak: 0 };
  const streak = seen === current.candidate ? current.streak + 1 : 1;
  return streak >= t.confirmations ? { state: seen, candidate: seen, streak: 0 } : { state: current.state, candidate: seen, streak };
}

/** Exponentially weighted moving average. */
export const ewma = (previous: number, value: number, alpha = 0.2): number => previous + alpha * (value - previous);
