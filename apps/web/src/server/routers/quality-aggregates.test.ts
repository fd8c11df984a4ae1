import { describe, expect, it } from "vitest";
import { type ComparisonRow, compareWithBest, rankCells } from "./quality-aggregates";

// The broker comparison's ranking and its Welch differences from the best venue of each cell, with
// the reference's E3 figures (venue A: n 8, mean 3, s 1.3093; venue B: n 10, mean 6, s 1.1547) scaled
// to samples large enough to rank.

function row(venue: string, allInBps: number, n: number, meanBps: number, sdBps: number, orderType = "MARKET"): ComparisonRow {
  return {
    venue,
    orderType,
    sizeBucket: "1k-5k",
    allInBps,
    rank: null,
    lowSample: n < 30,
    vsBest: null,
    slippage: { n, bps: allInBps, meanBps, sdBps, ci95: null, medianBps: null, p90Bps: null },
  } as unknown as ComparisonRow;
}

describe("comparison ranking and differences from the best venue", () => {
  it("ranks by all-in cost within a cell; the others carry their Welch difference from rank 1", () => {
    const rows = compareWithBest(rankCells([row("B", 6.5, 40, 6, 1.1547), row("A", 3.2, 32, 3, 1.3093), row("C", 3.3, 50, 3.1, 1.2)]));
    const by = Object.fromEntries(rows.map((r) => [r.venue, r]));
    expect([by.A?.rank, by.C?.rank, by.B?.rank]).toEqual([1, 2, 3]);
    expect(by.A?.vsBest).toBeNull();
    // B − A = 3 bps; SE √(1.3093²/32 + 1.1547²/40) = 0.2948, Welch df 62.4, t 1.9986: CI 3 ± 0.589.
    expect(by.B?.vsBest?.diffBps).toBeCloseTo(3, 10);
    expect(by.B?.vsBest?.ci95[0]).toBeCloseTo(2.411, 2);
    expect(by.B?.vsBest?.ci95[1]).toBeCloseTo(3.589, 2);
    expect(by.B?.vsBest?.df).toBeCloseTo(62.4, 1);
    expect(by.B?.vsBest?.distinct).toBe(true);
    // C is 0.1 bps worse than A with similar spread: the interval includes 0, so not told apart.
    expect(by.C?.vsBest?.distinct).toBe(false);
    expect(by.C?.vsBest?.ci95[0]).toBeLessThan(0);
  });

  it("leaves low-sample rows unranked and without a difference, and compares only within the same cell", () => {
    const rows = compareWithBest(rankCells([row("A", 3, 40, 3, 1), row("B", 2, 10, 2, 1), row("C", 9, 40, 9, 1, "LIMIT")]));
    const by = Object.fromEntries(rows.map((r) => [r.venue, r]));
    expect([by.A?.rank, by.B?.rank, by.C?.rank]).toEqual([1, null, 1]);
    expect([by.A?.vsBest, by.B?.vsBest, by.C?.vsBest]).toEqual([null, null, null]);
  });
});
