import { describe, expect, it } from "vitest";
import type { ExecutionMetrics } from "./metrics";
import { nearestRank, summarize } from "./summary";

describe("aggregates", () => {
  it("nearest-rank percentiles: 12,15,11,40,13,14,18,16,12,95 ms → p50 14, p90 40, p99 95", () => {
    const sorted = ["12", "15", "11", "40", "13", "14", "18", "16", "12", "95"].sort((a, b) => Number(a) - Number(b));
    expect([nearestRank(sorted, 0.5), nearestRank(sorted, 0.9), nearestRank(sorted, 0.99)]).toEqual(["14", "40", "95"]);
    expect(nearestRank([], 0.5)).toBeNull();
  });

  it("rates are ratios of sums; slippage is notional-weighted, signed + cost", () => {
    const base = {
      symbol: "XYZ",
      markouts: [],
      commissions: "0",
      latencyMs: "10",
      submissionTime: "t",
    } as unknown as ExecutionMetrics;
    const rows: ExecutionMetrics[] = [
      { ...base, broker: "A", side: "Buy", orderQty: "100", filledQty: "100", notional: "10010", arrivalMid: "100", status: "OrderFilled" },
      {
        ...base,
        broker: "A",
        side: "Sell",
        orderQty: "300",
        filledQty: "100",
        notional: "9990",
        arrivalMid: "100",
        status: "OrderCancelled",
      },
      { ...base, broker: "A", side: "Buy", orderQty: "100", filledQty: "0", notional: "0", arrivalMid: "100", status: "OrderRejected" },
      {
        ...base,
        broker: "B",
        side: "Buy",
        orderQty: "100",
        filledQty: "0",
        notional: "0",
        arrivalMid: null,
        status: "OrderDenied",
        submissionTime: null,
      },
    ];
    const [a, b] = summarize(rows);
    // A: filled 200 of 500; 1 of 3 fully; 1 reject of 3 sent; 1 cancel with Q<X of 2 accepted; slippage (10 + 10)/20 000 = 10 bps.
    expect([a?.venue, a?.fillRate, a?.fullyFilledRate, a?.rejectRate, a?.cancelRate, a?.slippageBps]).toEqual([
      "A",
      "0.4",
      "0.33333333",
      "0.33333333",
      "0.5",
      "10",
    ]);
    expect(a?.latencyMs).toEqual({ n: 2, p50: "10", p95: "10", p99: "10", p999: "10" });
    expect([b?.venue, b?.denied, b?.sent, b?.rejectRate]).toEqual(["B", 1, 0, null]);
    expect(summarize(rows, { venue: "B" }).map((r) => r.venue)).toEqual(["B"]);
  });
});
