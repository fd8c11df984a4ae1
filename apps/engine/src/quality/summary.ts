import { type Decimal, money } from "@fillmore/shared";
import { BPS_PLACES, type ExecutionMetrics, MARKOUT_HORIZONS_MS } from "./metrics";

/** Aggregates of per-order metrics by venue (docs/EXECUTION-QUALITY.md §Aggregates): rates are ratios of sums. */
export interface VenueSummary {
  venue: string;
  orders: number;
  /** Orders sent to a venue (a submission time). */
  sent: number;
  filledOrders: number;
  rejected: number;
  denied: number;
  cancelledUnfilled: number;
  orderedQty: Decimal;
  filledQty: Decimal;
  notional: Decimal;
  /** ΣQ/ΣX. */
  fillRate: Decimal | null;
  /** Share of orders fully filled. */
  fullyFilledRate: Decimal | null;
  /** Rejected ÷ sent. */
  rejectRate: Decimal | null;
  /** Cancelled or expired with Q < X ÷ sent and not rejected. */
  cancelRate: Decimal | null;
  /** H2 ack latency, ms, nearest-rank percentiles over one sample per order. */
  latencyMs: { n: number; p50: Decimal | null; p95: Decimal | null; p99: Decimal | null; p999: Decimal | null };
  /** Notional-weighted arrival slippage: Σ s(Σq·p − Q·M0) ÷ Σ Q·M0, bps, + cost; over orders with a benchmark. */
  slippageBps: Decimal | null;
  slippageOrders: number;
  /** Volume-weighted markouts per horizon: Σ Σq·m ÷ Σ Σq·p, bps, + favourable; over orders sampled at that horizon. */
  markoutsBps: { horizonMs: number; bps: Decimal | null; orders: number }[];
  commissions: Decimal;
}

export interface SummaryFilter {
  venue?: string;
  symbol?: string;
}

/** Nearest-rank percentile: the value at rank ⌈p·n⌉ of the ascending samples. */
export function nearestRank(sorted: readonly Decimal[], p: number): Decimal | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

const ratio = (a: Decimal, b: Decimal): Decimal | null => (money.isZero(b) ? null : money.normalize(money.div(a, b, 8)));
const ratioN = (a: number, b: number): Decimal | null => (b === 0 ? null : money.normalize(money.div(String(a), String(b), 8)));

export function summarize(metrics: readonly ExecutionMetrics[], filter: SummaryFilter = {}): VenueSummary[] {
  const byVenue = new Map<string, ExecutionMetrics[]>();
  for (const m of metrics) {
    const venue = m.broker ?? "(none)";
    if (filter.venue && venue !== filter.venue) continue;
    if (filter.symbol && m.symbol !== filter.symbol) continue;
    const list = byVenue.get(venue) ?? [];
    list.push(m);
    byVenue.set(venue, list);
  }
  return [...byVenue.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([venue, list]) => summarizeVenue(venue, list));
}

function summarizeVenue(venue: string, list: readonly ExecutionMetrics[]): VenueSummary {
  let ordered = "0";
  let filled = "0";
  let notional = "0";
  let fees = "0";
  let sent = 0;
  let filledOrders = 0;
  let rejected = 0;
  let denied = 0;
  let cancelledUnfilled = 0;
  let slipCost = "0";
  let slipBench = "0";
  let slippageOrders = 0;
  const latencies: Decimal[] = [];
  const mk = MARKOUT_HORIZONS_MS.map((horizonMs) => ({ horizonMs, amount: "0", notional: "0", orders: 0 }));
  for (const m of list) {
    ordered = money.add(ordered, m.orderQty);
    filled = money.add(filled, m.filledQty);
    notional = money.add(notional, m.notional);
    fees = money.add(fees, m.commissions);
    if (m.submissionTime !== null) sent += 1;
    if (!money.isZero(m.orderQty) && money.gte(m.filledQty, m.orderQty)) filledOrders += 1;
    if (m.status === "OrderRejected") rejected += 1;
    if (m.status === "OrderDenied") denied += 1;
    if ((m.status === "OrderCancelled" || m.status === "OrderExpired") && money.lt(m.filledQty, m.orderQty)) cancelledUnfilled += 1;
    if (m.latencyMs !== null && m.status !== "OrderRejected") latencies.push(m.latencyMs);
    if (m.arrivalMid !== null && !money.isZero(m.filledQty)) {
      const bench = money.mul(m.filledQty, m.arrivalMid);
      const s = m.side === "Buy" ? "1" : "-1";
      slipCost = money.add(slipCost, money.mul(s, money.sub(m.notional, bench)));
      slipBench = money.add(slipBench, bench);
      slippageOrders += 1;
    }
    for (const row of mk) {
      const k = m.markouts.find((x) => x.horizonMs === row.horizonMs);
      if (k?.amount == null) continue;
      row.amount = money.add(row.amount, k.amount);
      row.notional = money.add(row.notional, m.notional);
      row.orders += 1;
    }
  }
  latencies.sort(money.cmp);
  const bps = (x: Decimal, r: Decimal) => (money.isZero(r) ? null : money.normalize(money.div(money.mul(x, "10000"), r, BPS_PLACES)));
  return {
    venue,
    orders: list.length,
    sent,
    filledOrders,
    rejected,
    denied,
    cancelledUnfilled,
    orderedQty: money.normalize(ordered),
    filledQty: money.normalize(filled),
    notional: money.normalize(notional),
    fillRate: ratio(filled, ordered),
    fullyFilledRate: ratioN(filledOrders, list.length),
    rejectRate: ratioN(rejected, sent),
    cancelRate: ratioN(cancelledUnfilled, sent - rejected),
    latencyMs: {
      n: latencies.length,
      p50: nearestRank(latencies, 0.5),
      p95: nearestRank(latencies, 0.95),
      p99: nearestRank(latencies, 0.99),
      p999: nearestRank(latencies, 0.999),
    },
    slippageBps: bps(slipCost, slipBench),
    slippageOrders,
    markoutsBps: mk.map((r) => ({ horizonMs: r.horizonMs, bps: bps(r.amount, r.notional), orders: r.orders })),
    commissions: money.normalize(fees),
  };
}
