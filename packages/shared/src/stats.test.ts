import { describe, expect, it } from "vitest";
import { sampleStats, summaryStats, tQuantile, weightedMean, welch } from "./stats";

const f = (x: number, dp = 4) => x.toFixed(dp);

describe("E3: venue A vs B, arrival slippage bps per order", () => {
  const A = [2, 4, 3, 5, 1, 3, 4, 2];
  const B = [5, 7, 6, 4, 8, 6, 5, 7, 6, 6];
  const a = sampleStats(A);
  const b = sampleStats(B);

  it("A: n 8, mean 3.0000, s 1.3093, SE 0.4629, CI [1.9054, 4.0946] (t7 2.3646); share-weighted 1.9412", () => {
    expect([a.n, f(a.mean), f(a.sd), f(a.se), f(a.t), f(a.ci[0]), f(a.ci[1])]).toEqual([
      8,
      "3.0000",
      "1.3093",
      "0.4629",
      "2.3646",
      "1.9054",
      "4.0946",
    ]);
    const shares = [100, 100, 100, 100, 1000, 100, 100, 100];
    expect(f(weightedMean(A, shares))).toBe("1.9412");
  });
  it("B: n 10, mean 6.0000, s 1.1547, SE 0.3651, CI [5.1740, 6.8260] (t9 2.2622)", () => {
    expect([b.n, f(b.mean), f(b.sd), f(b.se), f(b.t), f(b.ci[0]), f(b.ci[1])]).toEqual([
      10,
      "6.0000",
      "1.1547",
      "0.3651",
      "2.2622",
      "5.1740",
      "6.8260",
    ]);
  });
  it("B − A = 3.0000, SE 0.5896, Welch df 14.158, t 2.1425, CI [1.7368, 4.2632], t-stat 5.088, p 0.00016; low sample, unranked", () => {
    const w = welch(a, b);
    expect([f(w.diff), f(w.se), f(w.df, 3), f(w.t), f(w.ci[0]), f(w.ci[1]), f(w.tStat, 3), f(w.p, 5)]).toEqual([
      "3.0000",
      "0.5896",
      "14.158",
      "2.1425",
      "1.7368",
      "4.2632",
      "5.088",
      "0.00016",
    ]);
    expect([a.lowSample, b.lowSample, w.rankable]).toEqual([true, true, false]);
  });
  it("from an SQL summary (n, mean, sd: what the comparison query returns) B − A is the same", () => {
    const w = welch(summaryStats(8, 3, 1.3093), summaryStats(10, 6, 1.1547));
    expect([f(w.diff), f(w.se), f(w.df, 2), f(w.ci[0], 3), f(w.ci[1], 3)]).toEqual(["3.0000", "0.5896", "14.16", "1.737", "4.263"]);
    expect(summaryStats(8, 3, 1.3093).ci.map((x) => f(x))).toEqual(["1.9054", "4.0946"]);
  });
  it("t quantiles match the tables", () => {
    expect([f(tQuantile(0.975, 1), 3), f(tQuantile(0.975, 30), 3), f(tQuantile(0.025, 9))]).toEqual(["12.706", "2.042", "-2.2622"]);
  });
});
