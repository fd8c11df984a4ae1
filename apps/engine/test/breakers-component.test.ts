import type { AnyEvent, Clock, Order, TripInput } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { type BreakerPnl, Breakers } from "../src/controls/breakers/breakers";
import { Deadman } from "../src/controls/deadman";
import type { EventDraft } from "../src/journal/journal";
import { createLogger } from "../src/log";
import type { Quote } from "../src/marketdata/quotes";

// The breaker component with a controlled clock, a fake P&L source and a recording kill switch: no
// server. Shows the trip and its audit record, nothing below threshold, and that a throwing P&L read
// neither trips nor silences the breaker.

function rig(pnl: Partial<BreakerPnl> = {}, quotes: Quote[] = []) {
  let now = Date.parse("2026-11-30T14:00:00Z");
  const clock: Clock = { nowMs: () => now, nowIso: () => new Date(now).toISOString() } as Clock;
  const events: EventDraft[] = [];
  const trips: { input: TripInput; actor: string }[] = [];
  const breakers = new Breakers({
    journal: { append: (d) => events.push(d) },
    clock,
    log: createLogger("silent"),
    pnl: { dailyPnlUsd: () => 0, positions: () => [], sessionOf: () => 1, ...pnl },
    quotes: () => quotes,
    timerMs: 60_000,
  });
  breakers.start(async (input, actor) => {
    trips.push({ input, actor });
  });
  return { breakers, events, trips, advance: (ms: number) => (now += ms), stop: () => breakers.stop() };
}

const quote = (symbol: string, bid: string, ask: string, ts = Date.parse("2026-11-30T14:00:00Z")): Quote => ({
  symbol,
  bid,
  ask,
  last: bid,
  ts,
});
const ACTIONS = ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"];

