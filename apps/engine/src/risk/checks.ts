import { type Decimal, money, type Order, type RiskLimits, type TradingState } from "@fillmore/shared";

export interface InstrumentRule {
  symbol: string;
  tickSize: Decimal;
  lotSize: Decimal;
  tradable: boolean;
}

/** Everything a pre-trade decision needs, gathered by the caller; the checks themselves are pure. */
export interface RiskContext {
  instrument: InstrumentRule | undefined;
  accountKnown: boolean;
  limits: RiskLimits;
  tradingState: TradingState;
  /** Price to value a market or stop order: the far touch. */
  referencePx: Decimal | undefined;
  /** Reference mid for the price collar. */
  midPx: Decimal | undefined;
  /** Signed position of this account in this symbol (long > 0). */
  position: Decimal;
  openOrders: number;
  /** Leaves × price of the account's working buy orders. */
  openBuyNotional: Decimal;
  /** Orders the account's token bucket allows right now. */
  tokensAvailable: number;
}

/** A refusal names the rule, the limit and the value. */
export interface Denial {
  code: string;
  reason: string;
}

type Check = (order: Order, ctx: RiskContext) => Denial | null;

const signedQty = (o: Order) => (o.side === "Buy" ? o.orderQty : money.neg(o.orderQty));
const valuationPx = (o: Order, ctx: RiskContext) => o.price ?? o.stopPx ?? ctx.referencePx;

const tradingHalted: Check = (o, ctx) =>
  ctx.tradingState === "HALTED"
    ? { code: "TRADING_HALTED", reason: `trading is HALTED for ${o.accountId}/${o.symbol}; no new orders` }
    : null;

const reducingOnly: Check = (o, ctx) => {
  if (ctx.tradingState !== "REDUCING") return null;
  const reduces =
    !money.isZero(ctx.position) && money.isPositive(ctx.position) === (o.side === "Sell") && money.lte(o.orderQty, money.abs(ctx.position));
  return reduces
    ? null
    : { code: "TRADING_REDUCING", reason: `trading is REDUCING: ${o.side} ${o.orderQty} does not reduce the position ${ctx.position}` };
};

const accountKnown: Check = (o, ctx) =>
  ctx.accountKnown ? null : { code: "UNKNOWN_ACCOUNT", reason: `account ${o.accountId} does not exist` };

const instrumentTradable: Check = (o, ctx) => {
  if (!ctx.instrument) return { code: "UNKNOWN_INSTRUMENT", reason: `symbol ${o.symbol} is not a known instrument` };
  if (!ctx.instrument.tradable) return { code: "INSTRUMENT_NOT_TRADABLE", reason: `${o.symbol} is not tradable` };
  return null;
};

const restrictedSymbol: Check = (o, ctx) =>
  ctx.limits.restrictedSymbols.includes(o.symbol) ? { code: "RESTRICTED_SYMBOL", reason: `${o.symbol} is on the restricted list` } : null;

const lotSize: Check = (o, ctx) =>
  ctx.instrument && !money.isMultipleOf(o.orderQty, ctx.instrument.lotSize)
    ? { code: "INVALID_LOT_SIZE", reason: `quantity ${o.orderQty} is not a multiple of the lot size ${ctx.instrument.lotSize}` }
    : null;

const tickSize: Check = (o, ctx) => {
  if (!ctx.instrument) return null;
  const prices = [
    ["price", o.price],
    ["stopPx", o.stopPx],
    ["trailAmount", o.trailAmount],
  ] as const;
  for (const [field, px] of prices) {
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
  const px = valuationPx(o, ctx);
  if (px === undefined) return { code: "NO_REFERENCE_PRICE", reason: `no price to value a ${o.ordType} order in ${o.symbol}` };
  const notional = money.mul(o.orderQty, px);
  return money.gt(notional, ctx.limits.maxOrderNotional)
    ? { code: "MAX_ORDER_NOTIONAL", reason: `notional ${notional} exceeds the limit ${ctx.limits.maxOrderNotional}` }
    : null;
};

const priceCollar: Check = (o, ctx) => {
  if (o.price === null || ctx.midPx === undefined) return null;
  const band = money.div(money.mul(ctx.midPx, ctx.limits.priceCollarPct), "100", 8);
  const low = money.sub(ctx.midPx, band);
  const high = money.add(ctx.midPx, band);
  return money.lt(o.price, low) || money.gt(o.price, high)
    ? {
        code: "PRICE_COLLAR",
        reason: `limit price ${o.price} is outside ${ctx.limits.priceCollarPct}% of the reference mid ${ctx.midPx} (${money.round(low, 8)}–${money.round(high, 8)})`,
      }
    : null;
};

const maxPosition: Check = (o, ctx) => {
  const after = money.add(ctx.position, signedQty(o));
  return money.gt(money.abs(after), ctx.limits.maxPositionQty)
    ? { code: "MAX_POSITION", reason: `position would be ${after}, beyond the limit ${ctx.limits.maxPositionQty}` }
    : null;
};

const maxOpenOrders: Check = (_o, ctx) =>
  ctx.openOrders >= ctx.limits.maxOpenOrders
    ? { code: "MAX_OPEN_ORDERS", reason: `${ctx.openOrders} open orders already, the limit is ${ctx.limits.maxOpenOrders}` }
    : null;

const buyingPower: Check = (o, ctx) => {
  if (o.side !== "Buy") return null;
  const px = valuationPx(o, ctx);
  if (px === undefined) return null;
  const needed = money.add(ctx.openBuyNotional, money.mul(o.orderQty, px));
  return money.gt(needed, ctx.limits.buyingPower)
    ? { code: "BUYING_POWER", reason: `open buys plus this order need ${needed}, beyond the buying power ${ctx.limits.buyingPower}` }
    : null;
};

const throttle: Check = (o, ctx) =>
  ctx.tokensAvailable < 1
    ? {
        code: "ORDER_RATE",
        reason: `account ${o.accountId} exceeds ${ctx.limits.ordersPerSecond} orders/s (burst ${ctx.limits.orderBurst})`,
      }
    : null;

const CHECKS: readonly Check[] = [
  tradingHalted,
  accountKnown,
  instrumentTradable,
  restrictedSymbol,
  lotSize,
  tickSize,
  maxOrderQty,
  maxOrderNotional,
  priceCollar,
  reducingOnly,
  maxPosition,
  maxOpenOrders,
  buyingPower,
  throttle,
];

/** Runs every pre-trade check in order; the first refusal wins. Pure. */
export function checkOrder(order: Order, ctx: RiskContext): Denial | null {
  for (const check of CHECKS) {
    const denial = check(order, ctx);
    if (denial) return denial;
  }
  return null;
}
