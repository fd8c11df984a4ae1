import type { AnyEvent, Decimal, Order, SubmitOrderInput } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import { describe, expect, it } from "vitest";
import type { Journal } from "../src/journal/journal";
import type { Quote } from "../src/marketdata/quotes";
import type { OrderBook } from "../src/orders/order-book";
import { OrderRisk } from "../src/orders/risk-context";
import { Positions } from "../src/positions/positions";
import { RiskSettings } from "../src/risk/risk-settings";

// OrderRisk over a live book given as data: what the pure checks are told about working orders.

const QUOTES: Record<string, Quote> = {
  AAPL: { symbol: "AAPL", bid: "189.50", ask: "189.52", last: "189.51", ts: 0 },
  SPY: { symbol: "SPY", bid: "571.28", ask: "571.30", last: "571.29", ts: 0 },
};
const instrument = (symbol: string) => [symbol, { symbol, tickSize: "0.01", lotSize: "1", tradable: true }] as const;

function orderRisk(live: Order[], quotes: Record<string, Quote | undefined> = QUOTES) {
  const journal = { append: (d: object) => ({ event: { ...d, seq: 1 } as unknown as AnyEvent }), durable: async () => undefined };
  const book = {
    live: new Map(live.map((o) => [o.orderId, o])),
    pendingChanges: new Map(),
    // The book tells its listeners of every order it holds (here: the live ones, at once).
    onApplied: (listener: (event: AnyEvent, order: Order) => void) => {
      for (const o of live) listener({ type: "OrderAccepted" } as AnyEvent, o);
    },
    clock: { nowMs: () => 0, nowIso: () => "", monoUs: () => 0 },
  } as unknown as OrderBook;
  return new OrderRisk({
    book,
    instruments: new Map([instrument("AAPL"), instrument("SPY")]),
    accounts: new Set(["ACC-ALPHA"]),
    risk: new RiskSettings(journal as unknown as Journal),
    positions: new Positions(),
    quote: (symbol) => quotes[symbol],
  });
}

let seq = 0;
const order = (input: Partial<SubmitOrderInput>, status: Order["ordStatus"] = "Accepted"): Order => {
  seq += 1;
  return { ...orderFrom(input, { orderId: `O${seq}` }), ordStatus: status };
};

describe("OrderRisk builds the risk context from the live book", () => {
  it("values an open SPY market buy at SPY's ask, not at the new AAPL order's (issue 9: BTC valued at AAPL's ask)", () => {
    const openSpy = order({ symbol: "SPY", ordType: "Market", orderQty: "10" }, "Submitted");
    const { ctx } = orderRisk([openSpy]).check(order({ symbol: "AAPL", orderQty: "1" }, "Pending"));
    expect(ctx.openBuyNotional as Decimal).toBe("5713");
  });

  it("counts held stops and working orders toward the position's worst case", () => {
    const resting = order({ orderQty: "1000", price: "100" });
    const heldStop = order({ ordType: "Stop", stopPx: "200", orderQty: "300" }, "Validated");
    const { denial, ctx } = orderRisk([resting, heldStop]).check(order({ orderQty: "1", price: "189.50" }, "Pending"));
    expect(ctx).toMatchObject({ workingBuyQty: "1300", workingSellQty: "0", openOrders: 2 });
    expect(denial).toBeNull();
  });

  it("refuses a sell limit at 0.01 when the symbol has no quote: no collar, fail closed", () => {
    const { denial } = orderRisk([], { SPY: QUOTES.SPY }).check(order({ symbol: "AAPL", side: "Sell", price: "0.01" }, "Pending"));
    expect(denial?.code).toBe("NO_REFERENCE_PRICE");
  });
});
