import { DEFAULT_RISK_LIMITS, type RiskLimits } from "@fillmore/shared";
import type { RiskContext } from "./checks";

// Fixtures for the risk checks' tests: a tradable AAPL, an account with room, no position.

export const AAPL = { symbol: "AAPL", tickSize: "0.01", lotSize: "1", tradable: true };

export const limits = (overrides: Partial<RiskLimits> = {}): RiskLimits => ({
  ...DEFAULT_RISK_LIMITS,
  maxOrderQty: "1000",
  maxOrderNotional: "100000",
  ...overrides,
});

/** What risk sees for an AAPL order of a known, flat account with default limits (each part overridable). */
export function riskContext(overrides: Partial<RiskContext> = {}): RiskContext {
  return {
    instrument: AAPL,
    accountKnown: true,
    limits: limits(),
    tradingState: "ACTIVE",
    referencePx: "189.52",
    midPx: "189.51",
    position: "0",
    workingBuyQty: "0",
    workingSellQty: "0",
    openOrders: 0,
    openBuyNotional: "0",
    unpricedOpenBuys: [],
    tokensAvailable: 20,
    ...overrides,
  };
}
