import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { healthOf, lastCheckpointReader } from "./health";

const dir = mkdtempSync(path.join(tmpdir(), "fillmore-health-"));

describe("engine health", () => {
  it("reads the newest checkpoint, and sees a new one appended", () => {
    const file = path.join(dir, "journal-checkpoints.jsonl");
    const read = lastCheckpointReader(file);
    expect(read()).toBeNull();
    writeFileSync(file, `${JSON.stringify({ seq: 10, hash: "h", ts: "2026-11-29T20:00:00.000Z", keyedFromSeq: 1, sig: "s" })}\n`);
    expect(read()).toEqual({ seq: 10, ts: "2026-11-29T20:00:00.000Z" });
    appendFileSync(file, `${JSON.stringify({ seq: 42, hash: "h", ts: "2026-11-29T20:01:00.000Z", keyedFromSeq: 1, sig: "s" })}\n`);
    expect(read()).toEqual({ seq: 42, ts: "2026-11-29T20:01:00.000Z" });
  });

  it("reports journal lag, venues and degraded when the journal is not healthy", () => {
    const stats = { lastSeq: 120, committedSeq: 100, queued: 20, healthy: false };
    const health = healthOf({
      journal: () => stats,
      liveOrders: () => 3,
      venues: () => [{ venueId: "SIM-FAST", state: "UP", connected: true } as never],
      config: { JOURNAL_KEY_FILE: path.join(dir, "journal.key") },
    })();
    expect(health).toMatchObject({
      status: "degraded",
      journal: { lag: 20 },
      lastCheckpoint: { seq: 42 },
      liveOrders: 3,
      venues: [{ venueId: "SIM-FAST", state: "UP", connected: true }],
      pid: process.pid,
    });
    expect(health.uptimeS).toBeGreaterThanOrEqual(0);
  });
});
