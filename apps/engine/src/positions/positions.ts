import { type AnyEvent, type Decimal, money, type Order } from "@fillmore/shared";

export interface Position {
  accountId: string;
  symbol: string;
  /** Signed: long > 0, short < 0. */
  qty: Decimal;
  boughtQty: Decimal;
  soldQty: Decimal;
  boughtNotional: Decimal;
  soldNotional: Decimal;
}

/** What a fill needs of its order to be booked. */
export type OrderForFill = Pick<Order, "side" | "accountId" | "symbol" | "strategy">;

/** Positions per account and symbol, from fills; rebuilt by replaying fill events. */
export class Positions {
  private readonly byKey = new Map<string, Position>();
  private readonly sideOf = new Map<string, OrderForFill>();
  /** Signed quantity per "account|symbol|strategy", for orders of a strategy (a strategy-scoped halt's "reduces"). */
  private readonly strategyQty = new Map<string, Decimal>();

  /**
   * Order events carry no side on fills. The order book hands over the order with each event; without
   * it (a replay of bare events), the order's side is remembered from OrderReceived. The position is the
   * sum over booked fills: a bust takes its fill out, a correction replaces it.
   */
  apply(event: AnyEvent, order?: OrderForFill): void {
    if (event.type === "OrderReceived") {
      const o = event.data.order;
      if (!order) this.sideOf.set(o.orderId, { side: o.side, accountId: o.accountId, symbol: o.symbol, strategy: o.strategy });
      return;
    }
    if (event.orderId === null) return;
    const of = order ?? this.sideOf.get(event.orderId);
    if (!of) return;
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      if (event.data.childOrderId !== undefined) return; // a split parent's copy of its child's fill
      this.book(of, event.data.lastQty, event.data.lastPx, 1);
    } else if (event.type === "OrderTradeBusted") {
      if (event.data.childOrderId !== undefined) return;
      this.book(of, event.data.lastQty, event.data.lastPx, -1);
    } else if (event.type === "OrderTradeCorrected") {
      if (event.data.childOrderId !== undefined) return;
      this.book(of, event.data.oldQty, event.data.oldPx, -1);
      this.book(of, event.data.lastQty, event.data.lastPx, 1);
    }
  }

  /** Adds (sign 1) or takes out (sign -1) one fill of an order. */
  private book(order: OrderForFill, lastQty: Decimal, lastPx: Decimal, sign: 1 | -1): void {
    const p = this.position(order.accountId, order.symbol);
    const qty = sign === 1 ? lastQty : money.neg(lastQty);
    const notional = money.mul(qty, lastPx);
    const next =
      order.side === "Buy"
        ? {
            ...p,
            qty: money.add(p.qty, qty),
            boughtQty: money.add(p.boughtQty, qty),
            boughtNotional: money.add(p.boughtNotional, notional),
          }
        : {
            ...p,
            qty: money.sub(p.qty, qty),
            soldQty: money.add(p.soldQty, qty),
            soldNotional: money.add(p.soldNotional, notional),
          };
    this.byKey.set(`${order.accountId}|${order.symbol}`, next);
    if (order.strategy !== null) {
      const key = `${order.accountId}|${order.symbol}|${order.strategy}`;
      const signed = order.side === "Buy" ? qty : money.neg(qty);
      this.strategyQty.set(key, money.add(this.strategyQty.get(key) ?? "0", signed));
    }
  }

  /** The signed position one strategy's fills make in this account and symbol (reconciliation adjustments are the account's). */
  strategyPosition(accountId: string, symbol: string, strategy: string): Decimal {
    return this.strategyQty.get(`${accountId}|${symbol}|${strategy}`) ?? "0";
  }

  position(accountId: string, symbol: string): Position {
    return (
      this.byKey.get(`${accountId}|${symbol}`) ?? {
        accountId,
        symbol,
        qty: "0",
        boughtQty: "0",
        soldQty: "0",
        boughtNotional: "0",
        soldNotional: "0",
      }
    );
  }

  all(): Position[] {
    return [...this.byKey.values()];
  }

  /**
   * A reconciliation adjusting entry (a journaled PositionAdjusted, applied live and on replay by
   * positions/reconciliation): moves the quantity by `delta`; bought/sold figures stay the fills'.
   */
  adjust(accountId: string, symbol: string, delta: Decimal): void {
    const p = this.position(accountId, symbol);
    this.byKey.set(`${accountId}|${symbol}`, { ...p, qty: money.add(p.qty, delta) });
  }
}
