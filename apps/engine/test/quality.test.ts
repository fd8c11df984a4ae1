import { type AnyEvent, submitOrderInput } from "@fillmore/shared";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/log";
import { MarkoutSampler } from "../src/quality/markouts";
import { computeOrderMetrics } from "../src/quality/metrics";
import { createOrderManagerHarness } from "./harness";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("execution quality: arrival quotes, markouts and metrics from the journal", () => {
  const samplers: MarkoutSampler[] = [];
  afterEach(() => {
    for (const s of samplers.splice(0)) s.stop();
  });

  async function setup(options: { horizonsMs?: number[]; maxPending?: number } = {}) {
    const h = await createOrderManagerHarness();
    const sampler = new MarkoutSampler(
      { book: h.orders.book, journal: h.journal, quote: (s) => h.quotes.get(s), log: createLogger("silent"), nowMs: () => Date.now() },
      options,
    );
    samplers.push(sampler);
    const orderEvents = async (orderId: string): Promise<AnyEvent[]> => (await h.events()).filter((e) => e.orderId === orderId);
    return { h, sampler, orderEvents };
  }

  it("journals the quote at receipt and at routing, and the metrics give the slippage against it", async () => {
    const { h, orderEvents } = await setup();
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.00", ask: "100.02", last: "100.01", ts: 1_700_000_000_000 });
    const order = await h.working({ ordType: "Market", price: undefined, orderQty: "100", timeInForce: "DAY" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "E-1", lastQty: "100", lastPx: "100.03" });
    const events = await orderEvents(order.orderId);
    const received = events.find((e) => e.type === "OrderReceived");
    const submitted = events.find((e) => e.type === "OrderSubmitted");
    const arrival = { bid: "100.00", ask: "100.02", mid: "100.01", ts: 1_700_000_000_000 };
    expect(received?.type === "OrderReceived" && received.data.arrival).toEqual(arrival);
    expect(submitted?.type === "OrderSubmitted" && submitted.data.quote).toEqual(arrival);
    const m = computeOrderMetrics(events);
    expect([m?.arrivalMid, m?.averageFillPrice, m?.slippage, m?.slippageBps, m?.fillRate, m?.broker]).toEqual([
      "100.01",
      "100.03",
      "0.02",
      "1.9998",
      "1",
      "SCRIPTED",
    ]);
    expect(m?.effectiveSpread).toBe("0.04");
    expect(Number(m?.latencyMs)).toBeGreaterThanOrEqual(0);
  });

  it("a held stop's arrival is the quote at its trigger, not at receipt", async () => {
    const { h, orderEvents } = await setup();
    const { order } = await h.orders.submit(
      submitOrderInput.parse({
        clOrdId: "STOP-1",
        accountId: "ACC-1",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Stop",
        stopPx: "101",
        orderQty: "10",
        timeInForce: "GTC",
      }),
      "user:test",
    );
    expect(h.get(order.orderId).ordStatus).toBe("Validated");
    const trigger = { symbol: "AAPL", bid: "101.10", ask: "101.20", last: "101.15", ts: 5 };
    h.quotes.set("AAPL", trigger);
    h.orders.onQuote(trigger);
    const events = await orderEvents(order.orderId);
    const received = events.find((e) => e.type === "OrderReceived");
    const submitted = events.find((e) => e.type === "OrderSubmitted");
    expect(received?.type === "OrderReceived" && received.data.arrival?.mid).toBe("100");
    expect(submitted?.type === "OrderSubmitted" && submitted.data.quote).toEqual({ bid: "101.10", ask: "101.20", mid: "101.15", ts: 5 });
    const m = computeOrderMetrics(events);
    expect([m?.arrivalMid, m?.decisionQuote?.mid, m?.orderType, m?.requestedPrice]).toEqual(["101.15", "100", "STOP", "101"]);
  });

  it("a crossed quote is no benchmark: nothing journaled as arrival, slippage null", async () => {
    const { h, orderEvents } = await setup();
    h.quotes.set("MSFT", { symbol: "MSFT", bid: "100.05", ask: "100.01", last: "100", ts: 0 });
    const order = await h.working({ symbol: "MSFT", orderQty: "10" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "E-2", lastQty: "10", lastPx: "100" });
    const events = await orderEvents(order.orderId);
    const received = events.find((e) => e.type === "OrderReceived");
    expect(received?.type === "OrderReceived" && received.data.arrival).toBeUndefined();
    expect(computeOrderMetrics(events)?.slippageBps).toBeNull();
  });

  it("a sell: slippage signed so that + is a cost (sold below the arrival mid)", async () => {
    const { h, orderEvents } = await setup();
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "99.98", ask: "100.02", last: "100", ts: 0 });
    const order = await h.working({ side: "Sell", price: "99.90", orderQty: "200" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "S-1", lastQty: "100", lastPx: "99.98" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "S-2", lastQty: "100", lastPx: "99.96" });
    const m = computeOrderMetrics(await orderEvents(order.orderId));
    // avg 99.97 vs mid 100: 0.03 = 3.0000 bps cost; marketable sell limit (99.90 ≤ bid).
    expect([m?.averageFillPrice, m?.slippage, m?.slippageBps, m?.effectiveSpread]).toEqual(["99.97", "0.03", "3", "0.06"]);
  });

  it("samples the mid at each horizon after a fill and journals it; the markouts follow the quote moves", async () => {
    const { h, sampler, orderEvents } = await setup({ horizonsMs: [40, 160, 320] });
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.00", ask: "100.02", last: "100.01", ts: 0 });
    const order = await h.working({ orderQty: "100", price: "100.05" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "F-1", lastQty: "100", lastPx: "100.02" });
    expect(sampler.pending).toBe(3);
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.04", ask: "100.06", last: "100.05", ts: 1 }); // mid 100.05 at +40 ms
    await sleep(100);
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.00", ask: "100.02", last: "100.01", ts: 2 }); // mid 100.01 at +160 ms
    await sleep(140);
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "99.96", ask: "99.98", last: "99.97", ts: 3 }); // mid 99.97 at +320 ms
    await sleep(200);
    expect(sampler.pending).toBe(0);
    const events = await orderEvents(order.orderId);
    // Each sample taken at its horizon; the fill's samples journaled as one event at the last one.
    const markouts = events.filter((e) => e.type === "MarkoutSampled");
    expect(markouts).toHaveLength(1);
    const samples = markouts.flatMap((e) =>
      e.type === "MarkoutSampled" ? [...(e.data.earlier ?? []), e.data].map((k) => [e.data.execId, k.horizonMs, k.mid]) : [],
    );
    expect(samples).toEqual([
      ["F-1", 40, "100.05"],
      ["F-1", 160, "100.01"],
      ["F-1", 320, "99.97"],
    ]);
    const m = computeOrderMetrics(events, { horizonsMs: [40, 160, 320] });
    // buy @ 100.02: +0.03, −0.01, −0.05 per share (+ favourable); permanent impact 99.97 − 100.01 = −0.04 (a gain).
    expect(m?.markouts.map((k) => [k.horizonMs, k.perShare, k.amount, k.bps])).toEqual([
      [40, "0.03", "3", "2.9994"],
      [160, "-0.01", "-1", "-0.9998"],
      [320, "-0.05", "-5", "-4.999"],
    ]);
    expect([m?.permanentImpact, m?.permanentImpactBps]).toEqual(["-0.04", "-3.9996"]);
    expect(sampler.sampled).toBe(3);
  });

  it("the default horizons are those of the metrics; a cancelled remainder gets a close sample; memory is bounded", async () => {
    const { h, sampler, orderEvents } = await setup({ horizonsMs: [1000, 5000, 60000], maxPending: 4 });
    const order = await h.working({ orderQty: "100" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "P-1", lastQty: "10", lastPx: "100" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "P-2", lastQty: "10", lastPx: "100" });
    // A fill's horizons are kept or dropped together (its samples go out as one event).
    expect([sampler.pending, sampler.dropped]).toEqual([3, 3]);
    await h.orders.cancel(order.orderId, "user:test");
    h.venue.report({ kind: "cancelled", orderId: order.orderId, reason: "user" });
    const events = await orderEvents(order.orderId);
    const close = events.find((e) => e.type === "MarkoutSampled" && e.data.execId === "@end");
    expect(close?.type === "MarkoutSampled" && close.data).toMatchObject({ horizonMs: 0, mid: "100" });
    sampler.stop();
    expect(sampler.pending).toBe(0);
  });

  it("journals the samples already taken when it stops, without the horizons still due", async () => {
    const { h, sampler, orderEvents } = await setup({ horizonsMs: [40, 60_000] });
    h.quotes.set("AAPL", { symbol: "AAPL", bid: "100.00", ask: "100.02", last: "100.01", ts: 0 });
    const order = await h.working({ orderQty: "100", price: "100.05" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "F-9", lastQty: "100", lastPx: "100.02" });
    await sleep(120);
    expect((await orderEvents(order.orderId)).filter((e) => e.type === "MarkoutSampled")).toHaveLength(0);
    sampler.stop();
    const markouts = (await orderEvents(order.orderId)).filter((e) => e.type === "MarkoutSampled");
    expect(markouts.map((e) => e.type === "MarkoutSampled" && [e.data.execId, e.data.horizonMs, e.data.mid, e.data.earlier])).toEqual([
      ["F-9", 40, "100.01", undefined],
    ]);
  });
});
