import { z } from "zod";
import { isDecimal, isPositive } from "../money";
import { ORD_STATUSES, ORD_TYPES, SIDES, TIME_IN_FORCES } from "./enums";

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
    timeInForce: z.enum(TIME_IN_FORCES).default("DAY"),
    expireTime: z.iso.datetime({ offset: true }).optional(),
    venueId: identifier.optional(),
    strategy: identifier.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const needsPrice = o.ordType === "Limit" || o.ordType === "StopLimit";
    const needsStop = o.ordType === "Stop" || o.ordType === "StopLimit";
    if (needsPrice && o.price === undefined)
      ctx.addIssue({ code: "custom", path: ["price"], message: `${o.ordType} orders need a limit price` });
    if (!needsPrice && o.price !== undefined)
      ctx.addIssue({ code: "custom", path: ["price"], message: `${o.ordType} orders take no limit price` });
    if (needsStop && o.stopPx === undefined)
      ctx.addIssue({ code: "custom", path: ["stopPx"], message: `${o.ordType} orders need a stop price` });
    if (o.timeInForce === "GTD" && o.expireTime === undefined)
      ctx.addIssue({ code: "custom", path: ["expireTime"], message: "GTD orders need an expireTime" });
    if (o.timeInForce !== "GTD" && o.expireTime !== undefined)
      ctx.addIssue({ code: "custom", path: ["expireTime"], message: "expireTime is only for GTD orders" });
  });
export type SubmitOrderInput = z.input<typeof submitOrderInput>;
export type SubmitOrder = z.output<typeof submitOrderInput>;

export const cancelOrderInput = z.object({ orderId: identifier }).strict();
export type CancelOrder = z.output<typeof cancelOrderInput>;

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
