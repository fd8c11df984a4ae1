/** An order's journaled event as `orders.get` returns it (see EventEnvelope in @fillmore/shared). */
export interface TimelineEvent {
  seq: number;
  /** UTC with microseconds: 2026-11-25T09:01:57.223848Z */
  ts: string;
  /** Monotonic microseconds, for latency. */
  monoUs: number;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface Milestone {
  key: "received" | "validated" | "sent" | "acknowledged" | "firstFill" | "done";
  label: string;
  event: TimelineEvent | undefined;
}

export interface Hop {
  from: Milestone;
  to: Milestone;
  /** Microseconds between the two, or null when either did not happen. */
  us: number | null;
}

const FILLS = new Set(["OrderPartiallyFilled", "OrderFilled"]);
const TERMINAL = new Set(["OrderFilled", "OrderCancelled", "OrderRejected", "OrderExpired", "OrderDenied"]);

/** The life of an order in six milestones: received → validated → sent → acknowledged → first fill → done. */
export function milestones(events: readonly TimelineEvent[]): Milestone[] {
  const first = (match: (e: TimelineEvent) => boolean) => events.find(match);
  return [
    { key: "received", label: "received", event: first((e) => e.type === "OrderReceived") },
    { key: "validated", label: "validated", event: first((e) => e.type === "OrderValidated" || e.type === "OrderDenied") },
    { key: "sent", label: "sent", event: first((e) => e.type === "OrderSubmitted") },
    { key: "acknowledged", label: "acknowledged", event: first((e) => e.type === "OrderAccepted" || e.type === "OrderRejected") },
    { key: "firstFill", label: "first fill", event: first((e) => FILLS.has(e.type)) },
    { key: "done", label: "done", event: first((e) => TERMINAL.has(e.type)) },
  ];
}

/**
 * The latency of each hop between milestones that happened, by monotonic time. A hop skips
 * milestones that did not happen (a denied order goes straight from validated to done).
 */
export function hops(marks: readonly Milestone[]): Hop[] {
  const out: Hop[] = [];
  for (let i = 1; i < marks.length; i += 1) {
    const to = marks[i];
    if (!to) continue;
    let j = i - 1;
    while (j > 0 && marks[j]?.event === undefined) j -= 1;
    const from = marks[j];
    if (!from) continue;
    const us = from.event && to.event ? to.event.monoUs - from.event.monoUs : null;
    out.push({ from, to, us });
  }
  return out;
}

/** Microseconds for people: "840 µs", "12.345 ms", "2.104 s". */
export function formatUs(us: number | null): string {
  if (us === null || !Number.isFinite(us)) return "—";
  const abs = Math.abs(us);
  if (abs < 1000) return `${Math.round(us)} µs`;
  if (abs < 1_000_000) return `${(us / 1000).toFixed(3)} ms`;
  return `${(us / 1_000_000).toFixed(3)} s`;
}

/** "2026-11-25 09:01:57.223848" from the journal's UTC timestamp, to the microsecond. */
export function formatTs(ts: string): string {
  return ts.replace("T", " ").replace(/Z$/, "");
}
