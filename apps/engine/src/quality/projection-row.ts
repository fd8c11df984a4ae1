import { type Decimal, money } from "@fillmore/shared";
import type { ExecutionMetrics } from "./metrics";

/**
 * Rule 605 (2024 amendments) order-size categories by notional value: the order quantity times its
 * arrival mid (or the decision mid, or the limit price when there is no quote).
 */
export const SIZE_BUCKETS = [
  { id: "lt250", below: "250" },
  { id: "250-1k", below: "1000" },
  { id: "1k-5k", below: "5000" },
  { id: "5k-20k", below: "20000" },
  { id: "20k-50k", below: "50000" },
  { id: "50k-200k", below: "200000" },
  { id: "ge200k", below: null },
] as const;
export type SizeBucket = (typeof SIZE_BUCKETS)[number]["id"] | "unknown";

export function sizeBucket(orderNotional: Decimal | null): SizeBucket {
  if (orderNotional === null) return "unknown";
  for (const b of SIZE_BUCKETS) if (b.below === null || money.lt(orderNotional, b.below)) return b.id;
  return "unknown";
}

/** One `execution_metrics` row, in column order (COLUMNS). */
export const COLUMNS = [
  ["order_id", "text"],
  ["account_id", "text"],
  ["symbol", "text"],
  ["side", "text"],
  ["order_type", "text"],
  ["venue", "text"],
  ["strategy", "text"],
  ["status", "text"],
  ["size_bucket", "text"],
  ["received_at", "timestamptz"],
  ["submitted_at", "timestamptz"],
  ["first_fill_at", "timestamptz"],
  ["completed_at", "timestamptz"],
  ["sent", "boolean"],
  ["rejected", "boolean"],
  ["denied", "boolean"],
  ["cancelled_unfilled", "boolean"],
  ["fully_filled", "boolean"],
  ["order_qty", "numeric"],
  ["filled_qty", "numeric"],
  ["notional", "numeric"],
  ["order_notional", "numeric"],
  ["arrival_mid", "numeric"],
  ["avg_px", "numeric"],
  ["latency_ms", "float8"],
  ["first_fill_ms", "float8"],
  ["slippage_cost", "numeric"],
  ["slippage_bench", "numeric"],
  ["slippage_bps", "float8"],
  ["effective_spread_bps", "float8"],
  ["markout_1s", "numeric"],
  ["markout_5s", "numeric"],
  ["markout_60s", "numeric"],
  ["fees", "numeric"],
  ["updated_seq", "int8"],
] as const;

const num = (d: Decimal | null): number | null => (d === null ? null : Number(d));

/** The projection row of one order's metrics (pure). `seq`: the last journal seq the metrics include. */
export function metricsRow(m: ExecutionMetrics, seq: number): unknown[] {
  const s = m.side === "Buy" ? "1" : "-1";
  const reference = m.arrivalMid ?? m.decisionQuote?.mid ?? m.requestedPrice;
  const orderNotional = reference ? money.normalize(money.mul(m.orderQty, reference)) : null;
  const filled = !money.isZero(m.filledQty);
  const bench = filled && m.arrivalMid ? money.normalize(money.mul(m.filledQty, m.arrivalMid)) : null;
  const cost = bench !== null ? money.normalize(money.mul(s, money.sub(m.notional, bench))) : null;
  const markout = (h: number) => m.markouts.find((x) => x.horizonMs === h)?.amount ?? null;
  const sent = m.submissionTime !== null;
  const rejected = m.status === "OrderRejected";
  return [
    m.orderId,
    m.accountId,
    m.symbol,
    m.side,
    m.orderType,
    m.broker ?? "(none)",
    m.strategy,
    m.status,
    sizeBucket(orderNotional),
    m.decisionTime,
    m.submissionTime,
    m.firstFillTime,
    m.completionTime,
    sent,
    rejected,
    m.status === "OrderDenied",
    (m.status === "OrderCancelled" || m.status === "OrderExpired") && money.lt(m.filledQty, m.orderQty),
    !money.isZero(m.orderQty) && money.gte(m.filledQty, m.orderQty),
    m.orderQty,
    m.filledQty,
    m.notional,
    orderNotional,
    m.arrivalMid,
    m.averageFillPrice,
    rejected ? null : num(m.latencyMs),
    num(m.timeToFirstFillMs),
    cost,
    bench,
    num(m.slippageBps),
    num(m.effectiveSpreadBps),
    markout(1_000),
    markout(5_000),
    markout(60_000),
    m.commissions,
    seq,
  ];
}

/** Column-major arrays of rows, for `INSERT ... SELECT * FROM unnest(...)`. */
export function upsertStatement(rows: readonly unknown[][]): { text: string; values: unknown[][] } {
  const values: unknown[][] = COLUMNS.map(() => []);
  for (const row of rows) for (const [i, v] of row.entries()) values[i]?.push(v);
  const names = COLUMNS.map(([c]) => c);
  const params = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  return {
    text: `INSERT INTO execution_metrics (${names.join(", ")}) SELECT * FROM unnest(${params})
      ON CONFLICT (order_id) DO UPDATE SET ${names
        .filter((c) => c !== "order_id")
        .map((c) => `${c} = excluded.${c}`)
        .join(", ")}`,
    values,
  };
}
