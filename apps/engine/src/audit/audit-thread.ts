import { Worker } from "node:worker_threads";
import type pg from "pg";
import type { Logger } from "../log";
import { CommandError, type CommandErrorCode } from "../orders/errors";
import type { LivePositionsConfig } from "../positions/live-positions";
import { workerEntry } from "../worker-entry";
import type { AsOfQuery, BookAsOf } from "./as-of";
import type { AuditVerifyView } from "./verify-view";

export interface AuditWorkerData {
  databaseUrl: string;
}

export type AuditRequest =
  | { id: number; op: "asOf"; query: AsOfQuery; positionsConfig?: WireConfig }
  | { id: number; op: "verify" }
  | { id: number; op: "stop" };
export type AuditReply =
  | { id: number; ok: true; value: BookAsOf | AuditVerifyView | null }
  | { id: number; ok: false; error: string; code?: string };

/** The positions config without its functions (not cloneable to a worker; the engine sets none). */
export type WireConfig = Omit<LivePositionsConfig, "quoteCurrencyOf">;

/** The worker's Postgres application_name. */
export const AUDIT_APPLICATION_NAME = "fillmore-audit";

/**
 * The book as of T (as-of.ts) and the hash chain's verification (verify-view.ts) on a worker thread
 * with its own connection: both read and replay the whole journal, which over millions of events takes
 * seconds of CPU that must not stall the engine's event loop (order handling, heartbeats, /health). One
 * worker, started on the first request and kept (unref'd: it never holds the process open); it takes
 * requests one at a time and keeps the last rebuilt book, so the next page of the same moment costs no
 * second replay. A worker that dies fails the requests in hand with the reason; the next request
 * starts a new one.
 */
export class AuditThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly init: AuditWorkerData,
    private readonly log?: Logger,
  ) {}

  asOf(query: AsOfQuery, positionsConfig?: LivePositionsConfig): Promise<BookAsOf> {
    const { quoteCurrencyOf: _fn, ...config } = positionsConfig ?? ({} as LivePositionsConfig);
    return this.call({ op: "asOf", query, ...(positionsConfig ? { positionsConfig: config } : {}) }) as Promise<BookAsOf>;
  }

  verify(): Promise<AuditVerifyView> {
    return this.call({ op: "verify" }) as Promise<AuditVerifyView>;
  }

  /** Ends the worker (after the request in hand). */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.call({ op: "stop" }).catch(() => undefined);
    await worker.terminate();
  }

  /** Ends the worker at once, a replay in hand or not (the engine is stopping); its callers get an error. */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  private call(request: DistributiveOmit<AuditRequest, "id">): Promise<unknown> {
    const id = this.nextId++;
    const worker = this.worker ?? this.spawn();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as AuditRequest);
    });
  }

  private spawn(): Worker {
    const [entry, how] = workerEntry(new URL("./audit-worker.ts", import.meta.url));
    const worker = new Worker(entry, { ...how, workerData: this.init });
    worker.unref();
    worker.on("message", (reply: AuditReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(errorOf(reply));
    });
    worker.on("error", (error) => this.log?.error({ err: error }, "audit worker failed"));
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = null;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the audit worker exited (code ${code})`));
      this.pending.clear();
    });
    this.worker = worker;
    return worker;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The worker's refusal as the engine's own error (a CommandError keeps its code, so a bad request is a 400). */
function errorOf(reply: Extract<AuditReply, { ok: false }>): Error {
  return reply.code ? new CommandError(reply.code as CommandErrorCode, reply.error) : new Error(reply.error);
}

const threads = new WeakMap<pg.Pool, AuditThread>();

/** The audit thread of the engine's database (one per pool), on the pool's own connection string. */
export function auditThreadOf(pool: pg.Pool, log?: Logger): AuditThread {
  let thread = threads.get(pool);
  if (!thread) {
    const databaseUrl = (pool as unknown as { options: { connectionString?: string } }).options.connectionString;
    if (!databaseUrl) throw new Error("the audit thread needs the pool's connection string");
    thread = new AuditThread({ databaseUrl }, log);
    threads.set(pool, thread);
  }
  return thread;
}

/** At engine stop: ends the pool's audit worker, if one was started, without waiting for its request. */
export async function endAuditThread(pool: pg.Pool): Promise<void> {
  const thread = threads.get(pool);
  threads.delete(pool);
  await thread?.terminate();
}
