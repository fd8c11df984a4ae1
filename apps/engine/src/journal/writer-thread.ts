import { Worker } from "node:worker_threads";
import type { Logger } from "../log";
import { workerEntry } from "../worker-entry";

/** What the journal needs of a database: one statement at a time, its rows back. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: rows are typed by the caller, as with pg.
  query<R = any>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * A database that takes the journal's batches whole: it links each batch into the hash chain, writes
 * it in one statement and answers with the links (`chainedJournalBatch`, 64 hex characters per event).
 */
export interface JournalWriter extends Queryable {
  /**
   * `eventJsons`: each event of the batch as JSON (any key order: the writer puts each in canonical
   * form). The entries' own strings, posted as they are: joining them into one array text first cost
   * the engine's heap a copy of every batch (about 2.4 KB an order at 1,000/s).
   */
  writeJournal(key: Buffer | undefined, prevHash: string, eventJsons: readonly string[]): Promise<string>;
}

export interface WriterWorkerData {
  databaseUrl: string;
  /** Statements run once on the worker's connection before it reports ready (warm caches). */
  warmStatements: readonly string[];
}

export type WriterRequest =
  | { op: "query"; id: number; text: string; values?: unknown[] }
  | { op: "journal"; id: number; key?: Uint8Array; prevHash: string; eventJsons: readonly string[] }
  | { op: "stop"; id: number };
/** A failed statement's error as plain data: pg's DatabaseError does not survive postMessage with its code. */
export interface WriterError {
  message: string;
  code?: string;
  detail?: string;
}
export type WriterReply =
  | { op: "ready" }
  | { op: "failed"; error: WriterError }
  | { id: number; ok: true; rows: unknown[]; hashes?: string; seconds?: number }
  | { id: number; ok: false; error: WriterError };

/** The worker's Postgres application_name (pg_stat_activity). */
export const WRITER_APPLICATION_NAME = "fillmore-journal-writer";

/** A worker that ended unexpectedly is started again after this long; the journal retries meanwhile. */
const RESTART_AFTER_MS = 200;

/**
 * The journal's database connection on a thread of its own. Sending a group commit (the pg driver
 * turning a batch of some 20 KB into protocol buffers, the socket write, parsing the answer) took
 * about an eighth of the engine's event loop at 1,000 orders/s (docs/PERFORMANCE.md, tenth session),
 * and serialising and hashing the events another eighth (twelfth session). Here the order path only
 * posts the batch's events as one JSON text (each event is stringified once, natively, and the text
 * also serves the stream and the quality hand-over) and gets their links back: the worker puts them
 * in canonical form, hashes and writes them. Durability is unchanged: a call resolves when Postgres has committed.
 * A worker that dies rejects what it had in hand (the journal retries the batch) and is started
 * again.
 */
export class WriterThread implements JournalWriter {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (reply: { rows: unknown[]; hashes?: string; seconds?: number }) => void; reject: (error: Error) => void }
  >();
  private stopped = false;
  /** Workers started again after one ended unexpectedly. */
  restarts = 0;
  /** Called with the time the worker spent on each journal batch it wrote (not the wait for the threads). */
  onJournalWrite: ((seconds: number) => void) | undefined;

  private constructor(
    private readonly init: WriterWorkerData,
    private readonly log: Logger,
  ) {}

  /** Starts the worker and resolves once its connection is open and warmed. */
  static async start(init: WriterWorkerData, log: Logger): Promise<WriterThread> {
    const thread = new WriterThread(init, log);
    thread.worker = await thread.spawn();
    return thread;
  }

  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }> {
    return this.request((id) => ({ op: "query", id, text, values })).then((reply) => ({ rows: reply.rows as R[] }));
  }

  writeJournal(key: Buffer | undefined, prevHash: string, eventJsons: readonly string[]): Promise<string> {
    return this.request((id) => ({ op: "journal", id, key, prevHash, eventJsons })).then((reply) => {
      if (typeof reply.hashes !== "string" || reply.hashes.length !== eventJsons.length * 64)
        throw new Error("the journal writer answered without the batch's links");
      if (reply.seconds !== undefined) this.onJournalWrite?.(reply.seconds);
      return reply.hashes;
    });
  }

  private request(make: (id: number) => WriterRequest): Promise<{ rows: unknown[]; hashes?: string; seconds?: number }> {
    const worker = this.worker;
    if (this.stopped) return Promise.reject(new Error("the journal writer is stopped"));
    if (!worker) return Promise.reject(new Error("the journal writer thread is restarting"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(make(id));
    });
  }

  /** Closes the worker's connection and ends it; statements still in hand finish first. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const worker = this.worker;
    if (!worker) return;
    const id = this.nextId++;
    await new Promise<void>((resolve) => {
      this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
      worker.postMessage({ op: "stop", id } satisfies WriterRequest);
    });
    await worker.terminate();
  }

  /** The worker (for tests that end it unexpectedly). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  private spawn(): Promise<Worker> {
    const [entry, how] = workerEntry(new URL("./writer-worker.ts", import.meta.url));
    const worker = new Worker(entry, { ...how, workerData: this.init });
    worker.unref();
    return new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on("message", (reply: WriterReply) => {
        if ("op" in reply) {
          if (reply.op === "ready") {
            ready = true;
            resolve(worker);
          } else {
            // Could not connect: end this worker (a restart loop while Postgres is down must not pile them up).
            reject(toError(reply.error));
            void worker.terminate();
          }
          return;
        }
        const waiter = this.pending.get(reply.id);
        if (!waiter) return;
        this.pending.delete(reply.id);
        if (reply.ok) waiter.resolve(reply);
        else waiter.reject(toError(reply.error));
      });
      worker.on("error", (error) => {
        this.log.error({ err: error }, "journal writer thread failed");
        if (!ready) reject(error);
      });
      worker.on("exit", (code) => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`the journal writer thread exited (code ${code})`));
        this.pending.clear();
        if (!ready) reject(new Error(`the journal writer thread exited before its connection was ready (code ${code})`));
        if (this.stopped || !ready) return;
        this.worker = undefined;
        this.log.warn({ code }, `journal writer thread exited; starting it again in ${RESTART_AFTER_MS} ms`);
        setTimeout(() => void this.respawn(), RESTART_AFTER_MS).unref();
      });
    });
  }

  private async respawn(): Promise<void> {
    if (this.stopped) return;
    try {
      this.worker = await this.spawn();
      this.restarts += 1;
      if (this.stopped) await this.worker.terminate();
    } catch (error) {
      this.log.error({ err: error }, `journal writer thread could not start; trying again in ${RESTART_AFTER_MS} ms`);
      setTimeout(() => void this.respawn(), RESTART_AFTER_MS).unref();
    }
  }
}

function toError(error: WriterError): Error {
  return Object.assign(
    new Error(error.message),
    error.code === undefined ? {} : { code: error.code },
    error.detail === undefined ? {} : { detail: error.detail },
  );
}
