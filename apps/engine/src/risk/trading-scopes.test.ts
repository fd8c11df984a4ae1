import { type AnyEvent, DEFAULT_RISK_LIMITS, formatScope, parseScope, type SubmitOrderInput, scopeCovers } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import { describe, expect, it } from "vitest";
import type { Journal } from "../journal/journal";
import { checkOrder, type RiskContext } from "./checks";
import { RiskSettings } from "./risk-settings";

// Trading-state scopes (global, account, strategy, symbol, venue and their combinations), the most
// restrictive covering state, reducing orders under a halt, and refusals that name scope/who/when/why.

function settings() {
  let seq = 0;
  const journal = {
    append: (draft: object) => {
      seq += 1;
      return { event: { ...draft, seq, ts: `2026-01-01T12:00:0${seq}.000000Z`, monoUs: 0 } as unknown as AnyEvent };
    },
    durable: async () => undefined,
  } as unknown as Journal;
  const risk = new RiskSettings(journal, { accounts: new Set(["ACC", "OTHER"]), instruments: new Set(["AAPL", "MSFT", "EUR/USD"]) });
  risk.useVenues(new Set(["SIM-A", "SIM-B"]));
  return risk;
}
const target = { accountId: "ACC", symbol: "AAPL", strategy: "momo", venueId: null };

describe("scope grammar", () => {
  it.each([
    ["global", {}],
    ["account:ACC", { account: "ACC" }],
    ["symbol:EUR/USD", { symbol: "EUR/USD" }],
    ["account:ACC/symbol:EUR/USD", { account: "ACC", symbol: "EUR/USD" }],
    ["account:ACC/strategy:momo", { account: "ACC", strategy: "momo" }],
    ["venue:SIM-A", { venue: "SIM-A" }],
  ])("%s parses and formats back", (scope, parts) => {
    expect(parseScope(scope)).toEqual(parts);
    expect(formatScope(parts)).toBe(scope);
  });
  it.each(["", "planet:earth", "symbol:AAPL/account:ACC", "account:ACC/account:B", "symbol:aapl", "account:"])("%j is refused", (scope) => {
    expect(parseScope(scope)).toBeNull();
  });
  it("a scope covers an order when every part matches", () => {
    expect(scopeCovers({}, target)).toBe(true);
    expect(scopeCovers({ account: "ACC", strategy: "momo" }, target)).toBe(true);
    expect(scopeCovers({ account: "ACC", strategy: "carry" }, target)).toBe(false);
    expect(scopeCovers({ strategy: "momo" }, { ...target, strategy: null })).toBe(false);
    expect(scopeCovers({ venue: "SIM-A" }, target)).toBe(false);
    expect(scopeCovers({ venue: "SIM-A" }, { ...target, venueId: "SIM-A" })).toBe(true);
  });
});

describe("the most restrictive covering state wins", () => {
  it("HALTED strict over HALTED over REDUCING over ACTIVE, naming the scope that sets it", async () => {
    const risk = settings();
    expect(risk.effectiveState(target)).toEqual({ state: "ACTIVE", blocking: null });
    await risk.setTradingState({ scope: "symbol:AAPL", state: "REDUCING", reason: "news" }, "user:a");
    expect(risk.effectiveState(target).blocking).toMatchObject({ scope: "symbol:AAPL", state: "REDUCING", setBy: "user:a" });
    await risk.setTradingState({ scope: "account:ACC/strategy:momo", state: "HALTED", reason: "algo" }, "user:b");
    expect(risk.effectiveState(target).blocking).toMatchObject({
      scope: "account:ACC/strategy:momo",
      state: "HALTED",
      allowReducing: true,
    });
    await risk.setTradingState({ scope: "strategy:momo", state: "HALTED", reason: "strict", allowReducing: false }, "user:c");
    expect(risk.effectiveState(target).blocking).toMatchObject({ scope: "strategy:momo", allowReducing: false });
    // Another strategy of the same account sees only the symbol's REDUCING.
    expect(risk.effectiveState({ ...target, strategy: "carry" }).blocking).toMatchObject({ scope: "symbol:AAPL" });
    expect(risk.tradingState("OTHER", "MSFT")).toBe("ACTIVE");
    await risk.setTradingState({ scope: "strategy:momo", state: "ACTIVE", reason: "over" }, "user:c");
    expect(risk.stateOf("strategy:momo")).toBeNull();
    expect(risk.tradingStates().map((s) => s.scope)).toEqual(["symbol:AAPL", "account:ACC/strategy:momo"]);
  });

  it("a venue halt closes the venue to the router and to directed orders only", async () => {
    const risk = settings();
    await risk.setTradingState({ scope: "account:ACC/venue:SIM-A", state: "HALTED", reason: "venue trouble" }, "user:a");
    expect(risk.venueHalt("SIM-A", target)).toMatchObject({ scope: "account:ACC/venue:SIM-A" });
    expect(risk.venueHalt("SIM-B", target)).toBeNull();
    expect(risk.venueHalt("SIM-A", { ...target, accountId: "OTHER" })).toBeNull();
    expect(risk.effectiveState(target).state).toBe("ACTIVE");
    expect(risk.effectiveState({ ...target, venueId: "SIM-A" }).state).toBe("HALTED");
    await expect(risk.setTradingState({ scope: "venue:NOPE", state: "HALTED", reason: "x" }, "user:a")).rejects.toThrow(
      /NOPE is not a known venue/,
    );
  });
});

