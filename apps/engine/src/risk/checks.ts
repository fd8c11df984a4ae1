import {
  type Decimal,
  money,
  type Order,
  type RiskLimits,
  type TradingHours,
  type TradingState,
  type TradingStateEntry,
} from "@fillmore/shared";
import { tradingHoursDenial } from "./trading-hours";

export interface InstrumentRule {
  symbol: string;
  tickSize: Decimal;
  lotSize: Decimal;
  tradable: boolean;
  /**
   * Limit orders may go out without a reference price (no quote, so no price collar). Off unless
   * the instrument says so: without a quote, a limit order is refused (fail closed).
   */
  allowNoReferencePrice?: boolean;
  /** When new orders are taken (UTC; risk/trading-hours.ts); null or absent: always. */
  tradingHours?: TradingHours | null;
}

/** Everything a pre-trade decision needs, gathered by the caller; the checks themselves are pure. */
export interface RiskContext {
  instrument: InstrumentRule | undefined;
  accountKnown: boolean;
  limits: RiskLimits;
  tradingState: TradingState;
  /**
   * The scope entry that sets `tradingState` (risk-settings.ts `effectiveState`): named in refusals
   * with who set it, when and why. Absent in contexts built without it; then the refusal says less.
   */
  tradingHalt?: TradingStateEntry | null;
  /** Price to value a market or stop order: the far touch. */
  referencePx: Decimal | undefined;
  /** Reference mid for the price collar. */
  midPx: Decimal | undefined;
  /** Signed position of this account in this symbol (long > 0); a modified order's filled part is in it. */
  position: Decimal;
  /**
   * Worst-case quantity of the account's other working buys in this symbol: leaves of every live
   * order (held stops included), a pending replace at the larger of its old and requested leaves.
   */
  workingBuyQty: Decimal;
  /** The same for working sells. */
  workingSellQty: Decimal;
  /**
   * What a HALTED-with-reducing or REDUCING scope that names a strategy judges "reduces" against:
   * that strategy's own position and working orders in this account and symbol, not the account's.
   * Otherwise a halted strategy could keep growing its position while another strategy in the
   * account is on the other side. Absent: the account's figures above.
   */
  scopePosition?: { position: Decimal; workingBuyQty: Decimal; workingSellQty: Decimal; of: string };
  openOrders: number;
  /** The account's other working buys (every symbol), each valued at its own instrument's price. */
  openBuyNotional: Decimal;
  /** Working buys that could not be valued (no limit, no stop, no quote): buying power fails closed. */
  unpricedOpenBuys: readonly string[];
  /** Orders the account's token bucket allows right now. */
  tokensAvailable: number;
  /** Wall-clock time of the check (epoch ms), for the instrument's trading hours. */
  nowMs?: number;
}

/** A refusal names the rule, the limit and the value. */
export interface Denial {
  code: string;
  reason: string;
}

type Check = (order: Order, ctx: RiskContext) => Denial | null;

/**
 * What this order may still add to the position: its quantity less what has already filled (a
 * modified order's filled part is already in the position; a new order has filled nothing).
 */
const remainingQty = (o: Order) => money.sub(o.orderQty, o.cumQty);
const valuationPx = (o: Order, ctx: RiskContext) => o.price ?? o.stopPx ?? ctx.referencePx;

/** "HALTED for global by user:risk@x at 2026-…Z: reason …" — the scope that blocks, who set it, when and why. */
export function describeHalt(ctx: Pick<RiskContext, "tradingState" | "tradingHalt">, order: Pick<Order, "accountId" | "symbol">): string {
  const h = ctx.tradingHalt;
  if (!h) return `${ctx.tradingState} for ${order.accountId}/${order.symbol}`;
  return `${h.state} for ${h.scope} by ${h.setBy} at ${h.setAt}: reason "${h.reason}"`;
}

/**
 * Whether the order can only shrink the position toward zero in the worst case: every working order
 * on its side fills too. A sell must leave position − working sells − this ≥ 0 (from a long); a buy
 * must leave position + working buys + this ≤ 0 (from a short).
 */
function reduction(
  o: Order,
  ctx: RiskContext,
): { reduces: boolean; worst: Decimal; qty: Decimal; working: Decimal; position: Decimal; of: string } {
  const basis = ctx.scopePosition ?? {
    position: ctx.position,
    workingBuyQty: ctx.workingBuyQty,
    workingSellQty: ctx.workingSellQty,
    of: "",
  };
  const { position } = basis;
  const qty = remainingQty(o);
  const buy = o.side === "Buy";
  const worst = buy ? money.add(money.add(position, basis.workingBuyQty), qty) : money.sub(money.sub(position, basis.workingSellQty), qty);
  const opposite = !money.isZero(position) && money.isPositive(position) !== buy;
  const reduces = opposite && (buy ? money.lte(worst, "0") : money.gte(worst, "0"));
  return { reduces, worst, qty, working: buy ? basis.workingBuyQty : basis.workingSellQty, position, of: basis.of };
}

