import { SPLIT_PARENT_VENUE, stats } from "@fillmore/shared";
import { z } from "zod";

/**
 * SQL over the `execution_metrics` projection (packages/db/migrations/1764000000100_execution-metrics.sql),
 * which the engine keeps from the journal. Every query is indexed on received_at (plus venue, symbol or
 * strategy) and filtered by the caller's accounts. Definitions: docs/EXECUTION-QUALITY.md.
 */

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "an ISO-8601 date");
const name = z.string().min(1).max(64);

export const SIZE_BUCKETS = ["lt250", "250-1k", "1k-5k", "5k-20k", "20k-50k", "50k-200k", "ge200k", "unknown"] as const;
export const GROUP_BY = ["venue", "symbol", "strategy", "orderType", "side", "sizeBucket"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const qualityFilter = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    venue: name.optional(),
    symbol: z.string().min(1).max(32).optional(),
    strategy: name.optional(),
    orderType: z.enum(["MARKET", "LIMIT", "STOP", "STOP_LIMIT", "TRAILING_STOP"]).optional(),
    side: z.enum(["Buy", "Sell"]).optional(),
    sizeBucket: z.enum(SIZE_BUCKETS).optional(),
  })
  .strict()
  .refine((f) => !f.from || !f.to || Date.parse(f.from) < Date.parse(f.to), "from must be before to");
export type QualityFilter = z.infer<typeof qualityFilter>;

const COLUMN: Record<GroupBy, string> = {
  venue: "venue",
  symbol: "symbol",
  strategy: "coalesce(strategy, '(none)')",
  orderType: "order_type",
  side: "side",
  sizeBucket: "size_bucket",
};

export type Query = { text: string; values: unknown[] };

/**
 * WHERE for a filter and the caller's accounts (null: every account); placeholders from $1. A split
 * parent's row is left out and its children counted, so no share is counted twice (by symbol, a
 * 1,000-share split order was 2,000 shares ordered, and its fills twice in the slippage).
 */
export function whereOf(f: QualityFilter, accountIds: readonly string[] | null): Query {
  const values: unknown[] = [];
  const where: string[] = [`venue <> '${SPLIT_PARENT_VENUE}'`];
  const add = (sql: (p: string) => string, v: unknown) => {
    values.push(v);
    where.push(sql(`$${values.length}`));
  };
  if (f.from) add((p) => `received_at >= ${p}::timestamptz`, f.from);
  if (f.to) add((p) => `received_at < ${p}::timestamptz`, f.to);
  if (f.venue) add((p) => `venue = ${p}`, f.venue);
  if (f.symbol) add((p) => `symbol = ${p}`, f.symbol);
  if (f.strategy) add((p) => `strategy = ${p}`, f.strategy);
  if (f.orderType) add((p) => `order_type = ${p}`, f.orderType);
  if (f.side) add((p) => `side = ${p}`, f.side);
  if (f.sizeBucket) add((p) => `size_bucket = ${p}`, f.sizeBucket);
  if (accountIds) add((p) => `account_id = ANY(${p}::text[])`, [...accountIds]);
  return { text: where.length > 0 ? `WHERE ${where.join(" AND ")}` : "", values };
}

