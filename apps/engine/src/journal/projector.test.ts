import type pg from "pg";
import { describe, expect, it } from "vitest";
import { until } from "../../test/harness";
import { createLogger } from "../log";
import type { JournalEntry } from "./journal";
import { Projector } from "./projector";

// After a crash with many events not yet in the read models, the replay hands them all to the
// projector at once; the engine must start, and every entry must be written. Live, entries keep
// arriving while a write is in flight (or being retried): they go into the next write, none is lost
// and none is written twice.

/** An order event's entry: `status` is the order's state after it; a fill also makes a fill row. */
function entry(seq: number, orderId: string, status: string, fill?: { execId: string; qty: string }): JournalEntry {
  const order = { orderId, ordStatus: status, lastSeq: seq, accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", strategy: null };
  const event = fill
    ? {
        seq,
        ts: "2026-12-01T10:00:00.000Z",
        type: "OrderFilled",
        orderId,
        accountId: "ACC-ALPHA",
        data: { venueId: "SIM", execId: fill.execId, lastQty: fill.qty, lastPx: "10", fees: [] },
      }
    : { seq, ts: "2026-12-01T10:00:00.000Z", type: "OrderAccepted", orderId, accountId: "ACC-ALPHA", data: {} };
  return { event, orderAfter: order, prevHash: "", hash: "", json: "{}" } as unknown as JournalEntry;
}

/** A pool whose writes wait for `release()`, failing the ones `fail` says; what each write carried. */
function gatedPool(fail: (call: number) => boolean = () => false) {
  const writes: { orders: { orderId: string; ordStatus: string }[]; fills: { execId: string }[] }[] = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((r) => {
    open = r;
  });
  let calls = 0;
  const pool = {
    query: async (_text: string, values: string[]) => {
      const call = ++calls;
      await gate;
      if (fail(call)) throw new Error("connection lost");
      writes.push({ orders: JSON.parse(values[0] ?? "[]"), fills: JSON.parse(values[1] ?? "[]") });
      return { rows: [] };
    },
  } as unknown as pg.Pool;
  return {
    pool,
    writes,
    release() {
      open();
      gate = Promise.resolve();
    },
    get calls() {
      return calls;
    },
  };
}

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

  it("writes each order's latest state and every fill; what arrives during a write goes into the next one", async () => {
    const db = gatedPool();
    const projector = new Projector(db.pool, createLogger("silent"), 2000, 0);
    projector.enqueue([
      entry(1, "O1", "Accepted"),
      entry(2, "O1", "PartiallyFilled", { execId: "E1", qty: "40" }),
      entry(3, "O2", "Accepted"),
    ]);
    await until(() => db.calls === 1 || undefined);
    // The first write is in flight: these must neither join it nor be lost.
    projector.enqueue([entry(4, "O1", "Filled", { execId: "E2", qty: "60" })]);
    projector.enqueue([entry(5, "O3", "Accepted")]);
    db.release();
    await projector.idle();
    expect(db.writes.map((w) => w.orders.map((o) => `${o.orderId}:${o.ordStatus}`))).toEqual([
      ["O1:PartiallyFilled", "O2:Accepted"],
      ["O1:Filled", "O3:Accepted"],
    ]);
    expect(db.writes.map((w) => w.fills.map((f) => f.execId))).toEqual([["SIM:E1"], ["SIM:E2"]]);
  });

  it("retries a failed write, and loses nothing that arrived meanwhile", async () => {
    const db = gatedPool((call) => call === 1);
    const projector = new Projector(db.pool, createLogger("silent"), 2000, 0);
    projector.enqueue([entry(1, "O1", "PartiallyFilled", { execId: "E1", qty: "40" })]);
    await until(() => db.calls === 1 || undefined);
    projector.enqueue([entry(2, "O1", "Filled", { execId: "E2", qty: "60" })]);
    db.release();
    await projector.idle();
    // The retry may carry what arrived meanwhile; the last state written is the latest, each fill once.
    expect(db.writes.flatMap((w) => w.orders.map((o) => `${o.orderId}:${o.ordStatus}`)).at(-1)).toBe("O1:Filled");
    expect(db.writes.flatMap((w) => w.fills.map((f) => f.execId))).toEqual(["SIM:E1", "SIM:E2"]);
  });
});