/**
 * HALTED refuses new orders, except (unless the halt says `allowReducing: false`) an order that
 * strictly reduces |position| in the worst case, so a halt never traps anyone in a position.
 * Cancels never reach risk: they always pass.
 */
const tradingHalted: Check = (o, ctx) => {
  if (ctx.tradingState !== "HALTED") return null;
  const allowReducing = ctx.tradingHalt?.allowReducing ?? false;
  if (allowReducing && reduction(o, ctx).reduces) return null;
  return {
    code: "TRADING_HALTED",
    reason: `trading is ${describeHalt(ctx, o)}; no new orders${allowReducing ? " (only orders that reduce the position pass)" : ""}`,
  };
};

/** While REDUCING an order may only shrink the position toward zero, in the worst case (see `reduction`). */
const reducingOnly: Check = (o, ctx) => {
  if (ctx.tradingState !== "REDUCING") return null;
  const { reduces, worst, qty, working, position, of } = reduction(o, ctx);
  if (reduces) return null;
  return {
    code: "TRADING_REDUCING",
    reason: `trading is ${describeHalt(ctx, o)}: ${o.side} ${qty} does not reduce the position ${position}${of ? ` of ${of}` : ""} (working ${o.side === "Buy" ? "buys" : "sells"} ${working}; worst case ${worst})`,
  };
};

const accountKnown: Check = (o, ctx) =>
  ctx.accountKnown ? null : { code: "UNKNOWN_ACCOUNT", reason: `account ${o.accountId} does not exist` };

const instrumentTradable: Check = (o, ctx) => {
  if (!ctx.instrument) return { code: "UNKNOWN_INSTRUMENT", reason: `symbol ${o.symbol} is not a known instrument` };
  if (!ctx.instrument.tradable) return { code: "INSTRUMENT_NOT_TRADABLE", reason: `${o.symbol} is not tradable` };
  return null;
};

/** Outside the instrument's trading hours a new order (or a modify) is refused, naming the hours; cancels never reach risk. */
const withinTradingHours: Check = (o, ctx) => tradingHoursDenial(o.symbol, ctx.instrument?.tradingHours, ctx.nowMs);

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

/** The whole quantity counts, filled part included: a modify to 1,999 is a 1,999 order. */
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
  if (o.price === null) return null;
  if (ctx.midPx === undefined)
    return ctx.instrument?.allowNoReferencePrice
      ? null
      : {
          code: "NO_REFERENCE_PRICE",
          reason: `no reference price for ${o.symbol}: the limit price ${o.price} cannot be checked against a collar, so it is refused`,
        };
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

/**
 * Worst case on the order's side: a buy is checked as position + working buys + this order (every
 * buy fills, no sell does), a sell as position − working sells − this order. An order that can only
 * move its side toward zero is not refused, so a position over the limit can always be reduced.
 */
const maxPosition: Check = (o, ctx) => {
  const qty = remainingQty(o);
  const buy = o.side === "Buy";
  const working = buy ? ctx.workingBuyQty : ctx.workingSellQty;
  const after = buy ? money.add(money.add(ctx.position, working), qty) : money.sub(money.sub(ctx.position, working), qty);
  const max = ctx.limits.maxPositionQty;
  const beyond = buy ? money.gt(after, max) : money.lt(after, money.neg(max));
  return beyond
    ? {
        code: "MAX_POSITION",
        reason: `worst-case position would be ${after} (position ${ctx.position}, working ${buy ? "buys" : "sells"} ${working}, this order ${qty}), beyond the limit ${max}`,
      }
    : null;
};

const maxOpenOrders: Check = (_o, ctx) =>
  ctx.openOrders >= ctx.limits.maxOpenOrders
    ? { code: "MAX_OPEN_ORDERS", reason: `${ctx.openOrders} open orders already, the limit is ${ctx.limits.maxOpenOrders}` }
    : null;

const buyingPower: Check = (o, ctx) => {
  if (o.side !== "Buy") return null;
  if (ctx.unpricedOpenBuys.length > 0)
    return {
      code: "BUYING_POWER",
      reason: `open buys ${ctx.unpricedOpenBuys.join(", ")} have no limit, stop or quote to value them: buying power cannot be checked`,
    };
  const px = valuationPx(o, ctx);
  if (px === undefined) return { code: "NO_REFERENCE_PRICE", reason: `no price to value a ${o.ordType} order in ${o.symbol}` };
  const needed = money.add(ctx.openBuyNotional, money.mul(remainingQty(o), px));
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
  withinTradingHours,
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
