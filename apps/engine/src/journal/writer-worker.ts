import { parentPort, workerData } from "node:worker_threads";
import { warmPool } from "@fillmore/db/warm-pool";
import type { AnyEvent } from "@fillmore/shared";
import pg from "pg";
import { chainedJournalBatch } from "./projection";
import { WRITER_APPLICATION_NAME, type WriterError, type WriterReply, type WriterRequest, type WriterWorkerData } from "./writer-thread";

// The worker side of WriterThread: one kept connection that runs the journal's statements.

const port = parentPort;
if (!port) throw new Error("writer-worker.ts runs as a worker thread (see writer-thread.ts)");
const init = workerData as WriterWorkerData;
// One connection: the journal commits one batch at a time. Kept open (min = max) like the engine's pool.
const pool = new pg.Pool({ connectionString: init.databaseUrl, max: 1, min: 1, application_name: WRITER_APPLICATION_NAME });
// A connection lost while idle: the pool opens a new one for the next statement.
pool.on("error", () => undefined);

warmPool(pool, 1, init.warmStatements).then(
  () => port.postMessage({ op: "ready" } satisfies WriterReply),
  (error: unknown) => port.postMessage({ op: "failed", error: plain(error) } satisfies WriterReply),
);

port.on("message", (request: WriterRequest) => {
  if (request.op === "stop") {
    void pool.end().finally(() => port.postMessage({ id: request.id, ok: true, rows: [] } satisfies WriterReply));
    return;
  }
  if (request.op === "journal") {
    const started = performance.now();
    let batch: ReturnType<typeof chainedJournalBatch>;
    try {
      const events = JSON.parse(`[${request.eventJsons.join(",")}]`) as AnyEvent[];
      batch = chainedJournalBatch(request.key ? Buffer.from(request.key) : undefined, request.prevHash, events);
    } catch (error) {
      port.postMessage({ id: request.id, ok: false, error: plain(error) } satisfies WriterReply);
      return;
    }
    // A named statement: Postgres parses and plans it once per connection, not on every commit
    // (planning the insert into an eleven-index table cost about 0.24 ms a commit, twelfth session).
    pool.query({ name: "fillmore-journal-batch", text: batch.text, values: batch.values }).then(
      () =>
        port.postMessage({
          id: request.id,
          ok: true,
          rows: [],
          hashes: batch.hashes,
          seconds: (performance.now() - started) / 1000,
        } satisfies WriterReply),
      (error: unknown) => port.postMessage({ id: request.id, ok: false, error: plain(error) } satisfies WriterReply),
    );
    return;
  }
  pool.query(request.text, request.values).then(
    (result) => port.postMessage({ id: request.id, ok: true, rows: result.rows } satisfies WriterReply),
    (error: unknown) => port.postMessage({ id: request.id, ok: false, error: plain(error) } satisfies WriterReply),
  );
});

function plain(error: unknown): WriterError {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  return {
    message: error.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof detail === "string" ? { detail } : {}),
  };
}
