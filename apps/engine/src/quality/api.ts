import type { AnyEvent } from "@fillmore/shared";
import type pg from "pg";
import { readOrderEvents } from "../journal/read";
import { CommandError } from "../orders/errors";
import { computeOrderMetrics, type ExecutionMetrics } from "./metrics";
import { summarize, type VenueSummary } from "./summary";

/** GET /v1/orders/:id/metrics: one order's metrics from its journaled events; null when the journal has none. */
export async function orderMetrics(pool: pg.Pool, orderId: string): Promise<ExecutionMetrics | null> {
  return computeOrderMetrics(await readOrderEvents(pool, orderId));
}

export interface SummaryQuery {
  venue?: string;
  symbol?: string;
  /** Orders received at or after / before (ISO-8601). */
  from?: string;
  to?: string;
  /** Only these accounts (a bound API key's); absent: all. */
  accounts?: string[];
}

export function summaryQuery(url: URL): SummaryQuery {
  const get = (k: string) => url.searchParams.get(k) || undefined;
  const accounts = get("accounts");
  const q: SummaryQuery = { venue: get("venue"), symbol: get("symbol"), from: get("from"), to: get("to") };
  if (accounts) q.accounts = accounts.split(",").filter(Boolean);
  for (const k of ["from", "to"] as const) {
    const v = q[k];
    if (v !== undefined && Number.isNaN(Date.parse(v))) throw new CommandError("INVALID_INPUT", `${k} is not a date: ${v}`);
  }
  return q;
}

/**
 * GET /v1/quality/summary: every order received in [from, to) (symbol, accounts) read from the
 * journal in one indexed query, metrics computed per order, aggregated by venue in memory.
 */
export async function qualitySummary(pool: pg.Pool, q: SummaryQuery): Promise<{ venues: VenueSummary[]; orders: number; queryMs: number }> {
  const started = performance.now();
  const { rows } = await pool.query<{ order_id: string; payload: AnyEvent }>(
    `SELECT order_id, payload FROM journal WHERE order_id IN (
       SELECT order_id FROM journal WHERE type = 'OrderReceived'
         AND ($1::timestamptz IS NULL OR ts >= $1) AND ($2::timestamptz IS NULL OR ts < $2)
         AND ($3::text IS NULL OR payload->'data'->'order'->>'symbol' = $3)
         AND ($4::text[] IS NULL OR account_id = ANY($4)))
     ORDER BY order_id, seq`,
    [q.from ?? null, q.to ?? null, q.symbol ?? null, q.accounts ?? null],
  );
  const byOrder = new Map<string, AnyEvent[]>();
  for (const r of rows) {
    const list = byOrder.get(r.order_id) ?? [];
    list.push(r.payload);
    byOrder.set(r.order_id, list);
  }
  const metrics: ExecutionMetrics[] = [];
  for (const events of byOrder.values()) {
    const m = computeOrderMetrics(events);
    if (m) metrics.push(m);
  }
  const venues = summarize(metrics, { venue: q.venue, symbol: q.symbol });
  return { venues, orders: metrics.length, queryMs: Math.round(performance.now() - started) };
}
