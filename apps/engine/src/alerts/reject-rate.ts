/** Settings of the reject-rate alert: venue rejects above `thresholdPct` of orders sent over a sliding window. */
export interface RejectRateOptions {
  windowMs: number;
  /** Raise above this percentage of the orders sent to a venue within the window. */
  thresholdPct: number;
  /** Cleared again at or below this percentage (hysteresis; default half the threshold). */
  clearPct?: number;
  /** No verdict on fewer orders sent than this within the window (and a raised alert clears). */
  minOrders: number;
}

export interface RejectRateReading {
  venueId: string;
  sent: number;
  rejected: number;
  pct: number;
}

/**
 * Venue rejects per orders sent, per venue, over a sliding window: pure (times are given), so the
 * monitor around it decides when to raise and clear. Raise above the threshold with enough orders;
 * clear at or below the clear level, or when too few orders remain in the window.
 */
export class RejectRateWindow {
  private readonly sent = new Map<string, number[]>();
  private readonly rejected = new Map<string, number[]>();

  constructor(readonly options: RejectRateOptions) {}

  recordSent(venueId: string, atMs: number): void {
    push(this.sent, venueId, atMs);
  }

  recordRejected(venueId: string, atMs: number): void {
    push(this.rejected, venueId, atMs);
  }

  readings(nowMs: number): RejectRateReading[] {
    const from = nowMs - this.options.windowMs;
    const venues = new Set([...this.sent.keys(), ...this.rejected.keys()]);
    return [...venues].map((venueId) => {
      const sent = prune(this.sent, venueId, from);
      const rejected = prune(this.rejected, venueId, from);
      return { venueId, sent, rejected, pct: sent === 0 ? 0 : (rejected / sent) * 100 };
    });
  }

  breached(r: RejectRateReading): boolean {
    return r.sent >= this.options.minOrders && r.pct > this.options.thresholdPct;
  }

  cleared(r: RejectRateReading): boolean {
    return r.sent < this.options.minOrders || r.pct <= (this.options.clearPct ?? this.options.thresholdPct / 2);
  }
}

function push(map: Map<string, number[]>, key: string, atMs: number): void {
  const list = map.get(key);
  if (list) list.push(atMs);
  else map.set(key, [atMs]);
}

function prune(map: Map<string, number[]>, key: string, from: number): number {
  const list = map.get(key);
  if (!list) return 0;
  let drop = 0;
  while (drop < list.length && (list[drop] ?? 0) < from) drop += 1;
  if (drop > 0) list.splice(0, drop);
  return list.length;
}
