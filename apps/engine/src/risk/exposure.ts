import { type Decimal, money, type Order } from "@fillmore/shared";

/** What a pending cancel/replace asked for (the venue may still fill the order as it was). */
export interface RequestedChanges {
  orderQty: Decimal;
  price: Decimal | null;
  stopPx: Decimal | null;
}

/** The order a new order or a modify is judged for: its account, its symbol, and itself (left out). */
export interface ExposureSubject {
  orderId: string;
  accountId: string;
  symbol: string;
}

/** The account's other working orders, in the worst case. */
export interface Exposure {
  /** Worst-case leaves of working buys in the subject's symbol. */
  workingBuyQty: Decimal;
  /** Worst-case leaves of working sells in the subject's symbol. */
  workingSellQty: Decimal;
  /** Working buys in every symbol, each at its own instrument's price. */
  openBuyNotional: Decimal;
  /** Working buys with no limit, no stop and no quote: nothing to value them at. */
  unpricedOpenBuys: string[];
  /** Working orders of the account (split children go with their parent). */
  openOrders: number;
}

/** The price an order is valued at: its limit, else its stop, else its own symbol's far touch. */
export function orderValuationPx(
  order: Pick<Order, "price" | "stopPx" | "symbol">,
  farTouch: (symbol: string) => Decimal | undefined,
): Decimal | undefined {
  return order.price ?? order.stopPx ?? farTouch(order.symbol);
}

/** One working order's part of its account's exposure; `px` undefined: valued at the far touch when asked. */
export interface Contribution {
  accountId: string;
  symbol: string;
  strategy: string | null;
  side: Order["side"];
  worstLeaves: Decimal;
  /** Its buy notional when it does not depend on a quote (a limit or stop on both sides of a pending replace). */
  fixedNotional: Decimal | undefined;
}

/** Whether an order counts at all: working, and not a split child (counted through its parent). */
export const countsAsWorking = (o: Order): boolean => o.parentId === null;

/** An order's worst-case leaves: the larger of its current and its requested (pending replace) leaves. */
function requestedLeavesOf(o: Order, requested: RequestedChanges | undefined): Decimal {
  return requested ? money.max("0", money.sub(requested.orderQty, o.cumQty)) : "0";
}

/**
 * A buy's notional at its worst case (the larger of now and after its pending replace), or
 * undefined when it has nothing to be valued at (no limit, no stop, no quote).
 */
function buyNotional(
  o: Order,
  requested: RequestedChanges | undefined,
  farTouch: (symbol: string) => Decimal | undefined,
): Decimal | undefined {
  const px = orderValuationPx(o, farTouch);
  const requestedPx = requested ? orderValuationPx({ ...o, price: requested.price, stopPx: requested.stopPx }, farTouch) : px;
  if (px === undefined || requestedPx === undefined) return undefined;
  return money.max(money.mul(o.leavesQty, px), money.mul(requestedLeavesOf(o, requested), requestedPx));
}

/** Whether a buy's valuation needs the quote of the moment (no limit or stop before or after a replace). */
const needsQuote = (o: Order, requested: RequestedChanges | undefined): boolean =>
  (o.price ?? o.stopPx) === null || (requested !== undefined && (requested.price ?? requested.stopPx) === null);

const NO_QUOTE = () => undefined;

export function contributionOf(o: Order, requested: RequestedChanges | undefined): Contribution {
  return {
    accountId: o.accountId,
    symbol: o.symbol,
    strategy: o.strategy,
    side: o.side,
    worstLeaves: money.max(o.leavesQty, requestedLeavesOf(o, requested)),
    fixedNotional: o.side === "Buy" && !needsQuote(o, requested) ? buyNotional(o, requested, NO_QUOTE) : undefined,
  };
}

/**
 * Sums the account's other working orders at their worst case. Every live order counts (held stops
 * and orders waiting for a venue's answer too): it may still fill in full. An order whose
 * cancel/replace is pending counts at the larger of its current and its requested leaves, and at the
 * larger of the two notionals: the venue may fill the old order before it sees the replace, or
 * accept the replace. Pure; the reference `ExposureLedger` is checked against.
 *
 * `farTouch(symbol)` is the price a market buy in that symbol would pay (the ask), used for orders
 * with neither a limit nor a stop price.
 */
export function workingExposure(
  live: Iterable<Order>,
  subject: ExposureSubject,
  pendingChanges: ReadonlyMap<string, RequestedChanges>,
  farTouch: (symbol: string) => Decimal | undefined,
): Exposure {
  const exposure: Exposure = { workingBuyQty: "0", workingSellQty: "0", openBuyNotional: "0", unpricedOpenBuys: [], openOrders: 0 };
  for (const o of live) {
    if (o.accountId !== subject.accountId || o.orderId === subject.orderId || !countsAsWorking(o)) continue;
    exposure.openOrders += 1;
    const requested = pendingChanges.get(o.orderId);
    const worstLeaves = money.max(o.leavesQty, requestedLeavesOf(o, requested));
    if (o.symbol === subject.symbol) {
      if (o.side === "Buy") exposure.workingBuyQty = money.add(exposure.workingBuyQty, worstLeaves);
      else exposure.workingSellQty = money.add(exposure.workingSellQty, worstLeaves);
    }
    if (o.side !== "Buy") continue;
    const notional = buyNotional(o, requested, farTouch);
    if (notional === undefined) exposure.unpricedOpenBuys.push(`${o.orderId} (${o.symbol})`);
    else exposure.openBuyNotional = money.add(exposure.openBuyNotional, notional);
  }
  return exposure;
}