/** The measures of a group of orders: rates are ratios of sums; latency percentiles nearest-rank; slippage notional-weighted. */
const SUMS = `
  count(*)::int AS orders,
  count(*) FILTER (WHERE sent)::int AS sent,
  count(*) FILTER (WHERE rejected)::int AS rejected,
  count(*) FILTER (WHERE denied)::int AS denied,
  count(*) FILTER (WHERE cancelled_unfilled)::int AS cancelled,
  count(*) FILTER (WHERE fully_filled)::int AS fully_filled,
  sum(order_qty)::text AS order_qty,
  sum(filled_qty)::text AS filled_qty,
  sum(notional)::text AS notional,
  sum(fees)::text AS fees,
  (sum(filled_qty) / NULLIF(sum(order_qty), 0))::float8 AS fill_rate,
  (count(*) FILTER (WHERE rejected))::float8 / NULLIF(count(*) FILTER (WHERE sent), 0) AS reject_rate,
  (count(*) FILTER (WHERE cancelled_unfilled))::float8 / NULLIF(count(*) FILTER (WHERE sent AND NOT rejected), 0) AS cancel_rate,
  count(latency_ms)::int AS latency_n,
  count(slippage_bench)::int AS slippage_n,
  (10000 * sum(slippage_cost) / NULLIF(sum(slippage_bench), 0))::float8 AS slippage_bps,
  avg(slippage_bps) AS slippage_mean_bps,
  stddev_samp(slippage_bps) AS slippage_sd_bps,
  (10000 * sum(markout_1s) / NULLIF(sum(notional) FILTER (WHERE markout_1s IS NOT NULL), 0))::float8 AS markout_1s_bps,
  (10000 * sum(markout_5s) / NULLIF(sum(notional) FILTER (WHERE markout_5s IS NOT NULL), 0))::float8 AS markout_5s_bps,
  (10000 * sum(markout_60s) / NULLIF(sum(notional) FILTER (WHERE markout_60s IS NOT NULL), 0))::float8 AS markout_60s_bps,
  count(markout_5s)::int AS markout_n,
  (10000 * sum(fees) / NULLIF(sum(notional), 0))::float8 AS fees_bps`;

/** The measures that need each group's values in order (nearest-rank percentiles). */
const PERCENTILES = `
  percentile_disc(ARRAY[0.5, 0.95, 0.99, 0.999]) WITHIN GROUP (ORDER BY latency_ms) AS latency_pct,
  percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY slippage_bps) AS slippage_pct`;

const MEASURES = `${SUMS},${PERCENTILES}`;

interface MeasureRow {
  orders: number;
  sent: number;
  rejected: number;
  denied: number;
  cancelled: number;
  fully_filled: number;
  order_qty: string | null;
  filled_qty: string | null;
  notional: string | null;
  fees: string | null;
  fill_rate: number | null;
  reject_rate: number | null;
  cancel_rate: number | null;
  latency_n: number;
  latency_pct: (number | null)[] | null;
  slippage_n: number;
  slippage_bps: number | null;
  slippage_mean_bps: number | null;
  slippage_sd_bps: number | null;
  slippage_pct: (number | null)[] | null;
  markout_1s_bps: number | null;
  markout_5s_bps: number | null;
  markout_60s_bps: number | null;
  markout_n: number;
  fees_bps: number | null;
}

/** Fewer orders than this in a cell: shown, flagged low-sample, not ranked (docs/EXECUTION-QUALITY.md §Comparison). */
export const MIN_RANKED = 30;

export interface Measures {
  orders: number;
  sent: number;
  rejected: number;
  denied: number;
  cancelled: number;
  fullyFilled: number;
  orderQty: string;
  filledQty: string;
  notional: string;
  fees: string;
  fillRate: number | null;
  rejectRate: number | null;
  cancelRate: number | null;
  latencyMs: { n: number; p50: number | null; p95: number | null; p99: number | null; p999: number | null };
  /** Notional-weighted arrival slippage, bps, + cost; with the order-weighted mean, its 95 % Student-t CI (n ≥ 30), median and p90. */
  slippage: {
    n: number;
    bps: number | null;
    meanBps: number | null;
    /** Sample standard deviation of the per-order figures. */
    sdBps: number | null;
    ci95: [number, number] | null;
    medianBps: number | null;
    p90Bps: number | null;
  };
  /** Volume-weighted markouts, bps, + favourable. */
  markoutBps: { "1s": number | null; "5s": number | null; "60s": number | null; n: number };
  feesBps: number | null;
  /** Slippage + fees, bps of notional: what the ranking uses. */
  allInBps: number | null;
}

