import { type Decimal, money, type Order } from "@fillmore/shared";

export interface InstrumentRule {
  symbol: string;
  tickSize: Decimal;
  lotSize: Decimal;
  tradable: boolean;
}

export interface RiskLimits {
  maxOrderQty: Decimal;
  maxOrderNotional: Decimal;
}

export interface RiskContext {
  instrument: InstrumentRule | undefined;
  accountKnown: boolean;
  limits: RiskLimits;
  /** Reference price for market orders' notional (the far touch). */
  referencePx: Decimal | undefined;
}

/** A refusal names the rule, the limit and the value. */
export interface Denial {
  code: string;
  reason: string;
}

type Check = (order: Order, ctx: RiskContext) => Denial | null;

const accountKnown: Check = (o, ctx) =>
  ctx.accountKnown ? null : { code: "UNKNOWN_ACCOUNT", reason: `account ${o.accountId} does not exist` };

const instrumentTradable: Check = (o, ctx) => {
  if (!ctx.instrument) return { code: "UNKNOWN_INSTRUMENT", reason: `symbol ${o.symbol} is not a known instrument` };
  if (!ctx.instrument.tradable) return { code: "INSTRUMENT_NOT_TRADABLE", reason: `${o.symbol} is not tradable` };
  return null;
};

const lotSize: Check = (o, ctx) =>
  ctx.instrument && !money.isMultipleOf(o.orderQty, ctx.instrument.lotSize)
    ? { code: "INVALID_LOT_SIZE", reason: `quantity ${o.orderQty} is not a multiple of the lot size ${ctx.instrument.lotSize}` }
    : null;

const tickSize: Check = (o, ctx) => {
  if (!ctx.instrument) return null;
  for (const [field, px] of [
    ["price", o.price],
    ["stopPx", o.stopPx],
  ] as const) {
    if (px !== null && !money.isMultipleOf(px, ctx.instrument.tickSize))
      return { code: "INVALID_TICK_SIZE", reason: `${field} ${px} is not a multiple of the tick size ${ctx.instrument.tickSize}` };
  }
  return null;
};

const maxOrderQty: Check = (o, ctx) =>
  money.gt(o.orderQty, ctx.limits.maxOrderQty)
    ? { code: "MAX_ORDER_QTY", reason: `quantity ${o.orderQty} exceeds the limit ${ctx.limits.maxOrderQty}` }
    : null;

const maxOrderNotional: Check = (o, ctx) => {
  const px = o.price ?? ctx.referencePx;
  if (px === undefined) return { code: "NO_REFERENCE_PRICE", reason: `no price to value a ${o.ordType} order in ${o.symbol}` };
  const notional = money.mul(o.orderQty, px);
  return money.gt(notional, ctx.limits.maxOrderNotional)
    ? { code: "MAX_ORDER_NOTIONAL", reason: `notional ${notional} exceeds the limit ${ctx.limits.maxOrderNotional}` }
    : null;
};

const CHECKS: readonly Check[] = [accountKnown, instrumentTradable, lotSize, tickSize, maxOrderQty, maxOrderNotional];

/** Runs every pre-trade check in order; the first refusal wins. Pure. */
export function checkOrder(order: Order, ctx: RiskContext): Denial | null {
  for (const check of CHECKS) {
    const denial = check(order, ctx);
    if (denial) return denial;
  }
  return null;
}
