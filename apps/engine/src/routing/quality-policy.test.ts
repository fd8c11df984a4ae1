import { orderFrom } from "@fillmore/shared/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ScoresRefresher } from "../quality/venue-scores";
import { type Candidate, route } from "./policies";
import { LATENCY_PENALTY_BPS_PER_MS, QualityScores, qualityScores, REJECT_PENALTY_BPS, type VenueQuality } from "./quality-policy";

const order = orderFrom({ price: "190", symbol: "AAPL" }, { orderId: "O1" });
const venue = (venueId: string, feeBps = "1"): Candidate => ({
  venueId,
  health: "UP",
  accepts: true,
  bid: "189.90",
  ask: "190.00",
  depth: "100",
  feeBps,
  ackEwmaMs: 10,
  weight: 1,
});
const q = (
  venue: string,
  symbol: string | null,
  slippageBps: number | null,
  slippageN = 100,
  rejectRate = 0,
  ackP99Ms = 0,
): VenueQuality => ({
  venue,
  symbol,
  slippageBps,
  slippageN,
  rejectRate,
  sent: 100,
  ackP99Ms,
});

afterEach(() => qualityScores.set([], 0));

describe("quality routing policy", () => {
  it("expected cost = slippage + fees + reject rate × penalty + p99 × penalty", () => {
    const s = new QualityScores();
    s.set([q("A", null, 2, 100, 0.1, 20)], 1);
    expect(s.expectedCostBps(order, "A", 1)).toEqual({
      bps: 2 + 1 + 0.1 * REJECT_PENALTY_BPS + 20 * LATENCY_PENALTY_BPS_PER_MS,
      slippageFrom: "venue",
    });
  });

  it("uses the venue's figure for the symbol when it has enough orders, else the venue's, else the mean of the venues", () => {
    const s = new QualityScores();
    s.set([q("A", null, 4), q("A", "AAPL", 1), q("B", null, 2), q("B", "AAPL", 9, 5), q("C", null, 50, 3)], 1);
    expect(s.expectedCostBps(order, "A", 0)).toEqual({ bps: 1, slippageFrom: "symbol" });
    expect(s.expectedCostBps(order, "B", 0)).toEqual({ bps: 2, slippageFrom: "venue" }); // 5 orders on AAPL is too few
    expect(s.expectedCostBps(order, "C", 0)).toEqual({ bps: 3, slippageFrom: "prior" }); // mean of A and B
    expect(s.expectedCostBps(order, "D", 0)).toEqual({ bps: 3, slippageFrom: "prior" });
  });

  it("routes to the venue that has cost least, even when its fee is higher", () => {
    qualityScores.set([q("CHEAP-FEE", null, 6), q("GOOD-FILLS", null, 1)], 1);
    const decision = route(order, [venue("CHEAP-FEE", "0.5"), venue("GOOD-FILLS", "3")], "quality");
    expect(decision.legs[0]?.venueId).toBe("GOOD-FILLS");
    expect(decision.reason).toContain("measured execution cost");
    expect(decision.considered.find((c) => c.venueId === "GOOD-FILLS")?.score).toBe("-4");
  });

  it("a venue that rejects a lot loses to one that does not", () => {
    qualityScores.set([q("REJECTS", null, 1, 100, 0.9), q("STEADY", null, 3, 100, 0)], 1);
    expect(route(order, [venue("REJECTS"), venue("STEADY")], "quality").legs[0]?.venueId).toBe("STEADY");
  });
});

describe("ScoresRefresher", () => {
  it("refreshes at the first tick, then only after the quality policy has read a score", () => {
    const scores = new QualityScores();
    let refreshes = 0;
    const refresher = new ScoresRefresher(scores, () => {
      refreshes += 1;
    });
    expect(refresher.tick()).toBe(true);
    // Nobody routes by quality: later ticks leave the query alone.
    expect(refresher.tick()).toBe(false);
    expect(refresher.tick()).toBe(false);
    expect(refreshes).toBe(1);
    // An order scored against two venues: the next tick refreshes, once.
    scores.score({ symbol: "AAPL" }, { venueId: "A", feeBps: "1" });
    scores.score({ symbol: "AAPL" }, { venueId: "B", feeBps: null });
    expect(refresher.tick()).toBe(true);
    expect(refresher.tick()).toBe(false);
    expect(refreshes).toBe(2);
  });
});
