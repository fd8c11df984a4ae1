import { z } from "zod";
import { gte, isDecimal, isPositive, lte } from "./money";
import { decimalString, positiveDecimal, symbolSchema } from "./orders/schemas";

const nonNegativeDecimal = decimalString.refine((v) => isDecimal(v) && gte(v, "0"), {
  message: "must be zero or more",
});
/** A collar wider than 100% of the mid would let a limit price of zero or less through: no collar at all. */
const collarPct = positiveDecimal.refine((v) => isDecimal(v) && isPositive(v) && lte(v, "100"), {
  message: "must be greater than zero and at most 100",
});

export const TRADING_STATES = ["ACTIVE", "REDUCING", "HALTED"] as const;
export type TradingState = (typeof TRADING_STATES)[number];

/** Limits per scope: "default" applies to every account; "account:<id>" overrides field by field. */
export const riskLimitsSchema = z
  .object({
    maxOrderQty: positiveDecimal,
    maxOrderNotional: positiveDecimal,
    /** A limit price must lie within this percentage of the reference mid. */
    priceCollarPct: collarPct,
    /**
     * Largest absolute position per account and symbol in the worst case: the position plus every
     * working buy (long side) or minus every working sell (short side), this order included.
     */
    maxPositionQty: positiveDecimal,
    maxOpenOrders: z.number().int().min(1).max(100_000),
    /** Token bucket per account: refill rate and burst size. */
    ordersPerSecond: z.number().min(0.1).max(100_000),
    orderBurst: z.number().int().min(1).max(100_000),
    /** Credit for buying: open buy notional (each order at its own price) plus this order's must stay within it. */
    buyingPower: nonNegativeDecimal,
    restrictedSymbols: z.array(symbolSchema).max(1000),
  })
  .strict();
export type RiskLimits = z.output<typeof riskLimitsSchema>;

export const DEFAULT_RISK_LIMITS: RiskLimits = {
  maxOrderQty: "100000",
  maxOrderNotional: "5000000",
  priceCollarPct: "10",
  maxPositionQty: "1000000",
  maxOpenOrders: 500,
  ordersPerSecond: 20_000,
  orderBurst: 20_000,
  buyingPower: "100000000",
  restrictedSymbols: [],
};

export const riskScope = z.union([z.literal("default"), z.string().regex(/^account:[A-Za-z0-9._:-]{1,64}$/)]);
export type RiskScope = z.output<typeof riskScope>;

export const setRiskLimitsInput = z
  .object({ scope: riskScope, limits: riskLimitsSchema.partial().strict() })
  .strict()
  .refine((v) => Object.keys(v.limits).length > 0, { message: "give at least one limit to change" });
export type SetRiskLimits = z.output<typeof setRiskLimitsInput>;

/**
 * Trading state scopes: `global`, or one or more parts joined by `/`, each kind at most once and in
 * this order: `account:<id>`, `strategy:<name>`, `symbol:<sym>`, `venue:<id>`. E.g. `account:ACC`,
 * `symbol:AAPL`, `strategy:S`, `venue:SIM-A`, `account:ACC/symbol:AAPL`, `account:ACC/strategy:S`.
 * A scope covers an order when every part matches it; the most restrictive covering state applies.
 */
export const SCOPE_KINDS = ["account", "strategy", "symbol", "venue"] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
export type ScopeParts = Partial<Record<ScopeKind, string>>;

const SCOPE_VALUE: Record<ScopeKind, RegExp> = {
  account: /^[A-Za-z0-9._:-]{1,64}$/,
  strategy: /^[A-Za-z0-9._:-]{1,64}$/,
  // Symbols may hold "/" (EUR/USD): parts are split only before a known kind.
  symbol: /^[A-Z0-9.\-/]{1,32}$/,
  venue: /^[A-Za-z0-9._:-]{1,64}$/,
};

/** The parts of a trading-state scope, `{}` for global; null when the string is not a scope. */
export function parseScope(scope: string): ScopeParts | null {
  if (scope === "global") return {};
  if (scope.length > 300) return null;
  const parts: ScopeParts = {};
  let last = -1;
  for (const segment of scope.split(/\/(?=(?:account|strategy|symbol|venue):)/)) {
    const colon = segment.indexOf(":");
    const kind = segment.slice(0, colon) as ScopeKind;
    const index = SCOPE_KINDS.indexOf(kind);
    const value = segment.slice(colon + 1);
    if (colon < 0 || index <= last || !SCOPE_VALUE[kind].test(value)) return null;
    parts[kind] = value;
    last = index;
  }
  return parts;
}

/** The canonical string of scope parts: `global` when there are none. */
export function formatScope(parts: ScopeParts): string {
  const out = SCOPE_KINDS.flatMap((kind) => (parts[kind] === undefined ? [] : [`${kind}:${parts[kind]}`]));
  return out.length === 0 ? "global" : out.join("/");
}

/** What a scope is matched against: an order (its requested venue, if directed) or a venue being chosen. */
export interface ScopeTarget {
  accountId: string;
  symbol: string;
  strategy?: string | null;
  venueId?: string | null;
}

