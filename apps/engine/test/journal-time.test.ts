import type { Clock } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { Journal } from "../src/journal/journal";
import { createLogger } from "../src/log";
import { useFreshPool } from "./fresh-pool";

// Journal timestamps never decrease with seq, even when the wall clock is stepped back (within a
// run or between runs): the audit search turns a time range into a seq range on that promise.

const db = useFreshPool(2);

function steppedClock(times: string[]): Clock {
  let i = 0;
  return {
    nowIso: () => times[Math.min(i++, times.length - 1)] as string,
    monoUs: () => i,
    nowMs: () => Date.parse(times[Math.min(i, times.length - 1)] as string),
  };
}

const note = (journal: Journal) =>
  journal.append({ type: "AlertRaised", orderId: null, accountId: null, actor: "test", data: {} } as unknown as Parameters<
    Journal["append"]
  >[0]);

describe("journal timestamps", () => {
  it("hold the last one while the wall clock is behind it, within a run and after a restart", async () => {
    const log = createLogger("silent");
    const first = await Journal.open(
      db.pool,
      steppedClock(["2026-03-02T10:00:00.500000Z", "2026-03-02T09:59:59.000000Z", "2026-03-02T10:00:01.000000Z"]),
      log,
      {
        maxBatch: 100,
      },
    );
    const a = note(first).event.ts;
    const b = note(first).event.ts;
    const c = note(first).event.ts;
    expect([a, b, c]).toEqual(["2026-03-02T10:00:00.500000Z", "2026-03-02T10:00:00.500000Z", "2026-03-02T10:00:01.000000Z"]);
    await first.close();

    // Restarted with the clock an hour behind: the last stored timestamp holds until it catches up.
    const second = await Journal.open(db.pool, steppedClock(["2026-03-02T09:00:00.000000Z", "2026-03-02T10:00:02.000000Z"]), log, {
      maxBatch: 100,
    });
    expect(note(second).event.ts).toBe("2026-03-02T10:00:01.000000Z");
    expect(note(second).event.ts).toBe("2026-03-02T10:00:02.000000Z");
    await second.close();

    const { rows } = await db.pool.query<{ seq: string; ts: Date }>("SELECT seq, ts FROM journal ORDER BY seq");
    const times = rows.map((r) => r.ts.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  }, 60_000);
});
