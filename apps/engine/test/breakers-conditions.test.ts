import { describe, expect, it } from "vitest";
import {
  type BreakerState,
  crossedMarket,
  dailyLoss,
  fault,
  initialState,
  nextPeak,
  orderRejectionRate,
  portfolioDrawdown,
  positionSize,
  priceGap,
  type Reading,
  realizedVol,
  type StepParams,
  safely,
  staleQuote,
  step,
  volatilitySpike,
} from "../src/controls/breakers/conditions";

// Pure breaker conditions with simulated prices and fills: nothing here touches a server.

/** Runs readings through step; returns the index of each trip and the final state. */
function run(readings: Reading[], params: StepParams): { trips: number[]; state: BreakerState; statuses: string[] } {
  let state = initialState();
  const trips: number[] = [];
  const statuses: string[] = [];
  readings.forEach((r, i) => {
    const out = step(state, r, params);
    state = out.state;
    if (out.trip) trips.push(i);
    statuses.push(state.status);
  });
  return { trips, state, statuses };
}

/** Simulated fills: P&L of a long position of `qty` bought at `entry`, marked along a price path. */
const pnlPath = (qty: number, entry: number, prices: number[]) => prices.map((p) => qty * (p - entry));

describe("dailyLoss", () => {
  it("trips after N consecutive breaching readings, not before, and only once", () => {
    // 100 shares bought at 50; the price slides to 38 (a 1,200 USD loss) against a 1,000 USD limit.
    const readings = pnlPath(100, 50, [49, 45, 39, 38.5, 38, 37]).map((pnl) => dailyLoss({ dailyPnlUsd: pnl }, 1000));
    expect(readings.map((r) => r.breached)).toEqual([false, false, true, true, true, true]);
    expect(readings[2]).toMatchObject({ value: 1100, threshold: 1000 });
    const { trips, statuses } = run(readings, { confirmations: 3, hysteresis: 0.1 });
    expect(trips).toEqual([4]);
    expect(statuses).toEqual(["armed", "armed", "breached", "breached", "tripped", "tripped"]);
  });

  it("nothing fires below the threshold, however long", () => {
    const readings = pnlPath(
      100,
      50,
      Array.from({ length: 200 }, (_, i) => 50 - (i % 10)),
    ).map((pnl) => dailyLoss({ dailyPnlUsd: pnl }, 1000));
    expect(readings.every((r) => !r.breached)).toBe(true);
    expect(run(readings, { confirmations: 1, hysteresis: 0 }).trips).toEqual([]);
  });

  it("a single bad tick does not trip with N > 1; the count starts over", () => {
    const readings = [-100, -5000, -100, -5000, -100].map((pnl) => dailyLoss({ dailyPnlUsd: pnl }, 1000));
    expect(run(readings, { confirmations: 2, hysteresis: 0 }).trips).toEqual([]);
  });

  it("clears only below threshold × (1 − hysteresis), then can trip again", () => {
    const losses = [1200, 990, 950, 901, 899, 1100];
    const readings = losses.map((l) => dailyLoss({ dailyPnlUsd: -l }, 1000));
    const { trips, statuses } = run(readings, { confirmations: 1, hysteresis: 0.1 });
    // 990 and 950 are below the threshold but not below 900: still tripped; 899 clears.
    expect(statuses).toEqual(["tripped", "tripped", "tripped", "tripped", "armed", "tripped"]);
    expect(trips).toEqual([0, 5]);
  });
});

describe("portfolioDrawdown", () => {
  it("measures from the day's peak equity and trips past the percentage", () => {
    const capital = 100_000;
    const pnl = [0, 2000, 5000, 3000, 0, -1000];
    let peak: number | null = null;
    const readings = pnl.map((p) => {
      peak = nextPeak(peak, capital + p);
      return portfolioDrawdown({ peakEquity: peak, equity: capital + p }, 5);
    });
    expect(readings.map((r) => r.value)).toEqual([0, 0, 0, 1.9048, 4.7619, 5.7143]);
    expect(run(readings, { confirmations: 1, hysteresis: 0.2 }).trips).toEqual([5]);
  });

  it("no peak yet is no data, never a breach", () => {
    expect(portfolioDrawdown({ peakEquity: 0, equity: -10 }, 5)).toMatchObject({ breached: false, value: null });
  });
});

describe("volatilitySpike", () => {
  // Simulated prices: a calm random-looking walk of ±0.01, then a burst of ±0.5 swings.
  const calm = Array.from({ length: 60 }, (_, i) => 100 + (i % 2 === 0 ? 0.01 : -0.01) * ((i % 3) + 1));
  const wild = [101, 99.5, 101.2, 99, 101.5];

  it("trips when the short window is more volatile than the baseline by the multiplier", () => {
    const params = { shortWindow: 5, longWindow: 50 };
    const quiet = volatilitySpike({ prices: calm }, params, 3);
    expect(quiet.breached).toBe(false);
    expect(quiet.value).toBeGreaterThan(0.5);
    expect(quiet.value).toBeLessThan(2);
    const spike = volatilitySpike({ prices: [...calm, ...wild] }, params, 3);
    expect(spike.breached).toBe(true);
    expect(spike.value).toBeGreaterThan(3);
    expect(spike.detail).toMatch(/over 5 returns/);
  });

  it("is not judged before the baseline has enough prices", () => {
    expect(volatilitySpike({ prices: [1, 2, 3] }, { shortWindow: 2, longWindow: 50 }, 3)).toMatchObject({ breached: false, value: null });
  });

  it("realizedVol of a constant series is zero", () => {
    expect(realizedVol([5, 5, 5, 5], 3)).toBe(0);
  });
});

