import { DEFAULT_RISK_LIMITS, money, type Order, type RiskLimits, type SubmitOrderInput, type TradingState } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOrder, type RiskContext } from "./checks";
import { AAPL, limits, riskContext } from "./test-context";

const order = (input: Partial<SubmitOrderInput> = {}): Order => orderFrom(input);

const context = riskContext;

/** Limits so wide that no rule but the one under test can refuse. */
const WIDE: RiskLimits = {
  ...DEFAULT_RISK_LIMITS,
  maxOrderQty: "1000000000",
  maxOrderNotional: "1000000000000000",
  priceCollarPct: "99",
  maxPositionQty: "1000000000000",
  maxOpenOrders: 100_000,
  buyingPower: "1000000000000000",
};

const side = fc.constantFrom("Buy" as const, "Sell" as const);
/** Cents as a decimal string: 12345 -> "123.45". */
const cents = (n: number) => money.div(String(n), "100", 2);

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
    [
      "INVALID_TICK_SIZE",
      order({ ordType: "TrailingStop", price: undefined, trailAmount: "0.005" }),
      context(),
      ["trailAmount", "0.005", "0.01"],
    ],
    ["MAX_ORDER_QTY", order({ orderQty: "1001" }), context(), ["1001", "1000"]],
    ["MAX_ORDER_NOTIONAL", order({ orderQty: "900", price: "200" }), context({ midPx: "200" }), ["180000", "100000"]],
    [
      "MAX_ORDER_NOTIONAL",
      order({ ordType: "Market", price: undefined, orderQty: "600" }),
      context({ referencePx: "200" }),
      ["120000", "100000"],
    ],
    ["NO_REFERENCE_PRICE", order({ ordType: "Market", price: undefined }), context({ referencePx: undefined }), ["Market", "AAPL"]],
    ["TRADING_HALTED", order(), context({ tradingState: "HALTED" }), ["HALTED", "ACC-ALPHA", "AAPL"]],
    ["RESTRICTED_SYMBOL", order(), context({ limits: limits({ restrictedSymbols: ["TSLA", "AAPL"] }) }), ["AAPL", "restricted"]],
    ["PRICE_COLLAR", order({ price: "210" }), context(), ["210", "10%", "189.51", "170.559", "208.461"]],
    ["PRICE_COLLAR", order({ side: "Sell", price: "170.55" }), context(), ["170.55", "10%", "189.51", "170.559"]],
    ["TRADING_REDUCING", order({ orderQty: "10" }), context({ tradingState: "REDUCING", position: "50" }), ["REDUCING", "Buy", "10", "50"]],
    [
      "MAX_POSITION",
      order({ orderQty: "100" }),
      context({ position: "950", limits: limits({ maxPositionQty: "1000" }) }),
      ["1050", "1000"],
    ],
    [
      "MAX_POSITION",
      order({ side: "Sell", orderQty: "100" }),
      context({ position: "-950", limits: limits({ maxPositionQty: "1000" }) }),
      ["-1050", "1000"],
    ],
    ["MAX_OPEN_ORDERS", order(), context({ openOrders: 4, limits: limits({ maxOpenOrders: 3 }) }), ["4", "3"]],
    [
      "BUYING_POWER",
      order({ orderQty: "100", price: "189.50" }),
      context({ openBuyNotional: "90000", limits: limits({ buyingPower: "100000" }) }),
      ["108950", "100000"],
    ],
    [
      "BUYING_POWER",
      order({ ordType: "Market", price: undefined, orderQty: "10" }),
      context({ referencePx: "200", openBuyNotional: "999", limits: limits({ buyingPower: "2500" }) }),
      ["2999", "2500"],
    ],
    [
      "ORDER_RATE",
      order(),
      context({ tokensAvailable: 0.5, limits: limits({ ordersPerSecond: 5, orderBurst: 10 }) }),
      ["ACC-ALPHA", "5", "10"],
    ],
  ])("denies with %s, naming the limit and the value", (code, o, ctx, named) => {
    const denial = checkOrder(o, ctx);
    expect(denial?.code).toBe(code);
    for (const text of named) expect(denial?.reason).toContain(text);
  });

  it("does not count a sell against buying power", () => {
    const ctx = context({ openBuyNotional: "99999", limits: limits({ buyingPower: "100000" }) });
    expect(checkOrder(order({ side: "Sell" }), ctx)).toBeNull();
    expect(checkOrder(order({ side: "Buy" }), ctx)?.code).toBe("BUYING_POWER");
  });

  it("allows open orders up to one below the limit", () => {
    const ctx = (openOrders: number) => context({ openOrders, limits: limits({ maxOpenOrders: 3 }) });
    expect(checkOrder(order(), ctx(2))).toBeNull();
    expect(checkOrder(order(), ctx(3))?.code).toBe("MAX_OPEN_ORDERS");
  });

  it.each<[string, "Buy" | "Sell", string, "passes" | "refused"]>([
    ["100", "Sell", "50", "passes"],
    ["100", "Sell", "100", "passes"],
    ["-100", "Buy", "60", "passes"],
    ["-100", "Buy", "100", "passes"],
    ["100", "Buy", "10", "refused"],
    ["-100", "Sell", "1", "refused"],
    ["100", "Sell", "150", "refused"],
    ["-100", "Buy", "101", "refused"],
    ["0", "Buy", "1", "refused"],
    ["0", "Sell", "1", "refused"],
  ])("while REDUCING, with position %s a %s of %s is %s", (position, s, qty, outcome) => {
    const denial = checkOrder(order({ side: s, orderQty: qty }), context({ tradingState: "REDUCING", position }));
    if (outcome === "passes") expect(denial).toBeNull();
    else expect(denial).toEqual({ code: "TRADING_REDUCING", reason: expect.stringContaining(`${s} ${qty}`) });
  });

  it("refuses every order while HALTED, even one that reduces the position or breaks other rules", () => {
    fc.assert(
      fc.property(
        fc.record({
          side,
          qty: fc.integer({ min: 1, max: 1_000_000 }),
          position: fc.integer({ min: -1_000_000, max: 1_000_000 }),
          market: fc.boolean(),
          accountKnown: fc.boolean(),
        }),
        ({ side: s, qty, position, market, accountKnown }) => {
          const o = order({ side: s, orderQty: String(qty), ...(market ? { ordType: "Market", price: undefined } : {}) });
          const denial = checkOrder(o, context({ tradingState: "HALTED", position: String(position), accountKnown }));
          expect(denial?.code).toBe("TRADING_HALTED");
        },
      ),
    );
  });

  it("reports the first rule broken", () => {
    const everythingWrong = order({ orderQty: "1500.5", price: "189.555" });
    expect(checkOrder(everythingWrong, context({ accountKnown: false, instrument: undefined }))?.code).toBe("UNKNOWN_ACCOUNT");
    expect(checkOrder(everythingWrong, context({ instrument: undefined }))?.code).toBe("UNKNOWN_INSTRUMENT");
    expect(checkOrder(everythingWrong, context())?.code).toBe("INVALID_LOT_SIZE");
  });

  it("passes any order within every limit", () => {
    const arb = fc.record({
      lotSize: fc.constantFrom("1", "100", "0.5", "0.001"),
      tickSize: fc.constantFrom("0.01", "0.05", "0.00001", "1"),
      lots: fc.integer({ min: 1, max: 10_000 }),
      ticks: fc.integer({ min: 1, max: 1_000_000 }),
      market: fc.boolean(),
      side,
      state: fc.constantFrom<TradingState>("ACTIVE", "REDUCING"),
      positionLots: fc.integer({ min: -20_000, max: 20_000 }),
      collarPct: fc.integer({ min: 0, max: 90 }),
      openOrdersRoom: fc.integer({ min: 1, max: 1000 }),
      openOrders: fc.nat({ max: 1000 }),
      openBuyNotional: fc.integer({ min: 0, max: 1_000_000 }),
      slack: fc.integer({ min: 0, max: 1000 }),
      tokens: fc.double({ min: 1, max: 1000, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, (r) => {
        const qty = money.mul(String(r.lots), r.lotSize);
        const px = money.mul(String(r.ticks), r.tickSize);
        const notional = money.mul(qty, px);
        // REDUCING only lets through an order that shrinks the position without flipping it.
        const reduce = r.state === "REDUCING";
        const s = reduce ? (r.positionLots >= 0 ? "Sell" : "Buy") : r.side;
        const positionLots = reduce
          ? r.positionLots >= 0
            ? r.lots + Math.abs(r.positionLots)
            : -(r.lots + Math.abs(r.positionLots))
          : r.positionLots;
        const position = money.mul(String(positionLots), r.lotSize);
        const after = money.add(position, s === "Buy" ? qty : money.neg(qty));
        const o = order({ orderQty: qty, side: s, ...(r.market ? { ordType: "Market", price: undefined } : { price: px }) });
        const ctx = context({
          instrument: { symbol: "AAPL", tickSize: r.tickSize, lotSize: r.lotSize, tradable: true },
          limits: {
            ...DEFAULT_RISK_LIMITS,
            maxOrderQty: money.add(qty, String(r.slack)),
            maxOrderNotional: money.add(notional, String(r.slack)),
            // the mid sits collarPct% above the limit price; the collar band is wider than that
            priceCollarPct: String(r.collarPct + 1),
            maxPositionQty: money.add(money.abs(after), String(r.slack)),
            maxOpenOrders: r.openOrders + r.openOrdersRoom,
            buyingPower: money.add(money.add(String(r.openBuyNotional), notional), String(r.slack)),
            restrictedSymbols: ["MSFT"],
          },
          tradingState: r.state,
          referencePx: px,
          midPx: money.div(money.mul(px, String(100 + r.collarPct)), "100", 12),
          position,
          openOrders: r.openOrders,
          openBuyNotional: String(r.openBuyNotional),
          tokensAvailable: r.tokens,
        });
        expect(checkOrder(o, ctx)).toBeNull();
      }),
    );
  });

  it("refuses with MAX_POSITION exactly when the worst case on the order's side would exceed the limit", () => {
    const arb = fc.record({
      position: fc.integer({ min: -2_000_000, max: 2_000_000 }),
      working: fc.integer({ min: 0, max: 1_000_000 }),
      qty: fc.integer({ min: 1, max: 1_000_000 }),
      maxPosition: fc.integer({ min: 1, max: 2_000_000 }),
      side,
      market: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ position, working, qty, maxPosition, side: s, market }) => {
        const o = order({ side: s, orderQty: String(qty), ...(market ? { ordType: "Market", price: undefined } : { price: "189.50" }) });
        const ctx = context({
          position: String(position),
          workingBuyQty: s === "Buy" ? String(working) : "0",
          workingSellQty: s === "Sell" ? String(working) : "0",
          limits: { ...WIDE, maxPositionQty: String(maxPosition) },
        });
        // Every buy fills and no sell does (or the other way round): the side the order adds to.
        const worst = s === "Buy" ? position + working + qty : position - working - qty;
        const beyond = s === "Buy" ? worst > maxPosition : worst < -maxPosition;
        const denial = checkOrder(o, ctx);
        if (beyond) {
          expect(denial?.code).toBe("MAX_POSITION");
          expect(denial?.reason).toContain(`worst-case position would be ${worst} `);
          expect(denial?.reason).toContain(`beyond the limit ${maxPosition}`);
        } else {
          expect(denial).toBeNull();
        }
      }),
    );
  });

  it("refuses with PRICE_COLLAR exactly when the limit price lies outside mid ± pct", () => {
    const arb = fc.record({
      midCents: fc.integer({ min: 100, max: 10_000_000 }),
      /** Percentage in hundredths: 1 = 0.01%, 9900 = 99%. */
      pctHundredths: fc.integer({ min: 1, max: 9900 }),
      /** Offset from the mid as a fraction of twice the band, so both sides of each edge are hit. */
      offsetFraction: fc.integer({ min: -2000, max: 2000 }),
      nudge: fc.integer({ min: -2, max: 2 }),
      side,
    });
    fc.assert(
      fc.property(arb, ({ midCents, pctHundredths, offsetFraction, nudge, side: s }) => {
        const bandCents = Math.floor((midCents * pctHundredths) / 10_000);
        const priceCents = Math.max(1, midCents + Math.round((bandCents * offsetFraction) / 1000) + nudge);
        const outside = Math.abs(priceCents - midCents) * 10_000 > midCents * pctHundredths;
        const o = order({ side: s, orderQty: "1", price: cents(priceCents) });
        const ctx = context({ midPx: cents(midCents), limits: { ...WIDE, priceCollarPct: money.div(String(pctHundredths), "100", 2) } });
        const denial = checkOrder(o, ctx);
        if (outside) expect(denial?.code).toBe("PRICE_COLLAR");
        else expect(denial).toBeNull();
      }),
      { numRuns: 500 },
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
          limits: limits({ maxOrderQty: String(maxQty), maxOrderNotional: "1000000000000" }),
        });
        const denial = checkOrder(order({ orderQty: qty, price }), ctx);
        expect(denial).not.toBeNull();
        expect([...earlier, "MAX_ORDER_QTY"]).toContain(denial?.code);
        if (denial?.code === "MAX_ORDER_QTY") expect(denial.reason).toBe(`quantity ${qty} exceeds the limit ${maxQty}`);
      }),
    );
  });
});

