import type { AnyEvent } from "@fillmore/shared";
import type pg from "pg";
import type { Logger } from "../log";
import { computeOrderMetrics } from "./metrics";
import { metricsRow, upsertStatement } from "./projection-row";

/** Orders computed between yields to the event loop. */
const YIELD_EVERY = 25;

export interface MetricsProjectionOptions {
  /** Journal rows read per step (their orders are recomputed whole). */
  batch?: number;
  /** Wait this long after a commit before reading, so bursts (and an order's own events) are read together. */
  debounceMs?: number;
}

/**
 * The `execution_metrics` read model: per-order metrics recomputed from the journal for every order
 * that has new committed events (an order, a fill, a markout sample 60 s later), in journal order,
 * with a checkpoint (`execution_metrics_checkpoint.last_seq`) moved in the same transaction. It reads
 * the journal table, never the order path: a commit only schedules a catch-up. `rebuild()` empties it
 * and reads the whole journal again; the first `catchUp()` after a restart continues where it stopped.
 */
export class MetricsProjection {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly batch: number;
  private readonly debounceMs: number;
  /** Orders written since start (tests, metrics). */
  written = 0;
  lastSeq = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    options: MetricsProjectionOptions = {},
  ) {
    this.batch = options.batch ?? 1000;
    this.debounceMs = options.debounceMs ?? 500;
  }

  /** After a commit: catch up soon (debounced). */
  schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.catchUp().catch((error: unknown) =>
        this.log.warn({ err: error }, "execution metrics projection failed; retried on the next commit"),
      );
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Reads every committed journal row after the checkpoint; resolves when caught up. */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        while (!this.stopped && (await this.step())) {}
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Empties the projection and reads the whole journal again. */
  async rebuild(): Promise<void> {
    await this.idle();
    await this.pool.query("BEGIN; DELETE FROM execution_metrics; UPDATE execution_metrics_checkpoint SET last_seq = 0; COMMIT");
    await this.catchUp();
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One batch: true when there may be more. */
  private async step(): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows: cp } = await client.query<{ last_seq: string }>(
        "SELECT last_seq::text AS last_seq FROM execution_metrics_checkpoint WHERE id = 1 FOR UPDATE",
      );
      const after = Number(cp[0]?.last_seq ?? 0);
      const { rows: touched } = await client.query<{ seq: string; order_id: string | null }>(
        "SELECT seq::text AS seq, order_id FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2",
        [after, this.batch],
      );
      const last = touched[touched.length - 1];
      if (!last) {
        await client.query("COMMIT");
        this.lastSeq = after;
        return false;
      }
      const upTo = Number(last.seq);
      const orderIds = [...new Set(touched.map((r) => r.order_id).filter((id): id is string => id !== null))];
      if (orderIds.length > 0) {
        const { rows } = await client.query<{ order_id: string; seq: string; payload: AnyEvent }>(
          "SELECT order_id, seq::text AS seq, payload FROM journal WHERE order_id = ANY($1) AND seq <= $2 ORDER BY order_id, seq",
          [orderIds, upTo],
        );
        const out: unknown[][] = [];
        let i = 0;
        let sinceYield = 0;
        while (i < rows.length) {
          // Metrics are computed on the engine's event loop: give it back every few orders so the
          // order path is not held up by a long batch.
          sinceYield += 1;
          if (sinceYield >= YIELD_EVERY) {
            sinceYield = 0;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const id = rows[i]?.order_id;
          const events: AnyEvent[] = [];
          let seq = 0;
          for (; i < rows.length && rows[i]?.order_id === id; i += 1) {
            const r = rows[i];
            if (!r) break;
            events.push(r.payload);
            seq = Number(r.seq);
          }
          const m = computeOrderMetrics(events);
          if (m?.decisionTime) out.push(metricsRow(m, seq));
        }
        if (out.length > 0) {
          const statement = upsertStatement(out);
          await client.query(statement.text, statement.values);
          this.written += out.length;
        }
      }
      await client.query("UPDATE execution_metrics_checkpoint SET last_seq = $1 WHERE id = 1", [upTo]);
      await client.query("COMMIT");
      this.lastSeq = upTo;
      return touched.length === this.batch;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