describe("orderRejectionRate", () => {
  it("trips above the percentage over the window, not below, and needs minOrders", () => {
    const outcomes = (rejected: number, total: number) => Array.from({ length: total }, (_, i) => i < rejected);
    expect(orderRejectionRate({ outcomes: outcomes(5, 20) }, { minOrders: 10 }, 30)).toMatchObject({ breached: false, value: 25 });
    expect(orderRejectionRate({ outcomes: outcomes(7, 20) }, { minOrders: 10 }, 30)).toMatchObject({ breached: true, value: 35 });
    expect(orderRejectionRate({ outcomes: outcomes(3, 3) }, { minOrders: 10 }, 30)).toMatchObject({ breached: false, value: null });
  });
});

describe("positionSize", () => {
  it("takes the largest absolute position, short or long", () => {
    const r = positionSize(
      {
        positions: [
          { id: "ACC/AAPL", qty: 500 },
          { id: "ACC/MSFT", qty: -1500 },
        ],
      },
      1000,
    );
    expect(r).toMatchObject({ breached: true, value: 1500, detail: "ACC/MSFT holds -1500" });
    expect(positionSize({ positions: [{ id: "ACC/AAPL", qty: 1000 }] }, 1000).breached).toBe(false);
    expect(positionSize({ positions: [] }, 1000)).toMatchObject({ breached: false, value: 0 });
  });
});

describe("market conditions", () => {
  it("stale quotes: age beyond the threshold, and no quote at all", () => {
    expect(staleQuote({ symbol: "AAPL", quoteTs: 1000, now: 3000 }, 5000)).toMatchObject({ breached: false, value: 2000 });
    expect(staleQuote({ symbol: "AAPL", quoteTs: 1000, now: 7000 }, 5000)).toMatchObject({ breached: true, value: 6000 });
    expect(staleQuote({ symbol: "AAPL", quoteTs: null, now: 7000 }, 5000).breached).toBe(true);
  });

  it("crossed and locked markets breach; a normal spread does not, and clears a tripped breaker", () => {
    expect(crossedMarket({ symbol: "AAPL", bid: 10.02, ask: 10.01 })).toMatchObject({
      breached: true,
      detail: expect.stringMatching(/crossed/),
    });
    expect(crossedMarket({ symbol: "AAPL", bid: 10.01, ask: 10.01 })).toMatchObject({ breached: true, value: 0 });
    const normal = crossedMarket({ symbol: "AAPL", bid: 10.0, ask: 10.01 });
    expect(normal.breached).toBe(false);
    const { statuses } = run([crossedMarket({ symbol: "AAPL", bid: 10.01, ask: 10.01 }), normal], { confirmations: 1, hysteresis: 0.5 });
    expect(statuses).toEqual(["tripped", "armed"]);
  });

  it("price gaps: the move between consecutive quotes beyond the percentage", () => {
    expect(priceGap({ symbol: "AAPL", previous: 100, current: 100.5 }, 2)).toMatchObject({ breached: false, value: 0.5 });
    expect(priceGap({ symbol: "AAPL", previous: 100, current: 95 }, 2)).toMatchObject({ breached: true, value: 5 });
    expect(priceGap({ symbol: "AAPL", previous: null, current: 95 }, 2)).toMatchObject({ breached: false, value: null });
  });
});

describe("an exception in the P&L read or a condition", () => {
  it("does not trip, does not silence: counted, then the next reading is evaluated as usual", () => {
    const params = { confirmations: 2, hysteresis: 0 };
    let state = initialState();
    const feeds: (() => number)[] = [
      () => -1500,
      () => {
        throw new Error("fx rate missing for EUR");
      },
      () => -1500,
    ];
    const trips: number[] = [];
    feeds.forEach((pnl, i) => {
      const result = safely(() => dailyLoss({ dailyPnlUsd: pnl() }, 1000));
      if ("error" in result) {
        state = fault(state, result.error);
        return;
      }
      const out = step(state, result.reading, params);
      state = out.state;
      if (out.trip) trips.push(i);
    });
    // The throw neither tripped nor reset the count: the second breach after it confirms the trip.
    expect(trips).toEqual([2]);
    expect(state).toMatchObject({ status: "tripped", faults: 1, lastFault: "fx rate missing for EUR" });
  });

  it("a throw on every reading never trips", () => {
    let state = initialState();
    for (let i = 0; i < 50; i++) {
      const result = safely(() => {
        throw new TypeError("cannot read properties of undefined");
      });
      if ("error" in result) state = fault(state, result.error);
    }
    expect(state).toMatchObject({ status: "armed", faults: 50 });
  });

  it("NaN from a condition counts as a fault, not a reading", () => {
    const result = safely(() => dailyLoss({ dailyPnlUsd: Number.NaN }, 1000));
    // dailyLoss itself reports unknown P&L as no data; a raw NaN value is caught by safely
    expect("reading" in result && result.reading.value).toBe(null);
    const raw = safely(() => ({ breached: false, value: Number.NaN, threshold: 1, detail: "x" }));
    expect("error" in raw).toBe(true);
  });
});