describe("walk-arounds of pre-trade risk (issue 9)", () => {
  it("five buys of 1,000 against maxPositionQty 1,000: the second is refused, the first still working counts", () => {
    const ctx = (workingBuyQty: string) => context({ workingBuyQty, limits: { ...WIDE, maxPositionQty: "1000" } });
    expect(checkOrder(order({ orderQty: "1000" }), ctx("0"))).toBeNull();
    const denial = checkOrder(order({ orderQty: "1000" }), ctx("1000"));
    expect(denial?.code).toBe("MAX_POSITION");
    expect(denial?.reason).toContain("worst-case position would be 2000");
    expect(denial?.reason).toContain("working buys 1000");
  });

  it("REDUCING: long 100 and a working sell of 100, a second sell of 100 would cross zero and is refused", () => {
    const ctx = (workingSellQty: string) => context({ tradingState: "REDUCING", position: "100", workingSellQty, limits: WIDE });
    expect(checkOrder(order({ side: "Sell", orderQty: "100" }), ctx("0"))).toBeNull();
    const denial = checkOrder(order({ side: "Sell", orderQty: "100" }), ctx("100"));
    expect(denial?.code).toBe("TRADING_REDUCING");
    expect(denial?.reason).toContain("worst case -100");
    // what is left to reduce may still go
    expect(checkOrder(order({ side: "Sell", orderQty: "40" }), ctx("60"))).toBeNull();
  });

  it("REDUCING: a buy that would turn a short of 100 long in the worst case is refused", () => {
    const ctx = context({ tradingState: "REDUCING", position: "-100", workingBuyQty: "80", limits: WIDE });
    expect(checkOrder(order({ orderQty: "20" }), ctx)).toBeNull();
    expect(checkOrder(order({ orderQty: "21" }), ctx)?.code).toBe("TRADING_REDUCING");
  });

  it("a sell that only brings a long position over the limit back toward zero is not refused by MAX_POSITION", () => {
    const ctx = context({ position: "5000", workingBuyQty: "0", limits: { ...WIDE, maxPositionQty: "1000" } });
    expect(checkOrder(order({ side: "Sell", orderQty: "4000" }), ctx)).toBeNull();
    expect(checkOrder(order({ side: "Sell", orderQty: "6001" }), ctx)?.code).toBe("MAX_POSITION");
    expect(checkOrder(order({ side: "Buy", orderQty: "1" }), ctx)?.code).toBe("MAX_POSITION");
  });

  it("a 1,000 order with 999 filled, modified to 1,999: refused against maxOrderQty 1,000 on the whole new quantity", () => {
    const modified: Order = {
      ...order({ orderQty: "1000" }),
      orderQty: "1999",
      cumQty: "999",
      leavesQty: "1000",
      ordStatus: "PartiallyFilled",
    };
    const denial = checkOrder(modified, context({ position: "999", limits: { ...WIDE, maxOrderQty: "1000" } }));
    expect(denial).toEqual({ code: "MAX_ORDER_QTY", reason: "quantity 1999 exceeds the limit 1000" });
  });

  it("a 1,000 order with 999 filled, modified to 1,999: refused against maxPositionQty 1,000 (filled 999 plus 1,000 new leaves)", () => {
    const modified: Order = {
      ...order({ orderQty: "1000" }),
      orderQty: "1999",
      cumQty: "999",
      leavesQty: "1000",
      ordStatus: "PartiallyFilled",
    };
    const denial = checkOrder(modified, context({ position: "999", limits: { ...WIDE, maxPositionQty: "1000" } }));
    expect(denial?.code).toBe("MAX_POSITION");
    expect(denial?.reason).toContain("worst-case position would be 1999");
    // modified down to what the limit allows, it passes
    expect(
      checkOrder(
        { ...modified, orderQty: "1000", leavesQty: "1" },
        context({ position: "999", limits: { ...WIDE, maxPositionQty: "1000" } }),
      ),
    ).toBeNull();
  });

  it("buying power counts a modified order's new leaves only, at its new price", () => {
    const modified: Order = {
      ...order({ orderQty: "100", price: "10" }),
      orderQty: "150",
      cumQty: "100",
      leavesQty: "50",
      ordStatus: "PartiallyFilled",
    };
    expect(checkOrder(modified, context({ midPx: "10", limits: { ...WIDE, priceCollarPct: "10", buyingPower: "500" } }))).toBeNull();
    expect(checkOrder(modified, context({ midPx: "10", limits: { ...WIDE, priceCollarPct: "10", buyingPower: "499.99" } }))?.code).toBe(
      "BUYING_POWER",
    );
  });

  it("no quote, no collar: a sell limit at 0.01 is refused with NO_REFERENCE_PRICE", () => {
    const denial = checkOrder(order({ side: "Sell", price: "0.01" }), context({ midPx: undefined, referencePx: undefined, limits: WIDE }));
    expect(denial?.code).toBe("NO_REFERENCE_PRICE");
    expect(denial?.reason).toContain("0.01");
    expect(denial?.reason).toContain("AAPL");
  });

  it("no quote: a limit order goes when the instrument allows it explicitly (allowNoReferencePrice)", () => {
    const ctx = context({ midPx: undefined, referencePx: undefined, instrument: { ...AAPL, allowNoReferencePrice: true }, limits: WIDE });
    expect(checkOrder(order({ side: "Sell", price: "0.01" }), ctx)).toBeNull();
  });

  it("a new buy is refused while an open buy cannot be valued (no limit, no stop, no quote)", () => {
    const ctx = context({ unpricedOpenBuys: ["O7 (SPY)"], limits: WIDE });
    const denial = checkOrder(order(), ctx);
    expect(denial?.code).toBe("BUYING_POWER");
    expect(denial?.reason).toContain("O7 (SPY)");
    expect(checkOrder(order({ side: "Sell" }), ctx)).toBeNull();
  });
});
