import type { AnyEvent, Clock, Order } from "@fillmore/shared";
import type { Logger } from "../log";
import { GENESIS_HASH } from "./hash";
import { chainedJournalBatch, chainLinks } from "./projection";
import type { JournalWriter, Queryable } from "./writer-thread";

/** An event before the journal gives it a sequence number and timestamps. */
export type EventDraft = AnyEvent extends infer E ? (E extends AnyEvent ? Omit<E, "seq" | "ts" | "monoUs"> : never) : never;

export interface JournalEntry {
  event: AnyEvent;
  /** The chain's links, set when the entry is committed (the writer computes them): "" until then. */
  prevHash: string;
  hash: string;
  /** The order's state after this event, for the orders projection; not part of the journal. */
  orderAfter?: Order;
  /**
   * The event as JSON, stringified once at append (not in canonical form: the writer makes that):
   * what the writer, the event stream and the quality hand-over send on. Replayed entries have none.
   */
  json?: string;
}

type CommitListener = (entries: readonly JournalEntry[]) => void;

export interface JournalStats {
  lastSeq: number;
  committedSeq: number;
  queued: number;
  /** False while commits fail, and while trading is blocked (a broken chain). */
  healthy: boolean;
  /** Why new orders are refused although the journal commits (its chain did not verify at start). */
  tradingBlocked?: string;
}

/**
 * Append-only, hash-chained event journal with group commit. `append` assigns the sequence
 * number at once (so in-memory state advances in journal order); each batch is linked into the
 * hash chain as it is written, after the last committed event, by the writer (on its own thread
 * when the database is a `JournalWriter`). `durable` resolves when everything up to a sequence
 * number is committed. One transaction per batch, never one per event.
 */