/**
 * Whether a scope covers a target: each part the scope names must equal the target's. A scope with
 * a venue part covers only targets with that venue; one with a strategy part only orders of that strategy.
 */
export function scopeCovers(parts: ScopeParts, target: ScopeTarget): boolean {
  return (
    (parts.account === undefined || parts.account === target.accountId) &&
    (parts.symbol === undefined || parts.symbol === target.symbol) &&
    (parts.strategy === undefined || parts.strategy === (target.strategy ?? undefined)) &&
    (parts.venue === undefined || parts.venue === (target.venueId ?? undefined))
  );
}

export const tradingStateScope = z.string().refine((s) => parseScope(s) !== null, {
  message:
    "must be global, or parts account:<id>, strategy:<name>, symbol:<SYM>, venue:<id> joined by / in that order (e.g. account:ACC/symbol:AAPL)",
});
export const setTradingStateInput = z
  .object({
    scope: tradingStateScope,
    state: z.enum(TRADING_STATES),
    reason: z.string().min(1).max(500),
    /**
     * HALTED only: orders that strictly reduce |position| (in the worst case, with every working order
     * on their side filled) still pass, so a halt never traps anyone in a position. Default true.
     */
    allowReducing: z.boolean().optional(),
  })
  .strict();
export type SetTradingState = z.output<typeof setTradingStateInput>;

/** A scope's trading state with who set it, when and why (from the journaled TradingStateChanged). */
export interface TradingStateEntry {
  scope: string;
  state: TradingState;
  setBy: string;
  setAt: string;
  reason: string;
  allowReducing: boolean;
}

export const accountScope = (accountId: string) => `account:${accountId}` as const;
export const symbolScope = (symbol: string) => `symbol:${symbol}` as const;

// ---------------------------------------------------------------------------------------------
// Kill switch (apps/engine/src/controls/kill-switch.ts, docs/OPERATIONS.md "Emergency procedures")

/** The customer's CircuitBreakerConfig actions. */
export const KILL_SWITCH_ACTIONS = ["haltNewOrders", "cancelOpenOrders", "closeAllPositions", "notifyRiskTeam"] as const;
export type KillSwitchAction = (typeof KILL_SWITCH_ACTIONS)[number];
export const MIN_CONTROL_REASON = 10;
const controlReason = z
  .string()
  .trim()
  .min(MIN_CONTROL_REASON, { message: `give a reason of at least ${MIN_CONTROL_REASON} characters` })
  .max(500);

export const tripInput = z
  .object({
    scope: tradingStateScope,
    actions: z.array(z.enum(KILL_SWITCH_ACTIONS)).min(1).max(4),
    reason: controlReason,
    /** See setTradingStateInput; closeAllPositions needs it (its orders reduce). Default true. */
    allowReducing: z.boolean().optional(),
  })
  .strict();
export type TripInput = z.output<typeof tripInput>;

export const resetInput = z.object({ scope: tradingStateScope, reason: controlReason }).strict();
export type ResetInput = z.output<typeof resetInput>;

export const approveResetInput = z.object({ scope: tradingStateScope, reason: controlReason.optional() }).strict();
export type ApproveResetInput = z.output<typeof approveResetInput>;

export interface KillSwitchOutcomeData {
  tripId: string;
  scope: string;
  ordersCancelled: number;
  cancelFailures: { orderId: string; reason: string }[];
  positionsFlattened: { accountId: string; symbol: string; from: string; attempts: number }[];
  flattenFailures: { accountId: string; symbol: string; remaining: string; attempts: number; reason: string }[];
  notified: boolean;
  durationMs: number;
}

/** What a trip would touch, per account: working orders and their notional, positions to flatten. */
export interface ControlsPreview {
  scope: string;
  accounts: {
    accountId: string;
    openOrders: number;
    openNotional: string;
    /** Orders that cannot be valued (market orders with no quote): counted, not in the notional. */
    unpricedOrders: number;
    positions: { symbol: string; qty: string }[];
  }[];
  totals: { openOrders: number; openNotional: string; positions: number };
  /** Why closeAllPositions cannot act on this scope, if it cannot (strategy or venue scopes). */
  flattenUnsupported: string | null;
}

export interface ControlsHistoryEntry {
  seq: number;
  ts: string;
  type: "KillSwitchTripped" | "KillSwitchOutcome" | "KillSwitchReset" | "KillSwitchResetRequested" | "TradingStateChanged";
  actor: string;
  scope: string;
  reason: string | null;
  data: unknown;
}

export interface PendingReset {
  scope: string;
  requestedBy: string;
  requestedAt: string;
  reason: string;
}

export interface ControlsState {
  asOf: string;
  /** Every scope that is not ACTIVE, with who/when/why; ACTIVE scopes that were set are listed too. */
  states: TradingStateEntry[];
  pendingResets: PendingReset[];
  requireSecondApprovalForGlobalReset: boolean;
  history: ControlsHistoryEntry[];
}