describe("checks under a halt", () => {
  const halt = {
    scope: "global",
    state: "HALTED" as const,
    setBy: "user:risk@x",
    setAt: "2026-01-01T12:00:01.000000Z",
    reason: "runaway algo",
    allowReducing: true,
  };
  const ctx = (overrides: Partial<RiskContext>): RiskContext => ({
    instrument: { symbol: "AAPL", tickSize: "0.01", lotSize: "1", tradable: true },
    accountKnown: true,
    limits: DEFAULT_RISK_LIMITS,
    tradingState: "HALTED",
    tradingHalt: halt,
    referencePx: "100",
    midPx: "100",
    position: "100",
    workingBuyQty: "0",
    workingSellQty: "0",
    openOrders: 0,
    openBuyNotional: "0",
    unpricedOpenBuys: [],
    tokensAvailable: 10,
    ...overrides,
  });
  const o = (input: Partial<SubmitOrderInput>) => orderFrom({ ordType: "Market", orderQty: "50", ...input });

  it("names the scope, who, when and why", () => {
    expect(checkOrder(o({ side: "Buy" }), ctx({}))).toEqual({
      code: "TRADING_HALTED",
      reason:
        'trading is HALTED for global by user:risk@x at 2026-01-01T12:00:01.000000Z: reason "runaway algo"; no new orders (only orders that reduce the position pass)',
    });
  });
  it("lets an order that strictly reduces |position| through, in the worst case", () => {
    expect(checkOrder(o({ side: "Sell" }), ctx({}))).toBeNull();
    expect(checkOrder(o({ side: "Sell", orderQty: "100" }), ctx({}))).toBeNull();
    // Beyond flat: it would open a short.
    expect(checkOrder(o({ side: "Sell", orderQty: "101" }), ctx({}))?.code).toBe("TRADING_HALTED");
    // Working sells count: 60 working + 50 would go short.
    expect(checkOrder(o({ side: "Sell" }), ctx({ workingSellQty: "60" }))?.code).toBe("TRADING_HALTED");
    expect(checkOrder(o({ side: "Buy" }), ctx({ position: "-100" }))).toBeNull();
    expect(checkOrder(o({ side: "Sell" }), ctx({ position: "0" }))?.code).toBe("TRADING_HALTED");
  });
  it("refuses even reducing orders when the halt says allowReducing: false", () => {
    expect(checkOrder(o({ side: "Sell" }), ctx({ tradingHalt: { ...halt, allowReducing: false } }))?.reason).toMatch(
      /HALTED for global by user:risk@x .*; no new orders$/,
    );
  });
  it("REDUCING names its scope too", () => {
    const reducing = { ...halt, scope: "symbol:AAPL", state: "REDUCING" as const };
    expect(checkOrder(o({ side: "Buy" }), ctx({ tradingState: "REDUCING", tradingHalt: reducing }))?.reason).toMatch(
      /^trading is REDUCING for symbol:AAPL by user:risk@x at .*: reason "runaway algo": Buy 50 does not reduce/,
    );
  });
});