export class Journal {
  private queue: JournalEntry[] = [];
  private waiters: { seq: number; resolve: () => void }[] = [];
  private listeners: CommitListener[] = [];
  private flushScheduled = false;
  private flushing = false;
  private committedSeq: number;
  private healthy = true;
  private blocked: string | undefined;
  private closed = false;
  private lastCommitStart = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly pool: Queryable,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxBatch: number,
    private seq: number,
    /** The last committed event's link: the next batch is chained after it. */
    private committedHash: string,
    private readonly onBatch?: (size: number, seconds: number) => void,
    private readonly key?: Buffer,
    private readonly commitIntervalMs = 0,
  ) {
    this.committedSeq = seq;
  }

  static async open(
    pool: Queryable,
    clock: Clock,
    log: Logger,
    options: {
      maxBatch: number;
      onBatch?: (size: number, seconds: number) => void;
      /** Chain key: new events are linked with HMAC-SHA256 under it (journal/integrity.ts). */
      key?: Buffer;
      /** The least time between the starts of two commits (ms): events arriving meanwhile share a commit. */
      commitIntervalMs?: number;
    },
  ): Promise<Journal> {
    const { rows } = await pool.query<{ seq: string; hash: string; ts: string }>(
      `SELECT seq::text AS seq, hash, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts
       FROM journal ORDER BY journal.seq DESC LIMIT 1`,
    );
    const last = rows[0];
    const journal = new Journal(
      pool,
      clock,
      log,
      options.maxBatch,
      last ? Number(last.seq) : 0,
      last ? last.hash : GENESIS_HASH,
      options.onBatch,
      options.key,
      options.commitIntervalMs,
    );
    journal.lastTs = last?.ts ?? "";
    return journal;
  }

  /** The last event's timestamp: a later event never gets an earlier one. */
  private lastTs = "";

  /**
   * `ts` unless it is earlier than the last event's (the wall clock was stepped back between runs):
   * then the last event's. So timestamps never decrease with seq, and a time range is a seq range
   * (the audit search relies on it). `monoUs` keeps the clock's own reading.
   */
  private notBefore(ts: string): string {
    const earlier = ts.length === this.lastTs.length ? ts < this.lastTs : Date.parse(ts) < Date.parse(this.lastTs);
    if (earlier) return this.lastTs;
    this.lastTs = ts;
    return ts;
  }

  /** The sequence number the next `append` will assign. */
  nextSeq(): number {
    return this.seq + 1;
  }

  /**
   * Stamps and chains an event and queues it for commit. `project` computes the order's state
   * after the event; if it throws (an illegal transition, an over-fill) nothing is appended.
   */
  append(draft: EventDraft, project?: (event: AnyEvent) => Order): { event: AnyEvent; order?: Order } {
    if (this.closed) throw new Error("journal is closed");
    const event = { ...draft, seq: this.seq + 1, ts: this.notBefore(this.clock.nowIso()), monoUs: this.clock.monoUs() } as AnyEvent;
    const orderAfter = project?.(event);
    this.queue.push({ event, prevHash: "", hash: "", orderAfter, json: JSON.stringify(event) });
    this.seq = event.seq;
    this.scheduleFlush();
    return { event, order: orderAfter };
  }

  /** Resolves once every event up to `seq` (default: all appended so far) is committed. */
  durable(seq = this.seq): Promise<void> {
    if (seq <= this.committedSeq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  stats(): JournalStats {
    return {
      lastSeq: this.seq,
      committedSeq: this.committedSeq,
      queued: this.queue.length,
      healthy: this.healthy && this.blocked === undefined,
      ...(this.blocked === undefined ? {} : { tradingBlocked: this.blocked }),
    };
  }

  /**
   * Refuses new risk from now on (stats().healthy false, tradingBlocked says why) while events
   * still append and commit: cancels, alerts and reads go on. Lifted only by a restart on a
   * journal that verifies.
   */
  blockTrading(reason: string): void {
    this.blocked = reason;
  }

  /** Whether new events are linked with the key. */
  get keyed(): boolean {
    return this.key !== undefined;
  }

  async close(): Promise<void> {
    await this.durable();
    this.closed = true;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    let backoffMs = 10;
    try {
      while (this.queue.length > 0) {
        const wait = this.commitIntervalMs - (performance.now() - this.lastCommitStart);
        if (wait >= 0.5 && this.queue.length < this.maxBatch) await new Promise((r) => setTimeout(r, wait));
        this.lastCommitStart = performance.now();
        const batch = this.queue.slice(0, this.maxBatch);
        const started = process.hrtime.bigint();
        try {
          // After a failure the batch may have committed anyway (the answer was lost, not the commit).
          const stored = this.healthy ? 0 : await this.storedPrefix(batch);
          if (stored < batch.length) await this.commit(batch, stored);
        } catch (error) {
          this.healthy = false;
          this.log.error({ err: error, batch: batch.length }, "journal commit failed; retrying");
          await new Promise((r) => setTimeout(r, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 2000);
          continue;
        }
        this.healthy = true;
        backoffMs = 10;
        this.queue.splice(0, batch.length);
        const last = batch[batch.length - 1];
        if (last) {
          this.committedSeq = last.event.seq;
          this.committedHash = last.hash;
        }
        this.onBatch?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
        this.releaseWaiters();
        for (const listener of this.listeners) listener(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.seq <= this.committedSeq);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.seq > this.committedSeq);
    for (const w of ready) w.resolve();
  }

  /**
   * How many of a batch's first events are in the journal although their commit failed: a connection
   * (or the writer thread) lost after Postgres committed, before the answer arrived. Retrying those
   * blindly would fail on their seqs for ever. They count only with the same hashes; other events at
   * those seqs are someone else's writes, and the batch keeps failing loudly. The stored ones get
   * their links here, as the writer would have given them.
   */
  private async storedPrefix(batch: readonly JournalEntry[]): Promise<number> {
    const first = batch[0];
    const last = batch[batch.length - 1];
    if (!first || !last) return 0;
    const { rows } = await this.pool.query<{ seq: string; hash: string }>(
      "SELECT seq::text AS seq, hash FROM journal WHERE seq BETWEEN $1 AND $2",
      [first.event.seq, last.event.seq],
    );
    const stored = new Map(rows.map((row) => [Number(row.seq), row.hash]));
    const prefix = batch.findIndex((entry) => !stored.has(entry.event.seq));
    const count = prefix === -1 ? batch.length : prefix;
    const links = chainLinks(
      this.key,
      this.committedHash,
      batch.slice(0, count).map((entry) => entry.event),
    );
    const ours = links.every((link, i) => stored.get(batch[i]?.event.seq ?? -1) === link);
    if (!ours || stored.size !== count)
      throw new Error(`journal seq ${first.event.seq}..${last.event.seq} holds events that are not this engine's batch`);
    this.link(batch, 0, this.committedHash, links.join(""));
    if (count > 0) this.log.warn({ from: first.event.seq, events: count }, "journal events were committed although their commit failed");
    return count;
  }

  /** Writes `batch` from index `from` on (the ones before are stored already), chained after them. */
  private async commit(batch: readonly JournalEntry[], from: number): Promise<void> {
    const prevHash = from === 0 ? this.committedHash : (batch[from - 1]?.hash ?? "");
    const entries = from === 0 ? batch : batch.slice(from);
    let links: string;
    if (isJournalWriter(this.pool)) {
      const jsons: string[] = new Array(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as JournalEntry;
        jsons[i] = entry.json ?? JSON.stringify(entry.event);
      }
      links = await this.pool.writeJournal(this.key, prevHash, jsons);
    } else {
      const statement = chainedJournalBatch(
        this.key,
        prevHash,
        entries.map((entry) => entry.event),
      );
      await this.pool.query(statement.text, statement.values);
      links = statement.hashes;
    }
    this.link(batch, from, prevHash, links);
  }

  /** Sets the links of `batch` from `from` on: `links` holds theirs, 64 characters each, after `prevHash`. */
  private link(batch: readonly JournalEntry[], from: number, prevHash: string, links: string): void {
    let prev = prevHash;
    for (let i = from; i < batch.length; i++) {
      const entry = batch[i] as JournalEntry;
      const at = (i - from) * 64;
      entry.prevHash = prev;
      entry.hash = links.slice(at, at + 64);
      prev = entry.hash;
    }
  }
}

function isJournalWriter(pool: Queryable): pool is JournalWriter {
  return typeof (pool as Partial<JournalWriter>).writeJournal === "function";
}
