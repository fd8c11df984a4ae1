import { describe, expect, it } from "vitest";
import { type JournalEvent, orderRecord } from "./order-record";
import { receivedOrder } from "./test-journal";

// The midpoints after a fill (Rule 605's realized spread) come from MarkoutSampled events: one per
// horizon in journals written before 30 Nov 2026, one per fill since (shorter horizons in `earlier`).

const ev = (seq: number, type: string, data: Record<string, unknown>): JournalEvent => ({
  seq,
  ts: `2026-08-03T14:00:00.${String(seq).padStart(6, "0")}Z`,
  type,
  orderId: "B1",
  data,
});
const order = (markouts: JournalEvent[]) =>
  orderRecord([
    ev(1, "OrderReceived", {
      order: receivedOrder({ orderId: "B1", accountId: "A", symbol: "XYZ", side: "Buy", ordType: "Market", orderQty: "100" }),
    }),
    ev(2, "OrderSubmitted", { venueId: "V", venueOrderId: "V-1" }),
    ev(3, "OrderFilled", { venueId: "V", execId: "E1", lastQty: "100", lastPx: "10.05", fees: [] }),
    ...markouts,
  ]);

describe("order record: midpoints after a fill", () => {
  it("reads one event per horizon and one event per fill alike", () => {
    const perHorizon = order([
      ev(4, "MarkoutSampled", { orderId: "B1", execId: "E1", horizonMs: 1000, mid: "10.06", ts: 0 }),
      ev(5, "MarkoutSampled", { orderId: "B1", execId: "E1", horizonMs: 5000, mid: null, ts: null }),
      ev(6, "MarkoutSampled", { orderId: "B1", execId: "E1", horizonMs: 60000, mid: "10.02", ts: 0 }),
    ]);
    const perFill = order([
      ev(4, "MarkoutSampled", {
        orderId: "B1",
        execId: "E1",
        horizonMs: 60000,
        mid: "10.02",
        ts: 0,
        earlier: [
          { horizonMs: 1000, mid: "10.06", ts: 0 },
          { horizonMs: 5000, mid: null, ts: null },
        ],
      }),
    ]);
    expect([...(perHorizon?.markouts.get("E1") ?? [])]).toEqual([
      [1000, "10.06"],
      [60000, "10.02"],
    ]);
    expect(perFill?.markouts).toEqual(perHorizon?.markouts);
  });
});
