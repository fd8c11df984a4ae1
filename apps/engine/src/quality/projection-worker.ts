import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { createLogger } from "../log";
import { MetricsProjection } from "./projection";
import { PROJECTION_APPLICATION_NAME, type ProjectionReply, type ProjectionRequest, type ProjectionWorkerData } from "./projection-thread";

// The worker side of ProjectionThread: the execution_metrics projection with its own pool, so reading
// the journal's payloads and computing each order's metrics never runs on the engine's event loop.

const port = parentPort;
if (!port) throw new Error("projection-worker.ts runs as a worker thread (see projection-thread.ts)");
const init = workerData as ProjectionWorkerData;
lowerPriority();
// Named, so its connection shows in pg_stat_activity. No pool "error" listener on purpose: a broken
// connection (Postgres restarted) ends the worker, and ProjectionThread starts a fresh one.
const pool = new pg.Pool({ connectionString: init.databaseUrl, max: 1, application_name: PROJECTION_APPLICATION_NAME });
const log = createLogger(init.logLevel).child({ component: "quality-projection", thread: "worker" });
const projection = new MetricsProjection(pool, log, init.options);

port.on("message", (request: ProjectionRequest) => {
  if (request.op === "schedule") {
    projection.schedule();
    return;
  }
  if (request.op === "committed") {
    projection.offer(request.batch);
    return;
  }
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer(request: Extract<ProjectionRequest, { id: number }>): Promise<ProjectionReply> {
  try {
    if (request.op === "catchUp") await projection.catchUp();
    else if (request.op === "rebuild") await projection.rebuild();
    else if (request.op === "idle") await projection.idle();
    else {
      projection.stop();
      await projection.idle();
      await pool.end();
    }
    return { id: request.id, ok: true, written: projection.written, lastSeq: projection.lastSeq };
  } catch (error) {
    return { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * On Linux this thread takes the lowest CPU priority (nice 19): on a busy machine the order path's
 * thread goes first, and the read model catches up with what is left (it is never on the order path).
 * setpriority(2) with a thread id sets that thread only; elsewhere this does nothing.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux, or not allowed: the worker runs at the engine's priority
  }
}
