import { KILL_SWITCH_ACTIONS, parseScope, tradingStateScope } from "@fillmore/shared";
import { z } from "zod";

/** Conditions read from positions, P&L and order outcomes; scoped firm-wide (global), per account, per strategy. */
export const PNL_CONDITIONS = ["portfolioDrawdown", "dailyLoss", "orderRejectionRate", "positionSize"] as const;
/** Conditions read from quotes, evaluated per symbol: global (each symbol) or symbol:<SYM>. */
export const MARKET_CONDITIONS = ["volatilitySpike", "staleQuote", "crossedMarket", "priceGap"] as const;
export const BREAKER_CONDITIONS = [...PNL_CONDITIONS, ...MARKET_CONDITIONS] as const;
export type BreakerCondition = (typeof BREAKER_CONDITIONS)[number];

export const isMarketCondition = (c: BreakerCondition) => (MARKET_CONDITIONS as readonly string[]).includes(c);

/** What the threshold means, per condition (for error texts and the console). */
export const THRESHOLD_UNITS: Record<BreakerCondition, string> = {
  portfolioDrawdown: "% below the day's peak equity",
  dailyLoss: "USD lost today",
  volatilitySpike: "× the baseline volatility",
  orderRejectionRate: "% of recent orders rejected",
  positionSize: "largest absolute position (units)",
  staleQuote: "ms since the last quote",
  crossedMarket: "bid − ask (0: locked or crossed)",
  priceGap: "% move between consecutive quotes",
};

export const breakerName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  message: "a breaker name is 1–64 letters, digits, '.', '_' or '-'",
});

/**
 * One breaker's configuration, set by the risk role (PUT /v1/controls/breakers/:name), journaled as
 * BreakerConfigChanged. `threshold` is in the condition's unit (THRESHOLD_UNITS); crossedMarket's is 0.
 */
export const breakerConfigSchema = z
  .object({
    condition: z.enum(BREAKER_CONDITIONS),
    /** P&L conditions: global, account:<id>, strategy:<name>, account:<id>/strategy:<name>. Market conditions: global or symbol:<SYM>. */
    scope: tradingStateScope,
    enabled: z.boolean(),
    threshold: z.number().finite().min(0).max(1e15),
    /** N: consecutive breaching readings before it trips. */
    confirmations: z.number().int().min(1).max(100).default(1),
    /** Once tripped, it re-arms only when the value falls below threshold × (1 − hysteresis). */
    hysteresis: z.number().min(0).max(0.99).default(0.1),
    actions: z
      .array(z.enum(KILL_SWITCH_ACTIONS))
      .min(1)
      .max(4)
      .transform((a) => [...new Set(a)]),
    /** As for the kill switch: a halt lets strictly reducing orders through unless false. */
    allowReducing: z.boolean().default(true),
    /** portfolioDrawdown: the scope's capital in USD; equity = capital + today's P&L. */
    capitalUsd: z.number().finite().positive().max(1e15).optional(),
    /** volatilitySpike: returns in the short window and in the baseline. */
    shortWindow: z.number().int().min(2).max(1000).default(10),
    longWindow: z.number().int().min(3).max(10_000).default(100),
    /** orderRejectionRate: order outcomes kept (sliding window) and the fewest judged. */
    window: z.number().int().min(1).max(10_000).default(50),
    minOrders: z.number().int().min(1).max(10_000).default(10),
    /** Free text shown in the console. */
    note: z.string().max(300).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const parts = parseScope(c.scope) ?? {};
    if (isMarketCondition(c.condition)) {
      if (parts.account !== undefined || parts.strategy !== undefined || parts.venue !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["scope"],
          message: `${c.condition} is per symbol: scope global (every symbol) or symbol:<SYM>`,
        });
    } else if (parts.symbol !== undefined || parts.venue !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["scope"],
        message: `${c.condition} reads P&L and orders: scope global, account:<id>, strategy:<name> or account:<id>/strategy:<name>`,
      });
    if (parts.strategy !== undefined && c.actions.includes("closeAllPositions"))
      ctx.addIssue({
        code: "custom",
        path: ["actions"],
        message: "closeAllPositions needs an account or symbol scope: positions are kept per account and symbol, not per strategy",
      });
    if (c.actions.includes("closeAllPositions") && !c.allowReducing)
      ctx.addIssue({
        code: "custom",
        path: ["allowReducing"],
        message: "closeAllPositions sends orders that reduce positions: it needs allowReducing",
      });
    if (c.condition === "portfolioDrawdown" && c.capitalUsd === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["capitalUsd"],
        message: "portfolioDrawdown needs capitalUsd: equity is capital plus today's P&L",
      });
    if (c.condition === "volatilitySpike" && c.shortWindow >= c.longWindow)
      ctx.addIssue({ code: "custom", path: ["shortWindow"], message: "the short window must be shorter than the baseline (longWindow)" });
    if (c.condition === "orderRejectionRate" && c.minOrders > c.window)
      ctx.addIssue({ code: "custom", path: ["minOrders"], message: "minOrders cannot exceed the window" });
    if (c.condition === "crossedMarket" && c.threshold !== 0)
      ctx.addIssue({ code: "custom", path: ["threshold"], message: "crossedMarket trips at bid ≥ ask: its threshold is 0" });
  });
export type BreakerConfigInput = z.input<typeof breakerConfigSchema>;
export type BreakerConfig = z.output<typeof breakerConfigSchema>;

export const BREAKER_TIMER_MS = 250;
