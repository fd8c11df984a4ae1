import type { AnyEvent } from "@fillmore/shared";
import type pg from "pg";
import type { JournalEntry } from "../journal/journal";
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
  /** Orders whose whole event list is kept in memory, most recently touched first (default 8,000). */
  recentOrders?: number;
  /** Handed-over events held while the projection is behind; past this the oldest are dropped and read from the journal. */
  maxOffered?: number;
}

/**
 * Committed journal entries handed to the projection by the engine: the seq range `from..upTo`
 * they cover, and those about an order as [seq, orderId, type, JSON]. Strings and numbers
 * only, so it crosses to the worker thread cheaply.
 */
export interface CommittedBatch {
  from: number;
  upTo: number;
  events: [seq: number, orderId: string, type: string, json: string][];
}

export function committedBatch(entries: readonly JournalEntry[]): CommittedBatch | undefined {
  const first = entries[0];
  const last = entries[entries.length - 1];
  if (!first || !last) return undefined;
  const events: CommittedBatch["events"] = [];
  for (const { event, json } of entries) {
    if (event.orderId) events.push([event.seq, event.orderId, event.type, json ?? JSON.stringify(event)]);
  }
  return { from: first.event.seq, upTo: last.event.seq, events };
}

/**
 * The `execution_metrics` read model: per-order metrics recomputed from the journal for every order
 * that has new committed events (an order, a fill, a markout sample 60 s later), in journal order,
 * with a checkpoint (`execution_metrics_checkpoint.last_seq`) moved in the same transaction. It reads
 * the journal table, never the order path. `rebuild()` empties it
 * and reads the whole journal again; the first `catchUp()` after a restart continues where it stopped.
 *
 * The engine also hands over what it committed (`offer`), so in the steady state nothing is read
 * back: the new events come with the batch, and an order's earlier events from a bounded cache of
 * recently touched orders. An order that is in neither (a markout a minute after a busy period, the
 * first batches after a restart) is read from the journal as before, and so is any stretch of the
 * journal the hand-over does not cover (the worker restarted, it fell far behind).
 */
