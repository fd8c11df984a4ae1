import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../src/journal/journal";
import { createLogger } from "../src/log";
import { HANDOVER_INTERVAL_MS, PROJECTION_APPLICATION_NAME, ProjectionThread } from "../src/quality/projection-thread";
import { useFreshPool } from "./fresh-pool";
import { until } from "./harness";

// The execution_metrics projection on its worker thread: it answers, and when its connection is
// broken under it (Postgres restarted, a DBA's pg_terminate_backend) the worker ends and a fresh one
// takes over, continuing from the checkpoint, without the engine noticing more than a log line.

const db = useFreshPool(1);

describe("ProjectionThread", () => {
  it("catches up on its worker; a worker whose connection is killed is replaced and goes on", async () => {
    const thread = new ProjectionThread({ databaseUrl: db.url, logLevel: "silent", options: {} }, createLogger("silent"));
    try {
      await thread.catchUp();
      expect(thread.restarts).toBe(0);
      const killed = await db.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
        PROJECTION_APPLICATION_NAME,
      ]);
      expect(killed.rowCount).toBe(1);
      await until(() => (thread.restarts === 1 ? true : undefined), 10_000);
      await until(
        async () =>
          await thread
            .catchUp()
            .then(() => true)
            .catch(() => undefined),
        10_000,
      );
      const checkpoint = await db.pool.query("SELECT last_seq FROM execution_metrics_checkpoint WHERE id = 1");
      expect(checkpoint.rows).toHaveLength(1);
    } finally {
      thread.stop();
      await thread.idle();
    }
    await expect(thread.catchUp()).rejects.toThrow(/stopped/);
  }, 60_000);

  it("hands a burst of commits to the worker in one message, and everything before a call first", async () => {
    const thread = new ProjectionThread({ databaseUrl: db.url, logLevel: "silent", options: {} }, createLogger("silent"));
    const commit = (seq: number) => [{ event: { seq, type: "EngineStarted" }, json: "{}" } as unknown as JournalEntry];
    try {
      await thread.catchUp();
      for (let seq = 1; seq <= 50; seq++) thread.committed(commit(seq));
      expect(thread.handovers).toBe(0);
      await new Promise((r) => setTimeout(r, HANDOVER_INTERVAL_MS * 2));
      expect(thread.handovers).toBe(1);
      thread.committed(commit(51));
      await thread.idle(); // a call hands over what is waiting, without waiting for the interval
      expect(thread.handovers).toBe(2);
    } finally {
      thread.stop();
      await thread.idle();
    }
  }, 60_000);
});
