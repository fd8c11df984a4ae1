import { money, type Order, type SubmitOrderInput, submitOrderInput } from "@fillmore/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOrder, type RiskContext } from "./checks";

/** A freshly received order, built from input that passed the real schema. */
function order(input: Partial<SubmitOrderInput> = {}): Order {
  const o = submitOrderInput.parse({
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "100",
    price: "189.50",
    ...input,
  });
  return {
    orderId: "O1",
    clOrdId: o.clOrdId ?? "O1",
    accountId: o.accountId,
    symbol: o.symbol,
    side: o.side,
    ordType: o.ordType,
    timeInForce: o.timeInForce,
    orderQty: money.normalize(o.orderQty),
    price: o.price === undefined ? null : money.normalize(o.price),
    stopPx: o.stopPx === undefined ? null : money.normalize(o.stopPx),
    expireTime: o.expireTime ?? null,
    ordStatus: "Pending",
    previousStatus: null,
    cumQty: "0",
    leavesQty: money.normalize(o.orderQty),
    avgPx: "0",
    notional: "0",
    venueId: null,
    venueOrderId: null,
    strategy: null,
    createdBy: "user:alice",
    rejectSource: null,
    rejectReason: null,
    lateFill: false,
    createdAt: "2025-01-02T14:30:00.000000Z",
    updatedAt: "2025-01-02T14:30:00.000000Z",
    lastSeq: 1,
  };
}

const AAPL = { symbol: "AAPL", tickSize: "0.01", lotSize: "1", tradable: true };

function context(overrides: Partial<RiskContext> = {}): RiskContext {
  return {
    instrument: AAPL,
    accountKnown: true,
    limits: { maxOrderQty: "1000", maxOrderNotional: "100000" },
    referencePx: "189.52",
    ...overrides,
  };
}

describe("checkOrder", () => {
  it("passes an order within every limit", () => {
    expect(checkOrder(order(), context())).toBeNull();
    expect(checkOrder(order({ ordType: "Market", price: undefined }), context())).toBeNull();
  });

  it.each<[string, Order, RiskContext, string[]]>([
    ["UNKNOWN_ACCOUNT", order(), context({ accountKnown: false }), ["ACC-ALPHA"]],
    ["UNKNOWN_INSTRUMENT", order(), context({ instrument: undefined }), ["AAPL"]],
    ["INSTRUMENT_NOT_TRADABLE", order(), context({ instrument: { ...AAPL, tradable: false } }), ["AAPL"]],
    ["INVALID_LOT_SIZE", order({ orderQty: "150" }), context({ instrument: { ...AAPL, lotSize: "100" } }), ["150", "100"]],
    ["INVALID_TICK_SIZE", order({ price: "189.555" }), context(), ["price", "189.555", "0.01"]],
    ["INVALID_TICK_SIZE", order({ ordType: "StopLimit", stopPx: "190.001" }), context(), ["stopPx", "190.001", "0.01"]],
    ["MAX_ORDER_QTY", order({ orderQty: "1001" }), context(), ["1001", "1000"]],
    ["MAX_ORDER_NOTIONAL", order({ orderQty: "900", price: "200" }), context(), ["180000", "100000"]],
    [
      "MAX_ORDER_NOTIONAL",
      order({ ordType: "Market", price: undefined, orderQty: "600" }),
      context({ referencePx: "200" }),
      ["120000", "100000"],
    ],
    ["NO_REFERENCE_PRICE", order({ ordType: "Market", price: undefined }), context({ referencePx: undefined }), ["Market", "AAPL"]],
  ])("denies with %s, naming the limit and the value", (code, o, ctx, named) => {
    const denial = checkOrder(o, ctx);
    expect(denial?.code).toBe(code);
    for (const text of named) expect(denial?.reason).toContain(text);
  });

  it("reports the first rule broken", () => {
    const everythingWrong = order({ orderQty: "1500.5", price: "189.555" });
    expect(checkOrder(everythingWrong, context({ accountKnown: false, instrument: undefined }))?.code).toBe("UNKNOWN_ACCOUNT");
    expect(checkOrder(everythingWrong, context({ instrument: undefined }))?.code).toBe("UNKNOWN_INSTRUMENT");
    expect(checkOrder(everythingWrong, context())?.code).toBe("INVALID_LOT_SIZE");
  });

  it("passes any order on lot and tick within the quantity and notional limits", () => {
    const arb = fc
      .record({
        lotSize: fc.constantFrom("1", "100", "0.5", "0.001"),
        tickSize: fc.constantFrom("0.01", "0.05", "0.00001", "1"),
        maxLots: fc.integer({ min: 1, max: 10_000 }),
        lots: fc.integer({ min: 1, max: 10_000 }),
        ticks: fc.integer({ min: 1, max: 1_000_000 }),
        market: fc.boolean(),
        side: fc.constantFrom("Buy" as const, "Sell" as const),
      })
      .filter((r) => r.lots <= r.maxLots);
    fc.assert(
      fc.property(arb, ({ lotSize, tickSize, maxLots, lots, ticks, market, side }) => {
        const qty = money.mul(String(lots), lotSize);
        const px = money.mul(String(ticks), tickSize);
        const notional = money.mul(qty, px);
        const o = order({ orderQty: qty, side, ...(market ? { ordType: "Market", price: undefined } : { price: px }) });
        const ctx = context({
          instrument: { symbol: "AAPL", tickSize, lotSize, tradable: true },
          limits: { maxOrderQty: money.mul(String(maxLots), lotSize), maxOrderNotional: notional },
          referencePx: px,
        });
        expect(checkOrder(o, ctx)).toBeNull();
      }),
    );
  });

  it("refuses any quantity over the limit, with MAX_ORDER_QTY or an earlier rule", () => {
    const earlier = ["UNKNOWN_ACCOUNT", "UNKNOWN_INSTRUMENT", "INSTRUMENT_NOT_TRADABLE", "INVALID_LOT_SIZE", "INVALID_TICK_SIZE"];
    const arb = fc.record({
      maxQty: fc.integer({ min: 1, max: 100_000 }),
      excessHundredths: fc.integer({ min: 1, max: 1_000_000 }),
      priceHundredths: fc.integer({ min: 1, max: 1_000_000 }),
      accountKnown: fc.boolean(),
      instrument: fc.option(
        fc.record({ tradable: fc.boolean(), lotSize: fc.constantFrom("1", "0.01", "10"), tickSize: fc.constantFrom("0.01", "0.1") }),
      ),
    });
    fc.assert(
      fc.property(arb, ({ maxQty, excessHundredths, priceHundredths, accountKnown, instrument }) => {
        const qty = money.add(String(maxQty), money.div(String(excessHundredths), "100", 2));
        const price = money.div(String(priceHundredths), "100", 2);
        const ctx = context({
          accountKnown,
          instrument: instrument ? { symbol: "AAPL", ...instrument } : undefined,
          limits: { maxOrderQty: String(maxQty), maxOrderNotional: "1000000000000" },
        });
        const denial = checkOrder(order({ orderQty: qty, price }), ctx);
        expect(denial).not.toBeNull();
        expect([...earlier, "MAX_ORDER_QTY"]).toContain(denial?.code);
        if (denial?.code === "MAX_ORDER_QTY") expect(denial.reason).toBe(`quantity ${qty} exceeds the limit ${maxQty}`);
      }),
    );
  });
});
