import { money, type Order, type SubmitOrderInput } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomWalkFeed } from "../../marketdata/quotes";
import type { VenueReport } from "../adapter";
import { SimVenue } from "./sim-venue";

const AAPL = { symbol: "AAPL", tickSize: "0.01", lotSize: "100", refPrice: "189.50" };

let nextId = 0;

/** An order as the engine sends it: a market buy of 500 unless told otherwise, already Submitted. */
function order(input: Partial<SubmitOrderInput> = {}): Order {
  nextId += 1;
  const received = orderFrom({ ordType: "Market", orderQty: "500", ...input }, { orderId: `O${nextId}` });
  return { ...received, ordStatus: "Submitted", venueId: "SIM-A", lastSeq: 1 };
}

/** A connected venue on a feed that only moves when the test calls `feed.step()`, with every report collected. */
async function setup(options: { partialFillRate?: number; seed?: number; feedSeed?: number } = {}) {
  const feed = new RandomWalkFeed([AAPL], 1000, options.feedSeed ?? 42);
  const venue = new SimVenue({
    name: "SIM-A",
    feed,
    lotSize: () => AAPL.lotSize,
    latencyMs: 0,
    partialFillRate: options.partialFillRate ?? 0,
    seed: options.seed,
  });
  const reports: VenueReport[] = [];
  venue.onReport((r) => reports.push(r));
  await venue.connect();
  const quote = () => {
    const q = feed.quote("AAPL");
    if (!q) throw new Error("no AAPL quote");
    return q;
  };
  return { feed, venue, reports, quote };
}

/** Reports are emitted from a microtask; let them run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const fillsOf = (reports: VenueReport[]) => reports.flatMap((r) => (r.kind === "fill" ? [r] : []));
/** The fills as the venue's order status lists them. */
const venueFills = (reports: VenueReport[]) => fillsOf(reports).map(({ execId, lastQty, lastPx }) => ({ execId, lastQty, lastPx }));

async function stateOf(venue: SimVenue, orderId: string) {
  const status = await venue.getOrderStatus(orderId);
  return status.known ? status.state : "unknown";
}