describe("Breakers component", () => {
  it("dailyLoss: confirmed over 3 readings, trips once with the audit record and the alert; nothing below threshold", async () => {
    let pnl = -100;
    const r = rig({ dailyPnlUsd: () => pnl });
    await r.breakers.set(
      "firm-loss",
      { condition: "dailyLoss", scope: "global", enabled: true, threshold: 1000, confirmations: 3, actions: ACTIONS },
      "user:risk",
    );
    for (let i = 0; i < 20; i++) r.breakers.evaluatePnl();
    expect(r.trips).toEqual([]);
    pnl = -1500;
    r.breakers.evaluatePnl();
    r.breakers.evaluatePnl();
    expect(r.breakers.get("firm-loss")?.states[0]).toMatchObject({ status: "breached", consecutive: 2 });
    r.breakers.evaluatePnl();
    r.breakers.evaluatePnl();
    expect(r.trips).toEqual([
      {
        actor: "breaker:firm-loss",
        input: {
          scope: "global",
          actions: ACTIONS,
          allowReducing: true,
          reason: "dailyLoss breached: value 1500 > threshold 1000 (daily P&L -1500 USD: a loss of 1500 USD)",
        },
      },
    ]);
    const tripped = r.events.find((e) => e.type === "BreakerTripped");
    expect(tripped).toMatchObject({
      actor: "breaker:firm-loss",
      data: { breaker: "firm-loss", condition: "dailyLoss", value: 1500, threshold: 1000, readings: 3, scope: "global", actions: ACTIONS },
    });
    expect(r.events.find((e) => e.type === "AlertRaised")).toMatchObject({ data: { code: "BREAKER_TRIPPED" } });
    // Below threshold but above threshold × (1 − 0.1): still tripped; then clears.
    pnl = -950;
    r.breakers.evaluatePnl();
    expect(r.breakers.get("firm-loss")?.status).toBe("tripped");
    pnl = -850;
    r.breakers.evaluatePnl();
    expect(r.breakers.get("firm-loss")?.status).toBe("armed");
    r.stop();
  });

  it("an exception in the P&L read does not trip or silence the breaker: counted, alerted (BREAKER_FAULT), next reading evaluated", async () => {
    let mode: "loss" | "throw" = "throw";
    const r = rig({
      dailyPnlUsd: () => {
        if (mode === "throw") throw new TypeError("Cannot read properties of undefined (reading 'rate')");
        return -5000;
      },
    });
    await r.breakers.set(
      "acct-loss",
      { condition: "dailyLoss", scope: "account:ACC-ALPHA", enabled: true, threshold: 1000, confirmations: 2, actions: ["haltNewOrders"] },
      "user:risk",
    );
    for (let i = 0; i < 10; i++) r.breakers.evaluatePnl();
    expect(r.trips).toEqual([]);
    const view = r.breakers.get("acct-loss");
    expect(view).toMatchObject({ status: "armed", faults: 10, lastFault: "Cannot read properties of undefined (reading 'rate')" });
    const faults = r.events.filter((e) => e.type === "AlertRaised" && e.data.code === "BREAKER_FAULT");
    expect(faults).toHaveLength(1); // at most one alert a minute per breaker
    // The P&L read works again: the breaker was not silenced.
    mode = "loss";
    r.breakers.evaluatePnl();
    mode = "throw";
    r.breakers.evaluatePnl(); // a throw between two breaches does not reset the count
    mode = "loss";
    r.breakers.evaluatePnl();
    expect(r.trips.map((t) => t.input.scope)).toEqual(["account:ACC-ALPHA"]);
    r.stop();
  });

  it("drawdown from the day's peak; positionSize; orderRejectionRate ignores risk's own refusals", async () => {
    let pnl = 0;
    const r = rig({ dailyPnlUsd: () => pnl, positions: () => [{ id: "ACC-ALPHA/AAPL", qty: -2500 }] });
    await r.breakers.set(
      "dd",
      { condition: "portfolioDrawdown", scope: "global", enabled: true, threshold: 5, capitalUsd: 100_000, actions: ["haltNewOrders"] },
      "user:risk",
    );
    await r.breakers.set(
      "pos",
      {
        condition: "positionSize",
        scope: "account:ACC-ALPHA",
        enabled: true,
        threshold: 2000,
        actions: ["haltNewOrders", "closeAllPositions"],
      },
      "user:risk",
    );
    await r.breakers.set(
      "rej",
      {
        condition: "orderRejectionRate",
        scope: "global",
        enabled: true,
        threshold: 50,
        window: 10,
        minOrders: 4,
        actions: ["haltNewOrders"],
      },
      "user:risk",
    );
    pnl = 10_000;
    r.breakers.evaluatePnl();
    pnl = 4_000; // 110k → 104k: 5.45% below the peak
    r.breakers.evaluatePnl();
    expect(r.trips.map((t) => t.actor).sort()).toEqual(["breaker:dd", "breaker:pos"]);
    expect(r.trips.find((t) => t.actor === "breaker:dd")?.input.reason).toMatch(/^portfolioDrawdown breached: value 5.4545 > threshold 5/);

    const order = { orderId: "O1", accountId: "ACC-ALPHA", strategy: null, symbol: "AAPL" } as unknown as Order;
    const ev = (type: string, data: object) =>
      ({ type, data, seq: 1, ts: "", monoUs: 0, orderId: "O1", accountId: "ACC-ALPHA", actor: "x" }) as unknown as AnyEvent;
    for (let i = 0; i < 10; i++) r.breakers.onOrderEvent(ev("OrderRejected", { source: "RISK", reason: "halted" }), order);
    expect(r.trips).toHaveLength(2);
    r.breakers.onOrderEvent(ev("OrderAccepted", {}), order);
    for (let i = 0; i < 3; i++) r.breakers.onOrderEvent(ev("OrderRejected", { source: "VENUE", reason: "no" }), order);
    expect(r.trips.map((t) => t.actor)).toContain("breaker:rej");
    expect(r.breakers.get("rej")?.lastTrip).toMatchObject({ value: 75, threshold: 50 });
    r.stop();
  });

  it("market conditions per symbol: crossed/locked, gaps, volatility trip symbol:<SYM> scopes; stale quotes on the timer", async () => {
    const quotes = [quote("AAPL", "100.00", "100.02"), quote("MSFT", "300.00", "300.02")];
    const r = rig({}, quotes);
    await r.breakers.set(
      "crossed",
      { condition: "crossedMarket", scope: "global", enabled: true, threshold: 0, actions: ["haltNewOrders"] },
      "user:risk",
    );
    await r.breakers.set(
      "gap",
      { condition: "priceGap", scope: "symbol:MSFT", enabled: true, threshold: 2, actions: ["haltNewOrders"] },
      "user:risk",
    );
    await r.breakers.set(
      "vol",
      {
        condition: "volatilitySpike",
        scope: "global",
        enabled: true,
        threshold: 3,
        shortWindow: 5,
        longWindow: 40,
        actions: ["haltNewOrders"],
      },
      "user:risk",
    );
    await r.breakers.set(
      "stale",
      { condition: "staleQuote", scope: "global", enabled: true, threshold: 5000, actions: ["haltNewOrders"] },
      "user:risk",
    );
    for (let i = 0; i < 41; i++) r.breakers.onQuote(quote("AAPL", i % 2 ? "100.00" : "100.01", i % 2 ? "100.02" : "100.03"));
    expect(r.trips).toEqual([]);
    r.breakers.onQuote(quote("AAPL", "100.02", "100.02"));
    expect(r.trips.map((t) => [t.actor, t.input.scope])).toEqual([["breaker:crossed", "symbol:AAPL"]]);
    r.breakers.onQuote(quote("MSFT", "300.00", "300.02"));
    r.breakers.onQuote(quote("MSFT", "310.00", "310.02"));
    expect(r.trips.at(-1)).toMatchObject({ actor: "breaker:gap", input: { scope: "symbol:MSFT" } });
    for (const px of [103, 97, 104, 96, 105]) r.breakers.onQuote(quote("AAPL", String(px), String(px + 0.02)));
    expect(r.trips.map((t) => t.actor)).toContain("breaker:vol");
    r.breakers.evaluateStaleness();
    expect(r.trips.map((t) => t.actor)).not.toContain("breaker:stale");
    r.advance(6000);
    r.breakers.evaluateStaleness();
    expect(
      r.trips
        .filter((t) => t.actor === "breaker:stale")
        .map((t) => t.input.scope)
        .sort(),
    ).toEqual(["symbol:AAPL", "symbol:MSFT"]);
    r.stop();
  });
});

