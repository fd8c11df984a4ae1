import type { Clock } from "@fillmore/shared";
import type pg from "pg";
import type { Logger } from "../log";
import type { PositionKey } from "./book";
import type { LivePositions } from "./live-positions";

const COLUMNS = [
  ["id", "text"],
  ["account_id", "text"],
  ["strategy", "text"],
  ["symbol", "text"],
  ["currency", "text"],
  ["qty", "numeric"],
  ["avg_px", "numeric"],
  ["cost", "numeric"],
  ["realized_avg_cost", "numeric"],
  ["realized_fifo", "numeric"],
  ["fees", "numeric"],
  ["fees_by_currency", "jsonb"],
  ["realized_usd_avg_cost", "numeric"],
  ["realized_usd_fifo", "numeric"],
  ["fees_usd", "numeric"],
  ["mark_px", "numeric"],
  ["mark_source", "text"],
  ["mark_ts", "timestamptz"],
  ["unrealized_avg_cost", "numeric"],
  ["unrealized_fifo", "numeric"],
  ["unrealized_usd_avg_cost", "numeric"],
  ["unrealized_usd_fifo", "numeric"],
  ["fill_count", "integer"],
  ["last_fill_ts", "timestamptz"],
  ["updated_seq", "bigint"],
  ["updated_at", "timestamptz"],
] as const;

/** The `position` row id of a key. */
export const positionRowId = (k: PositionKey): string => `${k.accountId}|${k.strategy ?? ""}|${k.symbol}`;

/** The rows of these keys as the live book has them now, column-major for unnest. */
export function positionRows(live: LivePositions, keys: readonly PositionKey[], nowMs: number): unknown[][] {
  const cols: unknown[][] = COLUMNS.map(() => []);
  const at = new Date(nowMs).toISOString();
  for (const key of keys) {
    const v = live.views(key, nowMs);
    if (!v) continue;
    const a = v.avgCost;
    const row = [
      positionRowId(key),
      key.accountId,
      key.strategy,
      key.symbol,
      a.quoteCurrency,
      a.qty,
      a.avgPx,
      a.cost,
      a.realizedBy.avgCost,
      a.realizedBy.fifo,
      a.fees[a.quoteCurrency] ?? "0",
      JSON.stringify(a.fees),
      a.usd.realizedBy.avgCost,
      a.usd.realizedBy.fifo,
      a.usd.fees,
      a.mark?.px ?? null,
      a.mark?.source ?? null,
      a.mark?.ts ?? null,
      a.unrealizedBy.avgCost,
      a.unrealizedBy.fifo,
      a.usd.unrealized,
      v.fifo.usd.unrealized,
      a.fillCount,
      a.lastFillTs,
      live.updatedSeq(key),
      at,
    ];
    for (const [i, value] of row.entries()) cols[i]?.push(value);
  }
  return cols;
}

function upsert(values: unknown[][]): { text: string; values: unknown[][] } {
  const params = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const names = COLUMNS.map(([c]) => c);
  return {
    text: `INSERT INTO position (${names.join(", ")}) SELECT * FROM unnest(${params})
      ON CONFLICT (id) DO UPDATE SET ${names
        .filter((c) => c !== "id")
        .map((c) => `${c} = excluded.${c}`)
        .join(", ")}`,
    values,
  };
}

/**
 * The `position` read model: rewritten whole from the live book after the journal's replay at start
 * (so it always equals the book the journal gives), then the positions changed by each commit (and
 * by mark moves, every `markFlushMs`) are upserted after it. Failures are retried; nothing waits on it.
 */
export class PositionsProjection {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly live: LivePositions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly markFlushMs = 5_000,
    /** The least time between two upserts: the keys changed meanwhile go in the next one. */
    private readonly minIntervalMs = 100,
  ) {}

  /** Replaces every row with the book's (one transaction). */
  async rewrite(): Promise<void> {
    const keys = this.live.takeProjectionKeys(true);
    const statement = upsert(positionRows(this.live, keys, this.clock.nowMs()));
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("DELETE FROM position");
      if (keys.length > 0) await client.query(statement.text, statement.values);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.markFlushMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** After a commit: writes what changed. */
  flush(): void {
    this.pending = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    let backoffMs = 10;
    while (this.pending) {
      this.pending = false;
      const keys = this.live.takeProjectionKeys();
      if (keys.length === 0) continue;
      const statement = upsert(positionRows(this.live, keys, this.clock.nowMs()));
      for (;;) {
        try {
          await this.pool.query(statement.text, statement.values);
          if (this.minIntervalMs > 0) await new Promise((r) => setTimeout(r, this.minIntervalMs));
          break;
        } catch (error) {
          this.log.error({ err: error, keys: keys.length }, "positions read model update failed; retrying");
          await new Promise((r) => setTimeout(r, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 2000);
        }
      }
    }
  }
}
