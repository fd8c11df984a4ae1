import type { AnyEvent } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { createOrderManagerHarness } from "./harness";

// Each booked fill carries the NBBO the engine held when it booked it (FillData.quote), for the
// regulatory reports' execution-time statistics (606(b)(3) midpoint / favourable / unfavourable).

const fillsOf = (events: AnyEvent[], orderId: string) =>
  events.flatMap((e) => ((e.type === "OrderFilled" || e.type === "OrderPartiallyFilled") && e.orderId === orderId ? [e.data] : []));

describe("the NBBO at execution on the fill event", () => {
  it("journals the quote at the fill, not the one at receipt; each fill its own", async () => {
    const h = await createOrderManagerHarness();
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.00", ask: "100.02", last: "100.01", ts: 1 });
    const order = await h.working({ ordType: "Market", price: undefined, orderQty: "100", timeInForce: "DAY" });
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.10", ask: "100.14", last: "100.12", ts: 2 });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "E-1", lastQty: "40", lastPx: "100.12" });
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.20", ask: "100.21", last: "100.2", ts: 3 });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "E-2", lastQty: "60", lastPx: "100.21" });
    const fills = fillsOf(await h.events(), order.orderId);
    expect(fills.map((f) => f.quote)).toEqual([
      { bid: "100.10", ask: "100.14", mid: "100.12", ts: 2 },
      { bid: "100.20", ask: "100.21", mid: "100.205", ts: 3 },
    ]);
  });

  it("leaves it out when the quote is not two-sided (crossed or missing): the fill is booked all the same", async () => {
    const h = await createOrderManagerHarness();
    const order = await h.working({ ordType: "Market", price: undefined, orderQty: "10", timeInForce: "DAY" });
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.05", ask: "100.00", last: "100", ts: 4 });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "E-1", lastQty: "5", lastPx: "100" });
    h.quotes.delete("AAPL");
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "E-2", lastQty: "5", lastPx: "100" });
    const fills = fillsOf(await h.events(), order.orderId);
    expect(fills.map((f) => [f.execId, "quote" in f])).toEqual([
      ["E-1", false],
      ["E-2", false],
    ]);
    expect(h.get(order.orderId).ordStatus).toBe("Filled");
  });
});
