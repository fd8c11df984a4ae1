import { SPLIT_PARENT_VENUE } from "@fillmore/shared";
import type pg from "pg";
import type { QualityScores, VenueQuality } from "../routing/quality-policy";

/** Per venue, and per venue × symbol, over orders sent in the trailing window: what the `quality` routing policy scores. */
export async function venueQuality(pool: pg.Pool, nowMs: number, windowMs: number): Promise<VenueQuality[]> {
  const { rows } = await pool.query<{
    venue: string;
    symbol: string | null;
    slippage_bps: number | null;
    slippage_n: number;
    reject_rate: number | null;
    sent: number;
    p99: number | null;
  }>(
    `SELECT venue, symbol,
       (10000 * sum(slippage_cost) / NULLIF(sum(slippage_bench), 0))::float8 AS slippage_bps,
       count(slippage_bench)::int AS slippage_n,
       (count(*) FILTER (WHERE rejected))::float8 / NULLIF(count(*), 0) AS reject_rate,
       count(*)::int AS sent,
       percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
     FROM execution_metrics
     WHERE submitted_at IS NOT NULL AND submitted_at >= $1 AND venue <> '${SPLIT_PARENT_VENUE}'
     GROUP BY GROUPING SETS ((venue), (venue, symbol))`,
    [new Date(nowMs - windowMs).toISOString()],
  );
  return rows.map((r) => ({
    venue: r.venue,
    symbol: r.symbol,
    slippageBps: r.slippage_bps,
    slippageN: r.slippage_n,
    rejectRate: r.reject_rate,
    sent: r.sent,
    ackP99Ms: r.p99,
  }));
}

/** Replaces the router's figures from the projection (the quality component calls it on a timer). */
export async function refreshScores(pool: pg.Pool, scores: QualityScores, nowMs: number, windowMs = 3_600_000): Promise<number> {
  const rows = await venueQuality(pool, nowMs, windowMs);
  scores.set(rows, nowMs);
  return rows.length;
}

/**
 * Runs the figures' refresh on each timer tick while the `quality` policy uses them: once at the
 * first tick, then only if a score was read since the previous refresh. The query reads the trailing
 * hour of orders (45 ms of a Postgres core over 24,500 of them, growing with them: at 500 orders/s an
 * hour holds 1.8 million), so an engine that does not route by quality does not pay for it.
 * An order routed by quality after a quiet spell uses the figures of the last refresh, and the next
 * tick refreshes them.
 */
export class ScoresRefresher {
  private refreshed = false;
  private readsSeen = 0;

  constructor(
    private readonly scores: QualityScores,
    private readonly refresh: () => void,
  ) {}

  /** Whether this tick refreshed. */
  tick(): boolean {
    if (this.refreshed && this.scores.reads === this.readsSeen) return false;
    this.refreshed = true;
    this.readsSeen = this.scores.reads;
    this.refresh();
    return true;
  }
}