function measures(r: MeasureRow): Measures {
  const [p50, p95, p99, p999] = r.latency_pct ?? [];
  const sd = r.slippage_sd_bps;
  const ci: [number, number] | null =
    r.slippage_mean_bps !== null && sd !== null && r.slippage_n >= MIN_RANKED
      ? stats.summaryStats(r.slippage_n, r.slippage_mean_bps, sd).ci
      : null;
  return {
    orders: r.orders,
    sent: r.sent,
    rejected: r.rejected,
    denied: r.denied,
    cancelled: r.cancelled,
    fullyFilled: r.fully_filled,
    orderQty: r.order_qty ?? "0",
    filledQty: r.filled_qty ?? "0",
    notional: r.notional ?? "0",
    fees: r.fees ?? "0",
    fillRate: r.fill_rate,
    rejectRate: r.reject_rate,
    cancelRate: r.cancel_rate,
    latencyMs: { n: r.latency_n, p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null, p999: p999 ?? null },
    slippage: {
      n: r.slippage_n,
      bps: r.slippage_bps,
      meanBps: r.slippage_mean_bps,
      sdBps: sd,
      ci95: ci,
      medianBps: r.slippage_pct?.[0] ?? null,
      p90Bps: r.slippage_pct?.[1] ?? null,
    },
    markoutBps: { "1s": r.markout_1s_bps, "5s": r.markout_5s_bps, "60s": r.markout_60s_bps, n: r.markout_n },
    feesBps: r.fees_bps,
    allInBps: r.slippage_bps === null ? null : r.slippage_bps + (r.fees_bps ?? 0),
  };
}

export type Run = <T>(text: string, values: unknown[]) => Promise<T[]>;

/** Aggregates grouped by one dimension. */
export async function aggregates(run: Run, f: QualityFilter, accountIds: readonly string[] | null, groupBy: GroupBy) {
  const w = whereOf(f, accountIds);
  const rows = await run<MeasureRow & { key: string }>(
    `SELECT ${COLUMN[groupBy]} AS key, ${MEASURES} FROM execution_metrics ${w.text} GROUP BY 1 ORDER BY 1`,
    w.values,
  );
  return { groupBy, rows: rows.map((r) => ({ key: r.key, ...measures(r) })) };
}

export interface ComparisonRow extends Measures {
  venue: string;
  orderType: string;
  sizeBucket: string;
  /** 1 = lowest all-in cost among the ranked venues of the same order type and size bucket; null: not ranked. */
  rank: number | null;
  lowSample: boolean;
  /**
   * Against the cell's rank-1 venue: the difference of order-weighted mean slippage (this − best, bps)
   * with its Welch 95 % CI; `distinct` when the CI excludes 0 (otherwise the two are not told apart
   * by these samples). Null for the best venue itself and for unranked rows.
   */
  vsBest: { diffBps: number; ci95: [number, number]; df: number; distinct: boolean } | null;
}

/**
 * Broker comparison shaped like a Rule 605 table: venue × order type × size bucket over the same
 * filter (symbols, period), with sample counts. Within each order type × size bucket, venues with at
 * least MIN_RANKED orders with a benchmark are ranked by all-in cost (slippage + fees, bps).
 */
