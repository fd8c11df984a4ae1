import { describe, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { Journal } from "../src/journal/journal";
import { createLogger } from "../src/log";
import { useFreshPool } from "./fresh-pool";

// JOURNAL_COMMIT_INTERVAL_MS: under load, events that arrive within the interval after a commit
// started share the next commit instead of each taking its own; nothing is acknowledged before it
// is committed.

const db = useFreshPool(2);

const note = (journal: Journal) =>
  journal.append({ type: "AlertRaised", orderId: null, accountId: null, actor: "test", data: {} } as unknown as Parameters<
    Journal["append"]
  >[0]);

async function commitsFor(commitIntervalMs: number): Promise<{ commits: number; events: number }> {
  const sizes: number[] = [];
  const journal = await Journal.open(db.pool, systemClock, createLogger("silent"), {
    maxBatch: 1000,
    commitIntervalMs,
    onBatch: (size) => sizes.push(size),
  });
  // 40 events, one every ~1 ms: each would find the journal idle and commit alone without an interval.
  const durable: Promise<void>[] = [];
  for (let i = 0; i < 40; i++) {
    durable.push(journal.durable(note(journal).event.seq));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(durable);
  const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM journal");
  await journal.close();
  return { commits: sizes.length, events: Number(rows[0]?.n) };
}

describe("journal group commit interval", () => {
  it("puts events arriving within the interval into one commit, and commits every one", async () => {
    const before = (await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM journal")).rows[0]?.n;
    const spaced = await commitsFor(25);
    expect(spaced.events - Number(before)).toBe(40);
    // 40 events over ≥ 40 ms with commits ≥ 25 ms apart: a handful of commits, not one per event.
    expect(spaced.commits).toBeLessThanOrEqual(10);
    expect(spaced.commits).toBeGreaterThanOrEqual(2); // commits go on meanwhile: nothing waits for the last event
  });
});
