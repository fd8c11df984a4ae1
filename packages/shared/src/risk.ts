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

/** Trading state scopes: everything, one account, or one symbol. The most restrictive applies. */
export const tradingStateScope = z.union([
  z.literal("global"),
  z.string().regex(/^account:[A-Za-z0-9._:-]{1,64}$/),
  z.string().regex(/^symbol:[A-Z0-9.\-/]{1,32}$/),
]);
export const setTradingStateInput = z
  .object({ scope: tradingStateScope, state: z.enum(TRADING_STATES), reason: z.string().min(1).max(500) })
  .strict();
export type SetTradingState = z.output<typeof setTradingStateInput>;

export const accountScope = (accountId: string) => `account:${accountId}` as const;
export const symbolScope = (symbol: string) => `symbol:${symbol}` as const;
