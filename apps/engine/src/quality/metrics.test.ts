import type { AnyEvent, ArrivalQuote } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import { describe, expect, it } from "vitest";
import { CLOSE_SAMPLE_EXEC_ID, computeOrderMetrics } from "./metrics";

// The worked examples of ../shared/reference/EXECUTION-QUALITY.md §7 (E1, E2), exact to the last digit.

const DAY = "2025-01-02";
/** "09:30:00.100" → µs since midnight (our monotonic clock in these fixtures). */
function us(hms: string): number {
  const [h, m, s] = hms.split(":");
  return Math.round((Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1_000_000);
}

function builder(orderId: string, accountId: string) {
  const events: AnyEvent[] = [];
  let seq = 0;
  const push = (type: string, at: string, data: unknown, actor = "engine") => {
    seq += 1;
    events.push({ seq, ts: `${DAY}T${at}000Z`, monoUs: us(at), type, orderId, accountId, actor, data } as AnyEvent);
  };
  return { events, push };
}

const quote = (bid: string, ask: string, mid: string): ArrivalQuote => ({ bid, ask, mid, ts: 0 });

describe("E1: buy 1 000 XYZ MARKET at broker A", () => {
  const order = orderFrom({ symbol: "XYZ", side: "Buy", ordType: "Market", orderQty: "1000", accountId: "ACC-1" }, { orderId: "O1" });
  const { events, push } = builder("O1", "ACC-1");
  push("OrderReceived", "09:30:00.000", { order, arrival: quote("99.99", "100.01", "100") });
  push("OrderValidated", "09:30:00.000", {});
  push("OrderSubmitted", "09:30:00.100", { venueId: "A", venueOrderId: "A-O1", quote: quote("100.01", "100.03", "100.02") });
  push("OrderAccepted", "09:30:00.130", { venueOrderId: "V1" });
  push("OrderPartiallyFilled", "09:30:00.150", {
    execId: "X1",
    venueId: "A",
    lastQty: "600",
    lastPx: "100.03",
    fees: [{ amount: "3", currency: "USD", kind: "commission" }],
  });
  push("OrderFilled", "09:30:00.400", {
    execId: "X2",
    venueId: "A",
    lastQty: "400",
    lastPx: "100.05",
    fees: [{ amount: "2", currency: "USD", kind: "commission" }],
  });
  const mids: Record<string, string[]> = { X1: ["100.04", "100.05", "100.03"], X2: ["100.04", "100.06", "100.03"] };
  for (const [execId, m] of Object.entries(mids))
    [1000, 5000, 60000].forEach((horizonMs, k) => {
      push("MarkoutSampled", "09:31:00.400", { orderId: "O1", execId, horizonMs, mid: m[k], ts: 0 }, "quality");
    });
  const m = computeOrderMetrics(events);

  it("identifies the order and its times", () => {
    expect(m).not.toBeNull();
    if (!m) return;
    expect([m.orderId, m.symbol, m.orderType, m.broker, m.requestedPrice]).toEqual(["O1", "XYZ", "MARKET", "A", null]);
    expect(m.submissionTime).toBe("2025-01-02T09:30:00.100000Z");
    expect(m.firstFillTime).toBe("2025-01-02T09:30:00.150000Z");
    expect(m.completionTime).toBe("2025-01-02T09:30:00.400000Z");
    expect([m.latencyMs, m.timeToFirstFillMs, m.timeToCompletionMs]).toEqual(["30", "50", "300"]);
    expect(m.hops).toEqual({
      receivedToValidatedMs: "0",
      validatedToSentMs: "100",
      sentToAckMs: "30",
      ackToFirstFillMs: "20",
      firstFillToDoneMs: "250",
    });
  });
  it("avgPx 100.038, notional 100 038, fill rate 1, fees $5", () => {
    expect([m?.averageFillPrice, m?.notional, m?.fillRate, m?.commissions]).toEqual(["100.038", "100038", "1", "5"]);
    expect(m?.commissionsByKind).toEqual({ commission: "5" });
  });
  it("arrival slippage 0.018 = 1.7996 bps; vs decision 3.8000 bps", () => {
    expect(m?.arrivalMid).toBe("100.02");
    expect([m?.slippage, m?.slippageBps, m?.slippageVsDecisionBps]).toEqual(["0.018", "1.7996", "3.8"]);
  });
  it("IS: delay $20, trading $18, opportunity $0, fees $5, total $43 = 4.3000 bps", () => {
    expect(m?.implementationShortfall).toEqual({
      delay: "20",
      trading: "18",
      opportunity: "0",
      fees: "5",
      total: "43",
      totalBps: "4.3",
      paperNotional: "100000",
    });
  });
  it("effective spread 0.036 (3.5993 bps), E/Q 1.8; 600 at the quote, 400 outside by 0.02", () => {
    expect([m?.effectiveSpread, m?.effectiveSpreadBps, m?.quotedSpread, m?.effectiveOverQuoted]).toEqual([
      "0.036",
      "3.5993",
      "0.02",
      "1.8",
    ]);
    expect(m?.priceImprovement).toEqual({ improvedQty: "0", atQuoteQty: "600", outsideQty: "400", outsideAmount: "8" });
  });
  it("markouts +0.002/+0.016/−0.008 per share = $2/$16/−$8 = 0.1999/1.5994/−0.7997 bps", () => {
    expect(m?.markouts.map((k) => [k.horizonMs, k.perShare, k.amount, k.bps, k.sampled])).toEqual([
      [1000, "0.002", "2", "0.1999", 2],
      [5000, "0.016", "16", "1.5994", 2],
      [60000, "-0.008", "-8", "-0.7997", 2],
    ]);
  });
  it("impact: permanent 0.01 = 0.9998 bps, temporary 0.7998 bps", () => {
    expect([m?.permanentImpact, m?.permanentImpactBps, m?.temporaryImpactBps, m?.marketImpactBps]).toEqual([
      "0.01",
      "0.9998",
      "0.7998",
      "0.9998",
    ]);
  });
  it("gives the same figures when each fill's samples come as one event (the shorter horizons in `earlier`)", () => {
    const batched: AnyEvent[] = [];
    for (const e of events) {
      if (e.type !== "MarkoutSampled") batched.push(e);
      else if (e.data.horizonMs === 60000) {
        const earlier = events.flatMap((k) =>
          k.type === "MarkoutSampled" && k.data.execId === e.data.execId && k.data.horizonMs < 60000
            ? [{ horizonMs: k.data.horizonMs, mid: k.data.mid, ts: k.data.ts }]
            : [],
        );
        batched.push({ ...e, data: { ...e.data, earlier } } as AnyEvent);
      }
    }
    expect(batched.filter((e) => e.type === "MarkoutSampled")).toHaveLength(2);
    expect(computeOrderMetrics(batched)).toEqual(m);
  });
});

describe("E2: sell 2 000 ABC LIMIT 25.00 at broker B, partly filled then cancelled", () => {
  const order = orderFrom(
    { symbol: "ABC", side: "Sell", ordType: "Limit", price: "25.00", orderQty: "2000", accountId: "ACC-1" },
    { orderId: "O2" },
  );
  const { events, push } = builder("O2", "ACC-1");
  push("OrderReceived", "10:00:00.000", { order, arrival: quote("24.99", "25.01", "25") });
  push("OrderValidated", "10:00:00.001", {});
  push("OrderSubmitted", "10:00:00.050", { venueId: "B", venueOrderId: "B-O2", quote: quote("24.98", "25.00", "24.99") });
  push("OrderAccepted", "10:00:00.070", { venueOrderId: "V2" });
  const fee = (qty: number) => [{ amount: (qty * 0.004).toFixed(1), currency: "USD", kind: "commission" }];
  push("OrderPartiallyFilled", "10:00:05.000", { execId: "Y1", venueId: "B", lastQty: "500", lastPx: "25.00", fees: fee(500) });
  push("OrderPartiallyFilled", "10:00:20.000", { execId: "Y2", venueId: "B", lastQty: "300", lastPx: "25.00", fees: fee(300) });
  push("OrderPendingCancel", "10:05:00.000", {});
  push("OrderCancelled", "10:05:00.025", { reason: "user" });
  const mids: Record<string, string[]> = { Y1: ["24.99", "24.98", "24.97"], Y2: ["24.99", "24.99", "24.96"] };
  for (const [execId, m] of Object.entries(mids))
    [1000, 5000, 60000].forEach((horizonMs, k) => {
      push("MarkoutSampled", "10:05:00.100", { orderId: "O2", execId, horizonMs, mid: m[k], ts: 0 }, "quality");
    });
  push("MarkoutSampled", "10:05:00.100", { orderId: "O2", execId: CLOSE_SAMPLE_EXEC_ID, horizonMs: 0, mid: "24.94", ts: 0 }, "quality");
  const m = computeOrderMetrics(events);

  it("Q 800, avgPx 25, fill rate 0.4, latency 20 ms, first fill 4.950 s, completion 299.975 s", () => {
    expect([m?.filledQty, m?.averageFillPrice, m?.fillRate, m?.requestedPrice, m?.orderType]).toEqual(["800", "25", "0.4", "25", "LIMIT"]);
    expect([m?.latencyMs, m?.timeToFirstFillMs, m?.timeToCompletionMs, m?.status]).toEqual(["20", "4950", "299975", "OrderCancelled"]);
    expect(m?.commissions).toBe("3.2");
  });
  it("IS: delay +$8, trading −$8, opportunity +$72, fees $3.20, total $75.20 = 15.0400 bps of $50 000", () => {
    expect(m?.implementationShortfall).toEqual({
      delay: "8",
      trading: "-8",
      opportunity: "72",
      fees: "3.2",
      total: "75.2",
      totalBps: "15.04",
      paperNotional: "50000",
    });
  });
  it("arrival slippage −0.01 = −4.0016 bps (a gain); vs limit 0; no effective spread (not marketable)", () => {
    expect([m?.slippage, m?.slippageBps, m?.slippageVsLimit, m?.slippageVsLimitBps]).toEqual(["-0.01", "-4.0016", "0", "0"]);
    expect([m?.effectiveSpread, m?.priceImprovement]).toEqual([null, null]);
  });
  it("markouts $8/$13/$27 on $20 000 = 4.0/6.5/13.5 bps; impact 0.03 = 12.0048 bps", () => {
    expect(m?.markouts.map((k) => [k.amount, k.bps])).toEqual([
      ["8", "4"],
      ["13", "6.5"],
      ["27", "13.5"],
    ]);
    expect([m?.permanentImpact, m?.permanentImpactBps]).toEqual(["0.03", "12.0048"]);
  });
});

describe("edge cases", () => {
  it("no fills: no average, no slippage, markouts null; no arrival quote: no benchmark", () => {
    const order = orderFrom({ orderQty: "10" }, { orderId: "O3" });
    const { events, push } = builder("O3", "ACC-ALPHA");
    push("OrderReceived", "11:00:00.000", { order });
    push("OrderValidated", "11:00:00.000", {});
    push("OrderSubmitted", "11:00:00.001", { venueId: "A", venueOrderId: "A-O3" });
    const m = computeOrderMetrics(events);
    expect([m?.averageFillPrice, m?.slippage, m?.slippageBps, m?.arrivalMid, m?.completionTime, m?.status]).toEqual([
      null,
      null,
      null,
      null,
      null,
      "Working",
    ]);
    expect(m?.markouts.every((k) => k.perShare === null)).toBe(true);
    expect(computeOrderMetrics([])).toBeNull();
  });
  it("a busted fill leaves the metrics", () => {
    const order = orderFrom({ orderQty: "10", ordType: "Market" }, { orderId: "O4" });
    const { events, push } = builder("O4", "ACC-ALPHA");
    push("OrderReceived", "11:00:00.000", { order, arrival: quote("9", "11", "10") });
    push("OrderSubmitted", "11:00:00.001", { venueId: "A", venueOrderId: "A-O4", quote: quote("9", "11", "10") });
    push("OrderPartiallyFilled", "11:00:00.002", { execId: "Z1", venueId: "A", lastQty: "5", lastPx: "11" });
    push("OrderPartiallyFilled", "11:00:00.003", { execId: "Z2", venueId: "A", lastQty: "5", lastPx: "12" });
    push("OrderTradeBusted", "11:00:00.004", { venueId: "A", refExecId: "Z2", lastQty: "5", lastPx: "12", reason: "bust" });
    const m = computeOrderMetrics(events);
    expect([m?.filledQty, m?.averageFillPrice, m?.slippage, m?.slippageBps]).toEqual(["5", "11", "1", "1000"]);
  });
});
