import { z } from "zod";
import { isDecimal, isPositive } from "../money";
import { ORD_STATUSES, ORD_TYPES, ROUTING_POLICIES, SIDES, TIME_IN_FORCES } from "./enums";
import { expireTimeMs, GTD_STATIC_MAX_MS, GTD_STATIC_MAX_YEARS } from "./expire-time";

export const decimalString = z
  .string()
  // abort: later checks (isPositive) parse the string and would throw on a malformed one
  .refine(isDecimal, { message: 'must be a decimal string such as "100" or "10.25"', abort: true });
export const positiveDecimal = decimalString.refine((v) => isDecimal(v) && isPositive(v), { message: "must be greater than zero" });

export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, { message: "may contain only letters, digits and . _ : -" });

export const symbolSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Z0-9.\-/]+$/, { message: "must be upper-case letters, digits, . - /" });

export const submitOrderInput = z
  .object({
    clOrdId: identifier.optional(),
    accountId: identifier,
    symbol: symbolSchema,
    side: z.enum(SIDES),
    ordType: z.enum(ORD_TYPES),
    orderQty: positiveDecimal,
    price: positiveDecimal.optional(),
    stopPx: positiveDecimal.optional(),
    /** Trailing stops trail the market by an amount or a percentage (one of the two). */
    trailAmount: positiveDecimal.optional(),
    trailPercent: positiveDecimal.refine((v) => isDecimal(v) && Number(v) < 100, { message: "must be below 100" }).optional(),
    timeInForce: z.enum(TIME_IN_FORCES).default("DAY"),
    expireTime: z.iso.datetime({ offset: true }).optional(),
    venueId: identifier.optional(),
    /** This order's routing policy instead of the engine's default; not with venueId. */
    routing: z.enum(ROUTING_POLICIES).optional(),
    strategy: identifier.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.venueId !== undefined && o.routing !== undefined)
      ctx.addIssue({ code: "custom", path: ["routing"], message: "an order directed to a venue takes no routing policy" });
    const needsPrice = o.ordType === "Limit" || o.ordType === "StopLimit";
    const needsStop = o.ordType === "Stop" || o.ordType === "StopLimit";
    if (needsPrice && o.price === undefined)
      ctx.addIssue({ code: "custom", path: ["price"], message: `${o.ordType} orders need a limit price` });
    if (!needsPrice && o.price !== undefined)
      ctx.addIssue({ code: "custom", path: ["price"], message: `${o.ordType} orders take no limit price` });
    if (needsStop && o.stopPx === undefined)
      ctx.addIssue({ code: "custom", path: ["stopPx"], message: `${o.ordType} orders need a stop price` });
    const trailing = o.ordType === "TrailingStop";
    const trails = (o.trailAmount === undefined ? 0 : 1) + (o.trailPercent === undefined ? 0 : 1);
    if (trailing && trails !== 1)
      ctx.addIssue({
        code: "custom",
        path: ["trailAmount"],
        message: "TrailingStop orders need exactly one of trailAmount or trailPercent",
      });
    if (!trailing && trails > 0)
      ctx.addIssue({ code: "custom", path: ["trailAmount"], message: "trailAmount and trailPercent are only for TrailingStop orders" });
    if (trailing && o.stopPx !== undefined)
      ctx.addIssue({ code: "custom", path: ["stopPx"], message: "TrailingStop orders compute their stop price from the market" });
    if (trailing && (o.timeInForce === "FOK" || o.timeInForce === "IOC"))
      ctx.addIssue({ code: "custom", path: ["timeInForce"], message: "a held trailing stop cannot be IOC or FOK" });
    if (o.timeInForce === "GTD" && o.expireTime === undefined)
      ctx.addIssue({ code: "custom", path: ["expireTime"], message: "GTD orders need an expireTime" });
    if (o.timeInForce !== "GTD" && o.expireTime !== undefined)
      ctx.addIssue({ code: "custom", path: ["expireTime"], message: "expireTime is only for GTD orders" });
    // Past and beyond the configured horizon need the engine's clock and config: checkExpireTime.
    if (o.expireTime !== undefined) {
      const ms = expireTimeMs(o.expireTime);
      if (ms === null) ctx.addIssue({ code: "custom", path: ["expireTime"], message: "expireTime is not a real calendar date" });
      else if (ms - Date.now() > GTD_STATIC_MAX_MS)
        ctx.addIssue({
          code: "custom",
          path: ["expireTime"],
          message: `expireTime is more than ${GTD_STATIC_MAX_YEARS} years ahead; no GTD order may work that long`,
        });
    }
  });
export type SubmitOrderInput = z.input<typeof submitOrderInput>;
export type SubmitOrder = z.output<typeof submitOrderInput>;

export const cancelOrderInput = z.object({ orderId: identifier }).strict();
export type CancelOrder = z.output<typeof cancelOrderInput>;

/** Cancel/replace: any of quantity, limit price and stop price; at least one. */
export const modifyOrderInput = z
  .object({
    orderId: identifier,
    orderQty: positiveDecimal.optional(),
    price: positiveDecimal.optional(),
    stopPx: positiveDecimal.optional(),
  })
  .strict()
  .refine((m) => m.orderQty !== undefined || m.price !== undefined || m.stopPx !== undefined, {
    message: "give at least one of orderQty, price, stopPx",
  });
export type ModifyOrder = z.output<typeof modifyOrderInput>;

/** Cancels every working order matching all the given filters; at least one filter. */
export const cancelAllInput = z
  .object({ accountId: identifier.optional(), strategy: identifier.optional(), symbol: symbolSchema.optional() })
  .strict()
  .refine((f) => f.accountId !== undefined || f.strategy !== undefined || f.symbol !== undefined, {
    message: "give at least one filter: accountId, strategy or symbol",
  });
export type CancelAll = z.output<typeof cancelAllInput>;

export const listOrdersInput = z
  .object({
    symbol: symbolSchema.optional(),
    ordStatus: z.enum(ORD_STATUSES).optional(),
    accountId: identifier.optional(),
    limit: z.number().int().min(1).max(500).default(100),
    cursor: identifier.optional(),
  })
  .strict();
export type ListOrders = z.output<typeof listOrdersInput>;
