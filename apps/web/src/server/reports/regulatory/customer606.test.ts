import { describe, expect, it } from "vitest";
import { customer606, sideOfSpread } from "./customer606";
import { type JournalEvent, orderRecord } from "./order-record";
import { quote, receivedOrder } from "./test-journal";

// 606(b)(3)(ii): shares executed at the midpoint, on the favourable and on the unfavourable side of the
// spread, against the NBBO the engine held when it booked each fill (FillData.quote). Figures by hand.

const venue = (id: string) => ({ name: id, mic: id });
const ev = (seq: number, type: string, data: Record<string, unknown>): JournalEvent => ({
  seq,
  ts: `2026-08-03T14:00:00.${String(seq).padStart(6, "0")}Z`,
  type,
  orderId: "S1",
  data,
});
const sell = (fills: Record<string, unknown>[]) =>
  orderRecord([
    ev(1, "OrderReceived", {
      order: receivedOrder({ orderId: "S1", accountId: "A", symbol: "XYZ", side: "Sell", ordType: "Market", orderQty: "100" }),
    }),
    ev(2, "OrderSubmitted", { venueId: "V", venueOrderId: "V-1" }),
    ...fills.map((f, i) => ev(3 + i, "OrderPartiallyFilled", { venueId: "V", fees: [], ...f })),
  ]);
async function* records(...list: ReturnType<typeof orderRecord>[]) {
  for (const r of list) if (r) yield r;
}

describe("606(b)(3) against the NBBO at execution", () => {
  it("a sell is favourable above the midpoint, unfavourable below it", () => {
    const q = quote("10.00", "10.10", "10.05");
    expect([sideOfSpread("Sell", "10.06", q), sideOfSpread("Sell", "10.05", q), sideOfSpread("Sell", "10.04", q)]).toEqual([
      "favourable",
      "mid",
      "unfavourable",
    ]);
    expect([sideOfSpread("Buy", "10.04", q), sideOfSpread("Buy", "10.10", q), sideOfSpread("Buy", "10", undefined)]).toEqual([
      "favourable",
      "unfavourable",
      null,
    ]);
  });

  it("sell 100: 30 @ 10.08 (mid 10.05, favourable), 50 @ 10.05 (mid), 20 @ 10.01 (mid 10.03, unfavourable)", async () => {
    const r = sell([
      { execId: "E1", lastQty: "30", lastPx: "10.08", quote: quote("10.00", "10.10", "10.05") },
      { execId: "E2", lastQty: "50", lastPx: "10.05", quote: quote("10.00", "10.10", "10.05") },
      { execId: "E3", lastQty: "20", lastPx: "10.01", quote: quote("10.00", "10.06", "10.03") },
    ]);
    const [row] = (await customer606(records(r), venue)).rows;
    expect(row).toMatchObject({
      sharesExecuted: "100",
      sharesAtMidpoint: "50",
      midpointPct: "50",
      sharesFavourable: "30",
      favourablePct: "30",
      sharesUnfavourable: "20",
      unfavourablePct: "20",
    });
  });

  it("a fill journaled without the quote (an older journal) leaves the row's three columns empty, not 0", async () => {
    const r = sell([
      { execId: "E1", lastQty: "30", lastPx: "10.08", quote: quote("10.00", "10.10", "10.05") },
      { execId: "E2", lastQty: "70", lastPx: "10.05" },
    ]);
    const [row] = (await customer606(records(r), venue)).rows;
    expect(row).toMatchObject({ sharesExecuted: "100", sharesAtMidpoint: "", sharesFavourable: "", unfavourablePct: "" });
  });
});
