/** Code that needs "now" takes a Clock, so tests control time. */
export interface Clock {
  /** UTC wall clock, ISO-8601 with microseconds: 2026-11-25T09:00:00.123456Z */
  nowIso(): string;
  /** Monotonic microseconds, for latency only. */
  monoUs(): number;
  nowMs(): number;
}