export async function comparison(run: Run, f: QualityFilter, accountIds: readonly string[] | null) {
  const w = whereOf(f, accountIds);
  type Cell = { venue: string; order_type: string; size_bucket: string };
  // Two queries at once: the sums (Postgres aggregates them in parallel workers) and the percentiles,
  // which read each cell's values in order from execution_metrics_cell_idx instead of sorting every row.
  const [sums, percentiles] = await Promise.all([
    run<Omit<MeasureRow, "latency_pct" | "slippage_pct"> & Cell>(
      `SELECT venue, order_type, size_bucket, ${SUMS} FROM execution_metrics ${w.text}
       GROUP BY venue, order_type, size_bucket ORDER BY order_type, size_bucket, venue`,
      w.values,
    ),
    run<Pick<MeasureRow, "latency_pct" | "slippage_pct"> & Cell>(
      `SELECT venue, order_type, size_bucket, ${PERCENTILES} FROM execution_metrics ${w.text}
       GROUP BY venue, order_type, size_bucket`,
      w.values,
    ),
  ]);
  const cellKey = (c: Cell) => `${c.venue}|${c.order_type}|${c.size_bucket}`;
  const pctOf = new Map(percentiles.map((p) => [cellKey(p), p]));
  const rows = sums.map((r) => ({
    ...r,
    latency_pct: pctOf.get(cellKey(r))?.latency_pct ?? null,
    slippage_pct: pctOf.get(cellKey(r))?.slippage_pct ?? null,
  }));
  const out: ComparisonRow[] = rows.map((r) => {
    const m = measures(r);
    return {
      venue: r.venue,
      orderType: r.order_type,
      sizeBucket: r.size_bucket,
      ...m,
      rank: null,
      lowSample: m.slippage.n < MIN_RANKED,
      vsBest: null,
    };
  });
  return { rows: compareWithBest(rankCells(out)), minRanked: MIN_RANKED };
}

/** Ranks venues within each order type × size bucket by all-in cost, lowest first; low-sample rows stay unranked. */
export function rankCells<
  T extends { orderType: string; sizeBucket: string; allInBps: number | null; lowSample: boolean; rank: number | null; venue: string },
>(rows: T[]): T[] {
  const cells = new Map<string, T[]>();
  for (const r of rows) {
    if (r.lowSample || r.allInBps === null) continue;
    const key = `${r.orderType}|${r.sizeBucket}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  for (const cell of cells.values()) {
    cell.sort((a, b) => (a.allInBps ?? 0) - (b.allInBps ?? 0) || a.venue.localeCompare(b.venue));
    cell.forEach((r, i) => {
      r.rank = i + 1;
    });
  }
  return rows;
}

/** Each ranked row's Welch difference from its cell's rank-1 venue (order-weighted slippage means). */
export function compareWithBest(rows: ComparisonRow[]): ComparisonRow[] {
  const summary = ({ slippage: s }: ComparisonRow) =>
    s.meanBps === null || s.sdBps === null ? null : stats.summaryStats(s.n, s.meanBps, s.sdBps);
  const best = new Map<string, ComparisonRow>();
  for (const r of rows) if (r.rank === 1) best.set(`${r.orderType}|${r.sizeBucket}`, r);
  for (const r of rows) {
    const top = best.get(`${r.orderType}|${r.sizeBucket}`);
    if (r.rank === null || !top || top === r) continue;
    const a = summary(top);
    const b = summary(r);
    if (!a || !b) continue;
    const w = stats.welch(a, b);
    if (Number.isFinite(w.diff) && Number.isFinite(w.df))
      r.vsBest = { diffBps: w.diff, ci95: w.ci, df: w.df, distinct: w.ci[0] > 0 || w.ci[1] < 0 };
  }
  return rows;
}

const BUCKETS_S = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 6 * 3600, 86400] as const;

/** The time bucket for about `points` points over a range. */
export function bucketSeconds(fromMs: number, toMs: number, points = 60): number {
  const want = Math.max(1, (toMs - fromMs) / 1000 / points);
  return BUCKETS_S.find((b) => b >= want) ?? 86400;
}

/** Per time bucket and venue: orders, latency p50/p95/p99, fill and reject rates, slippage (for the charts). */
export async function timeseries(run: Run, f: QualityFilter, accountIds: readonly string[] | null) {
  const w = whereOf(f, accountIds);
  // The chart spans the orders there are (within the filter), so a relative range with recent orders
  // still gets about 60 buckets; without orders, the filter's range (or the last hour).
  const [span] = await run<{ min: Date | null; max: Date | null }>(
    `SELECT min(received_at) AS min, max(received_at) AS max FROM execution_metrics ${w.text}`,
    w.values,
  );
  const now = Date.now();
  const fromMs = span?.min ? new Date(span.min).getTime() : f.from ? Date.parse(f.from) : now - 3600_000;
  const toMs = span?.max ? new Date(span.max).getTime() + 1 : f.to ? Date.parse(f.to) : now;
  const bucket = bucketSeconds(fromMs, toMs);
  const values = [...w.values, `${bucket} seconds`];
  const p = `$${values.length}`;
  const rows = await run<{
    t: Date;
    venue: string;
    orders: number;
    latency_pct: (number | null)[] | null;
    fill_rate: number | null;
    reject_rate: number | null;
    slippage_bps: number | null;
  }>(
    `SELECT date_bin(${p}::interval, received_at, TIMESTAMPTZ '2000-01-01') AS t, venue,
       count(*)::int AS orders,
       percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS latency_pct,
       (sum(filled_qty) / NULLIF(sum(order_qty), 0))::float8 AS fill_rate,
       (count(*) FILTER (WHERE rejected))::float8 / NULLIF(count(*) FILTER (WHERE sent), 0) AS reject_rate,
       (10000 * sum(slippage_cost) / NULLIF(sum(slippage_bench), 0))::float8 AS slippage_bps
     FROM execution_metrics ${w.text} GROUP BY 1, 2 ORDER BY 1, 2`,
    values,
  );
  return {
    bucketSeconds: bucket,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    points: rows.map((r) => ({
      t: new Date(r.t).toISOString(),
      venue: r.venue,
      orders: r.orders,
      p50: r.latency_pct?.[0] ?? null,
      p95: r.latency_pct?.[1] ?? null,
      p99: r.latency_pct?.[2] ?? null,
      fillRate: r.fill_rate,
      rejectRate: r.reject_rate,
      slippageBps: r.slippage_bps,
    })),
  };
}

/** Per-order arrival slippage histogram per venue: bins of `binBps`, clamped to ±`clampBps` (the end bins hold the tails). */
export async function slippageDistribution(run: Run, f: QualityFilter, accountIds: readonly string[] | null, binBps = 1, clampBps = 20) {
  const w = whereOf(f, accountIds);
  const values = [...w.values, binBps, clampBps];
  const b = `$${values.length - 1}`;
  const c = `$${values.length}`;
  const rows = await run<{ bin: number; venue: string; orders: number }>(
    `SELECT (LEAST(GREATEST(floor(slippage_bps / ${b}::float8) * ${b}::float8, -${c}::float8), ${c}::float8))::float8 AS bin, venue, count(*)::int AS orders
     FROM execution_metrics ${w.text ? `${w.text} AND` : "WHERE"} slippage_bps IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    values,
  );
  return { binBps, clampBps, bins: rows };
}