describe("Deadman component", () => {
  it("waits for the first heartbeat, fires once the heartbeat stops, re-arms on the next", async () => {
    let now = 0;
    const clock = { nowMs: () => now, nowIso: () => new Date(now).toISOString() } as Clock;
    const trips: { input: TripInput; actor: string }[] = [];
    const events: EventDraft[] = [];
    const d = new Deadman({
      journal: { append: (e) => events.push(e) },
      clock,
      log: createLogger("silent"),
      orders: { working: () => [], cancelAll: async () => ({ requested: 0, cancelled: [], skipped: [] }) },
      timerMs: 60_000,
    });
    d.start(async (input, actor) => {
      trips.push({ input, actor });
      return { outcome: { ordersCancelled: 2 } };
    });
    await d.set("strategy:S", { enabled: true, timeoutMs: 1000 }, "user:risk");
    now = 10_000;
    d.check();
    expect(trips).toEqual([]); // never heard from: waiting, not fired
    d.heartbeat("strategy:S");
    now += 900;
    d.check();
    expect(trips).toEqual([]);
    now += 200;
    d.check();
    d.check();
    expect(trips).toEqual([
      {
        actor: "deadman:strategy:S",
        input: expect.objectContaining({ scope: "strategy:S", actions: ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"] }),
      },
    ]);
    await new Promise((r) => setTimeout(r, 0));
    expect(events.find((e) => e.type === "DeadmanFired")).toMatchObject({ data: { id: "strategy:S", ordersCancelled: 2, silentMs: 1100 } });
    expect(d.list()[0]?.status).toBe("fired");
    d.heartbeat("strategy:S");
    expect(d.list()[0]?.status).toBe("alive");
    d.stop();
  });
});