export class MetricsProjection {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly batch: number;
  private readonly debounceMs: number;
  private readonly recentOrders: number;
  private readonly maxOffered: number;
  /** Handed-over batches not yet projected, in seq order. */
  private offered: CommittedBatch[] = [];
  private offeredEvents = 0;
  /** Every event (canonical JSON, in seq order) up to the checkpoint of recently touched orders; insertion order = recency. */
  private readonly recent = new Map<string, string[]>();
  /** Orders written since start (tests, metrics). */
  written = 0;
  /** Handed-over orders whose earlier events had to be read back from the journal (not in the cache). */
  readBack = 0;
  lastSeq = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    options: MetricsProjectionOptions = {},
  ) {
    this.batch = options.batch ?? 1000;
    this.debounceMs = options.debounceMs ?? 500;
    this.recentOrders = options.recentOrders ?? 8000;
    this.maxOffered = options.maxOffered ?? 100_000;
  }

  /** After a commit: the committed events, projected soon without reading them back. */
  offer(batch: CommittedBatch | undefined): void {
    if (this.stopped || !batch) return;
    this.offered.push(batch);
    this.offeredEvents += batch.events.length;
    while (this.offeredEvents > this.maxOffered && this.offered.length > 1) {
      this.offeredEvents -= this.offered.shift()?.events.length ?? 0;
    }
    this.schedule();
  }

  /** After a commit, in the same thread: see `offer`. */
  committed(entries: readonly JournalEntry[]): void {
    this.offer(committedBatch(entries));
  }

  /** Handed-over orders and batches held in memory (tests, metrics). */
  get held(): { orders: number; batches: number } {
    return { orders: this.recent.size, batches: this.offered.length };
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
    this.recent.clear();
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
      const handed = this.takeOffered(after);
      if (handed) return await this.stepFromOffered(client, after, handed);
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
        for (const id of orderIds) this.recent.delete(id);
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
        await this.write(client, out);
      }
      await this.commitUpTo(client, upTo);
      return touched.length === this.batch;
    } catch (error) {
      this.recent.clear();
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The handed-over batches that continue the checkpoint without a gap, up to about `batch` events. */
  private takeOffered(after: number): CommittedBatch[] | undefined {
    this.dropOffered(after);
    const first = this.offered[0];
    if (!first || first.from > after + 1) return undefined;
    const taken: CommittedBatch[] = [];
    let events = 0;
    let next = first.from;
    for (const b of this.offered) {
      if (b.from > next || (taken.length > 0 && events + b.events.length > this.batch)) break;
      taken.push(b);
      events += b.events.length;
      next = b.upTo + 1;
    }
    return taken;
  }

  /** One step from handed-over events (inside the step's transaction): reads only orders it has no history for. */
  private async stepFromOffered(client: pg.PoolClient, after: number, handed: CommittedBatch[]): Promise<boolean> {
    const upTo = handed[handed.length - 1]?.upTo ?? after;
    const fresh = new Map<string, { seq: number; json: string[] }>();
    for (const b of handed) {
      for (const [seq, orderId, type, json] of b.events) {
        if (seq <= after) continue;
        const o = fresh.get(orderId);
        if (o) {
          o.json.push(json);
          o.seq = seq;
        } else fresh.set(orderId, { seq, json: [json] });
        // An order's life starts with OrderReceived: nothing earlier to find.
        if (!o && type === "OrderReceived" && !this.recent.has(orderId)) this.recent.set(orderId, []);
      }
    }
    const cold = [...fresh.keys()].filter((id) => !this.recent.has(id));
    const earlier = new Map<string, string[]>();
    if (cold.length > 0) {
      this.readBack += cold.length;
      const { rows } = await client.query<{ order_id: string; json: string }>(
        "SELECT order_id, payload::text AS json FROM journal WHERE order_id = ANY($1) AND seq <= $2 ORDER BY order_id, seq",
        [cold, after],
      );
      for (const r of rows) {
        const list = earlier.get(r.order_id);
        if (list) list.push(r.json);
        else earlier.set(r.order_id, [r.json]);
      }
    }
    const out: unknown[][] = [];
    const lists = new Map<string, string[]>();
    let sinceYield = 0;
    for (const [orderId, { seq, json }] of fresh) {
      sinceYield += 1;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const all = [...(this.recent.get(orderId) ?? earlier.get(orderId) ?? []), ...json];
      lists.set(orderId, all);
      const m = computeOrderMetrics(all.map((j) => JSON.parse(j) as AnyEvent));
      if (m?.decisionTime) out.push(metricsRow(m, seq));
    }
    await this.write(client, out);
    await this.commitUpTo(client, upTo);
    for (const [orderId, all] of lists) this.remember(orderId, all);
    this.dropOffered(upTo);
    return this.offered.length > 0;
  }

  private async write(client: pg.PoolClient, rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const statement = upsertStatement(rows);
    await client.query(statement.text, statement.values);
    this.written += rows.length;
  }

  /** Moves the checkpoint and commits the step's transaction. */
  private async commitUpTo(client: pg.PoolClient, upTo: number): Promise<void> {
    await client.query("UPDATE execution_metrics_checkpoint SET last_seq = $1 WHERE id = 1", [upTo]);
    await client.query("COMMIT");
    this.lastSeq = upTo;
  }

  private dropOffered(upTo: number): void {
    while (this.offered[0] && this.offered[0].upTo <= upTo) this.offeredEvents -= this.offered.shift()?.events.length ?? 0;
  }

  private remember(orderId: string, events: string[]): void {
    this.recent.delete(orderId);
    this.recent.set(orderId, events);
    for (const oldest of this.recent.keys()) {
      if (this.recent.size <= this.recentOrders) break;
      this.recent.delete(oldest);
    }
  }
}