/** The orders behind a selection (newest first), for links from a brushed range. */
export async function matchingOrders(run: Run, f: QualityFilter, accountIds: readonly string[] | null, limit: number) {
  const w = whereOf(f, accountIds);
  const values = [...w.values, limit];
  const rows = await run<{
    order_id: string;
    received_at: Date;
    venue: string;
    symbol: string;
    side: string;
    order_type: string;
    status: string;
    filled_qty: string;
    avg_px: string | null;
    slippage_bps: number | null;
    latency_ms: number | null;
  }>(
    `SELECT order_id, received_at, venue, symbol, side, order_type, status, filled_qty::text AS filled_qty, avg_px::text AS avg_px, slippage_bps, latency_ms
     FROM execution_metrics ${w.text} ORDER BY received_at DESC, order_id LIMIT $${values.length}`,
    values,
  );
  const [count] = await run<{ n: number }>(`SELECT count(*)::int AS n FROM execution_metrics ${w.text}`, w.values);
  return {
    total: count?.n ?? 0,
    orders: rows.map((r) => ({
      orderId: r.order_id,
      receivedAt: new Date(r.received_at).toISOString(),
      venue: r.venue,
      symbol: r.symbol,
      side: r.side,
      orderType: r.order_type,
      status: r.status,
      filledQty: r.filled_qty,
      avgPx: r.avg_px,
      slippageBps: r.slippage_bps,
      latencyMs: r.latency_ms,
    })),
  };
}