describe("SimVenue", () => {
  it("accepts a market buy and fills all of it at the ask", async () => {
    const { venue, reports, quote } = await setup();
    const o = order({ orderQty: "500" });
    const { ask } = quote();
    await venue.submitOrder(o);
    await settle();

    expect(reports[0]).toEqual({ kind: "accepted", orderId: o.orderId, venueOrderId: `SIM-A-${o.orderId}` });
    const fills = fillsOf(reports);
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) expect(f.lastPx).toBe(ask);
    expect(money.sum(fills.map((f) => f.lastQty))).toBe("500");
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({
      known: true,
      state: "filled",
      orderQty: "500",
      cumQty: "500",
      fills: venueFills(reports),
    });
  });

  it("fills a market sell at the bid", async () => {
    const { venue, reports, quote } = await setup();
    const { bid } = quote();
    await venue.submitOrder(order({ side: "Sell", orderQty: "200" }));
    await settle();
    expect(fillsOf(reports)).toEqual([expect.objectContaining({ lastQty: "200", lastPx: bid })]);
  });

  it("rests a passive limit without filling, and cancels it on request", async () => {
    const { venue, reports, quote } = await setup();
    const o = order({ ordType: "Limit", price: money.sub(quote().bid, "5"), timeInForce: "GTC" });
    await venue.submitOrder(o);
    await settle();
    expect(reports.map((r) => r.kind)).toEqual(["accepted"]);
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ known: true, state: "working", orderQty: "500", cumQty: "0", fills: [] });

    await venue.cancelOrder(o);
    await settle();
    expect(reports.at(-1)).toEqual({ kind: "cancelled", orderId: o.orderId, reason: "cancelled on request" });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ known: true, state: "cancelled", reason: "cancelled on request" });
  });

  it("fills a resting limit once the quote crosses it", async () => {
    const { feed, venue, reports, quote } = await setup();
    const price = money.sub(quote().ask, "0.05");
    const o = order({ ordType: "Limit", price, orderQty: "100" });
    await venue.submitOrder(o);
    for (let i = 0; i < 500 && fillsOf(reports).length === 0; i++) feed.step();
    await settle();
    const [f] = fillsOf(reports);
    expect(f?.lastQty).toBe("100");
    expect(money.lte(f?.lastPx ?? "Infinity", price)).toBe(true);
  });

  it("fills a marketable limit in parts when the venue is thin", async () => {
    const { feed, venue, reports, quote } = await setup({ partialFillRate: 1 });
    const o = order({ ordType: "Limit", price: money.add(quote().ask, "1"), orderQty: "1000" });
    await venue.submitOrder(o);
    await settle();
    const [first] = fillsOf(reports);
    expect(money.lt(first?.lastQty ?? "1000", "1000")).toBe(true);
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ state: "working", cumQty: first?.lastQty });

    for (let i = 0; i < 200 && (await stateOf(venue, o.orderId)) === "working"; i++) feed.step();
    const fills = fillsOf(reports);
    expect(fills.length).toBeGreaterThan(1);
    expect(money.sum(fills.map((f) => f.lastQty))).toBe("1000");
  });

  it("refuses to cancel an order it does not hold, and says it does not know it", async () => {
    const { venue, reports } = await setup();
    const o = order();
    await venue.cancelOrder(o);
    await settle();
    expect(reports).toEqual([{ kind: "cancelRejected", orderId: o.orderId, reason: expect.stringContaining("not working") }]);
    expect(await venue.getOrderStatus(o.orderId)).toEqual({ orderId: o.orderId, known: false });
  });

  it("cancels an IOC limit that cannot trade at once", async () => {
    const { venue, reports, quote } = await setup();
    const o = order({ ordType: "Limit", price: money.sub(quote().bid, "1"), timeInForce: "IOC" });
    await venue.submitOrder(o);
    await settle();
    expect(reports.map((r) => r.kind)).toEqual(["accepted", "cancelled"]);
    expect(reports[1]).toMatchObject({ orderId: o.orderId, reason: "IOC remainder cancelled" });
  });

  it("rejects an order type it does not support", async () => {
    const { venue, reports, quote } = await setup();
    const o = order({ ordType: "StopLimit", price: quote().ask, stopPx: quote().ask });
    await venue.submitOrder(o);
    await settle();
    expect(reports).toEqual([{ kind: "rejected", orderId: o.orderId, reason: "StopLimit orders are not supported by SIM-A" }]);
  });

  it("replaces a resting limit's quantity and price, and keeps it working", async () => {
    const { venue, reports, quote } = await setup();
    const o = order({ ordType: "Limit", price: money.sub(quote().bid, "5"), orderQty: "500", timeInForce: "GTC" });
    await venue.submitOrder(o);
    await settle();
    const price = money.sub(quote().bid, "4");
    await venue.modifyOrder(o, { orderQty: "800", price, stopPx: null });
    await settle();
    expect(reports.map((r) => r.kind)).toEqual(["accepted", "replaced"]);
    expect(reports[1]).toEqual({ kind: "replaced", orderId: o.orderId, orderQty: "800", price, stopPx: null });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ known: true, state: "working", orderQty: "800", price, cumQty: "0" });
  });

  it("fills a resting limit at once when the replace makes it marketable", async () => {
    const { venue, reports, quote } = await setup();
    const o = order({ ordType: "Limit", price: money.sub(quote().bid, "5"), orderQty: "300", timeInForce: "GTC" });
    await venue.submitOrder(o);
    await settle();
    const { ask } = quote();
    await venue.modifyOrder(o, { orderQty: "300", price: money.add(ask, "1"), stopPx: null });
    await settle();
    expect(reports.map((r) => r.kind)).toEqual(["accepted", "replaced", "fill"]);
    expect(reports[2]).toMatchObject({ lastQty: "300", lastPx: ask });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ state: "filled", cumQty: "300" });
  });

  it("refuses to replace an order it does not hold, or below what has filled", async () => {
    const { venue, reports, quote } = await setup({ partialFillRate: 1 });
    const unknown = order();
    await venue.modifyOrder(unknown, { orderQty: "900", price: null, stopPx: null });
    await settle();
    expect(reports).toEqual([{ kind: "replaceRejected", orderId: unknown.orderId, reason: expect.stringContaining("not working") }]);

    const o = order({ ordType: "Limit", price: money.add(quote().ask, "1"), orderQty: "1000" });
    await venue.submitOrder(o);
    await settle();
    const status = await venue.getOrderStatus(o.orderId);
    const filled = status.known ? status.cumQty : "0";
    expect(money.isPositive(filled)).toBe(true);
    await venue.modifyOrder(o, { orderQty: filled, price: o.price, stopPx: null });
    await settle();
    expect(reports.at(-1)).toEqual({
      kind: "replaceRejected",
      orderId: o.orderId,
      reason: `new quantity ${filled} is not above the filled ${filled}`,
    });
  });

  it("never fills more than the order, and only in whole lots", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          feedSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          partialFillRate: fc.double({ min: 0, max: 1, noNaN: true }),
          lots: fc.integer({ min: 1, max: 50 }),
          side: fc.constantFrom("Buy" as const, "Sell" as const),
          offsetTicks: fc.integer({ min: -10, max: 10 }),
          timeInForce: fc.constantFrom("DAY" as const, "IOC" as const, "FOK" as const),
        }),
        async ({ seed, feedSeed, partialFillRate, lots, side, offsetTicks, timeInForce }) => {
          const { feed, venue, reports, quote } = await setup({ seed, feedSeed, partialFillRate });
          const orderQty = money.mul(String(lots), AAPL.lotSize);
          const price = money.add(quote().last, money.mul(String(offsetTicks), AAPL.tickSize));
          const o = order({ ordType: "Limit", side, price, orderQty, timeInForce });
          await venue.submitOrder(o);
          await settle();
          for (let i = 0; i < 30; i++) feed.step();

          const fills = fillsOf(reports);
          const filled = money.sum(fills.map((f) => f.lastQty));
          for (const f of fills) {
            expect(money.isPositive(f.lastQty)).toBe(true);
            expect(money.isMultipleOf(f.lastQty, AAPL.lotSize)).toBe(true);
            expect(side === "Buy" ? money.lte(f.lastPx, price) : money.gte(f.lastPx, price)).toBe(true);
          }
          expect(money.lte(filled, orderQty)).toBe(true);
          if (timeInForce === "FOK") expect(["0", orderQty]).toContain(filled);
          const status = await venue.getOrderStatus(o.orderId);
          expect(status).toMatchObject({ known: true, orderQty, cumQty: filled, fills: venueFills(reports) });
          const state = status.known ? status.state : "unknown";
          expect(state === "filled").toBe(filled === orderQty);
          // only a DAY order is left working; IOC and FOK are filled or cancelled on arrival
          if (timeInForce !== "DAY") expect(state).not.toBe("working");
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("SimVenue character: displayed depth and slippage", () => {
  async function characterised(character: { displayedDepth?: number; slippageBps?: number; levelBps?: number }) {
    const s = await setup();
    s.venue.setCharacter(character);
    return s;
  }

  it("a taking order larger than the displayed depth walks the book, one level (1 bps, at least a cent) per depth", async () => {
    const { venue, reports, quote } = await characterised({ displayedDepth: 200 });
    const { ask } = quote();
    const step = money.max("0.01", money.round(money.div(money.mul(ask, "1"), "10000", 6), 2));
    const o = order({ orderQty: "500" });
    await venue.submitOrder(o);
    await settle();
    expect(fillsOf(reports).map((f) => [f.lastQty, f.lastPx, f.liquidity])).toEqual([
      ["200", ask, "taker"],
      ["200", money.normalize(money.add(ask, step)), "taker"],
      ["100", money.normalize(money.add(ask, money.mul("2", step))), "taker"],
    ]);
    expect(await stateOf(venue, o.orderId)).toBe("filled");
  });

  it("a marketable limit takes the levels up to its price only; the rest keeps working", async () => {
    const { venue, reports, quote } = await characterised({ displayedDepth: 200 });
    const { bid } = quote();
    const o = order({ side: "Sell", ordType: "Limit", price: bid, orderQty: "500", timeInForce: "DAY" });
    await venue.submitOrder(o);
    await settle();
    expect(fillsOf(reports).map((f) => [f.lastQty, f.lastPx])).toEqual([["200", bid]]);
    expect(await stateOf(venue, o.orderId)).toBe("working");
  });

  it("slippage: taking fills land within slippageBps worse than the touch and never past a limit", async () => {
    const { venue, reports, quote } = await characterised({ slippageBps: 3 });
    const { bid, ask } = quote();
    const worst = (px: string) => money.round(money.div(money.mul(px, "3"), "10000", 8), 2);
    for (let i = 0; i < 40; i += 1) await venue.submitOrder(order({ orderQty: "100", side: i % 2 ? "Sell" : "Buy" }));
    await venue.submitOrder(order({ orderQty: "100", ordType: "Limit", price: ask, timeInForce: "IOC" }));
    await settle();
    const fills = fillsOf(reports);
    expect(fills).toHaveLength(41);
    const buys = fills.filter((_, i) => i % 2 === 0 && i < 40).map((f) => f.lastPx);
    const sells = fills.filter((_, i) => i % 2 === 1).map((f) => f.lastPx);
    for (const px of buys) expect(money.gte(px, ask) && money.lte(px, money.add(ask, worst(ask)))).toBe(true);
    for (const px of sells) expect(money.lte(px, bid) && money.gte(px, money.sub(bid, worst(bid)))).toBe(true);
    expect(buys.some((px) => money.gt(px, ask))).toBe(true); // it does slip
    expect(fills[40]?.lastPx).toBe(ask); // the limit caps it
  });
});
