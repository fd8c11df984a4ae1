import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { CommandError } from "../orders/errors";
import { DEFAULT_LIVE_POSITIONS_CONFIG } from "../positions/live-positions";
import { type BookReplay, bookAsOf, boundOf } from "./as-of";
import { AUDIT_APPLICATION_NAME, type AuditReply, type AuditRequest, type AuditWorkerData } from "./audit-thread";
import { verifyWithFiles } from "./verify-view";

// The worker side of AuditThread: the as-of replay and the chain's verification on their own pool and
// their own event loop. Requests run one at a time (one rebuilt book in memory at once); the last book
// is kept for the next page of the same moment and dropped after KEEP_MS without a request.

const port = parentPort;
if (!port) throw new Error("audit-worker.ts runs as a worker thread (see audit-thread.ts)");
const init = workerData as AuditWorkerData;
const KEEP_MS = 5 * 60_000;
const pool = new pg.Pool({ connectionString: init.databaseUrl, max: 1, application_name: AUDIT_APPLICATION_NAME });
// An idle connection lost (Postgres restarted, the test database dropped) is not this worker's end.
pool.on("error", () => undefined);
let replay: BookReplay | null = null;
let forget: NodeJS.Timeout | undefined;
let queue: Promise<unknown> = Promise.resolve();

port.on("message", (request: AuditRequest) => {
  queue = queue.then(() => answer(request).then((reply) => port.postMessage(reply)));
});

async function answer(request: AuditRequest): Promise<AuditReply> {
  try {
    if (request.op === "asOf") {
      clearTimeout(forget);
      const config = { ...DEFAULT_LIVE_POSITIONS_CONFIG, ...request.positionsConfig };
      // Another moment: the kept book goes first, so two rebuilt books are never held at once.
      if (replay && !replay.isOf(boundOf(request.query))) replay = null;
      const result = await bookAsOf(pool, request.query, config, replay);
      replay = result.replay;
      forget = setTimeout(() => {
        replay = null;
      }, KEEP_MS);
      forget.unref();
      return { id: request.id, ok: true, value: result.book };
    }
    if (request.op === "verify") return { id: request.id, ok: true, value: await verifyWithFiles(pool) };
    replay = null;
    await pool.end();
    return { id: request.id, ok: true, value: null };
  } catch (error) {
    return {
      id: request.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof CommandError ? { code: error.code } : {}),
    };
  }
}
