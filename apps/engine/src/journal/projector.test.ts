import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log";
import type { JournalEntry } from "./journal";
import { Projector } from "./projector";

// After a crash with many events not yet in the read models, the replay hands them all to the
// projector at once; the engine must start, and every entry must be written.

describe("Projector", () => {
  it("takes 200,000 entries at once (a replay after a crash) and drains them", async () => {
    const pool = { query: async () => ({ rows: [] }) } as unknown as pg.Pool;
    const projector = new Projector(pool, createLogger("silent"), 2000, 0);
    const entries = Array.from(
      { length: 200_000 },
      (_, i) => ({ event: { seq: i + 1, type: "AlertRaised", orderId: null, data: {} }, json: "{}" }) as unknown as JournalEntry,
    );
    expect(() => projector.enqueue(entries)).not.toThrow();
    await projector.idle(); // drained: nothing stuck
  });
});
