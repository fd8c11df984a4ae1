import { Worker } from "node:worker_threads";
import type { JournalEntry } from "../journal/journal";
import type { Logger } from "../log";
import { workerEntry } from "../worker-entry";
import { type CommittedBatch, committedBatch, type MetricsProjectionOptions } from "./projection";

export interface ProjectionWorkerData {
  databaseUrl: string;
  logLevel: string;
  options: MetricsProjectionOptions;
}

export type ProjectionRequest =
  | { op: "schedule" }
  | { op: "committed"; batch: CommittedBatch }
  | { op: "catchUp" | "rebuild" | "idle" | "stop"; id: number };
export type ProjectionReply = { id: number; ok: true; written: number; lastSeq: number } | { id: number; ok: false; error: string };

/** The worker's Postgres application_name. */
export const PROJECTION_APPLICATION_NAME = "fillmore-quality-projection";

/** A crashed worker is started again after this long (the projection continues from its checkpoint). */
const RESTART_AFTER_MS = 1000;

/**
 * Committed events are handed over at most this often, merged: each message wakes the worker's thread
 * (a cross-core wake-up, dear on a virtual machine), and the worker debounces its catch-up by 500 ms anyway.
 */
export const HANDOVER_INTERVAL_MS = 100;

/**
 * The execution_metrics projection (projection.ts) run on a worker thread with its own connection.
 * Same interface as MetricsProjection: after a commit `committed()` posts the committed events (strings
 * and numbers); everything else (computing metrics, the upsert, reading the journal where the cache
 * has no history) happens off the engine's event loop, so the
 * order path does not pay for execution-quality figures. A worker that dies is started again and
 * continues from the projection's checkpoint; pending calls are rejected with the reason.
 */
export class ProjectionThread {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private stopped = false;
  private exited: Promise<void> = Promise.resolve();
  /** Committed events not yet handed over (seqs contiguous: commits arrive in journal order). */
  private unsent: CommittedBatch | undefined;
  private handoverTimer: NodeJS.Timeout | undefined;
  written = 0;
  lastSeq = 0;
  /** Messages of committed events sent to the worker (tests). */
  handovers = 0;
  /** Workers started again after one ended unexpectedly. */
  restarts = 0;

  constructor(
    private readonly init: ProjectionWorkerData,
    private readonly log: Logger,
  ) {
    this.worker = this.spawn();
  }

  schedule(): void {
    if (!this.stopped) this.worker.postMessage({ op: "schedule" } satisfies ProjectionRequest);
  }

  /**
   * After a commit: the committed events go to the worker, which then need not read them back; merged
   * with the other commits of the next HANDOVER_INTERVAL_MS into one message.
   */
  committed(entries: readonly JournalEntry[]): void {
    const batch = committedBatch(entries);
    if (this.stopped || !batch) return;
    if (this.unsent) {
      this.unsent.upTo = batch.upTo;
      for (const event of batch.events) this.unsent.events.push(event);
    } else this.unsent = batch;
    if (!this.handoverTimer) {
      this.handoverTimer = setTimeout(() => this.handOver(), HANDOVER_INTERVAL_MS);
      this.handoverTimer.unref();
    }
  }

  private handOver(): void {
    clearTimeout(this.handoverTimer);
    this.handoverTimer = undefined;
    const batch = this.unsent;
    this.unsent = undefined;
    if (!batch || this.stopped) return;
    this.handovers += 1;
    this.worker.postMessage({ op: "committed", batch } satisfies ProjectionRequest);
  }

  catchUp(): Promise<void> {
    return this.call("catchUp");
  }

  rebuild(): Promise<void> {
    return this.call("rebuild");
  }

  /** Resolves when the worker has nothing in hand (after stop(): when it has exited). */
  idle(): Promise<void> {
    return this.stopped ? this.exited : this.call("idle");
  }

  stop(): void {
    if (this.stopped) return;
    const last = this.call("stop").finally(() => this.worker.terminate());
    this.stopped = true;
    this.exited = last.then(
      () => undefined,
      () => undefined,
    );
  }

  private call(op: "catchUp" | "rebuild" | "idle" | "stop"): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("the execution metrics projection is stopped"));
    this.handOver(); // what was committed before the call is the worker's before it answers
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ op, id } satisfies ProjectionRequest);
    });
  }

  private spawn(): Worker {
    const [entry, how] = workerEntry(new URL("./projection-worker.ts", import.meta.url));
    const worker = new Worker(entry, { ...how, workerData: this.init });
    worker.unref();
    worker.on("message", (reply: ProjectionReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) {
        this.written = reply.written;
        this.lastSeq = reply.lastSeq;
        waiter.resolve();
      } else waiter.reject(new Error(reply.error));
    });
    worker.on("error", (error) => this.log.error({ err: error }, "execution metrics projection worker failed"));
    worker.on("exit", (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the projection worker exited (code ${code})`));
      this.pending.clear();
      if (this.stopped) return;
      this.log.warn({ code }, `execution metrics projection worker exited; starting it again in ${RESTART_AFTER_MS} ms`);
      setTimeout(() => {
        if (this.stopped) return;
        this.restarts += 1;
        this.worker = this.spawn();
        this.worker.postMessage({ op: "schedule" } satisfies ProjectionRequest);
      }, RESTART_AFTER_MS).unref();
    });
    return worker;
  }
}
