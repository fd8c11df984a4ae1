import { type AnyEvent, type Decimal, money, type Side } from "@fillmore/shared";

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

/** Positions per account and symbol, from fills; rebuilt by replaying fill events. */
export class Positions {
  private readonly byKey = new Map<string, Position>();
  private readonly sideOf = new Map<string, { side: Side; accountId: string; symbol: string }>();

  /** Order events carry no side on fills, so the order's side is remembered from OrderReceived. */
  apply(event: AnyEvent): void {
    if (event.type === "OrderReceived") {
      const o = event.data.order;
      this.sideOf.set(o.orderId, { side: o.side, accountId: o.accountId, symbol: o.symbol });
      return;
    }
    if ((event.type !== "OrderFilled" && event.type !== "OrderPartiallyFilled") || event.orderId === null) return;
    if (event.data.childOrderId !== undefined) return; // a split parent's copy of its child's fill
    const order = this.sideOf.get(event.orderId);
    if (!order) return;
    const p = this.position(order.accountId, order.symbol);
    const { lastQty, lastPx } = event.data;
    const notional = money.mul(lastQty, lastPx);
    const next =
      order.side === "Buy"
        ? {
            ...p,
            qty: money.add(p.qty, lastQty),
            boughtQty: money.add(p.boughtQty, lastQty),
            boughtNotional: money.add(p.boughtNotional, notional),
          }
        : {
            ...p,
            qty: money.sub(p.qty, lastQty),
            soldQty: money.add(p.soldQty, lastQty),
            soldNotional: money.add(p.soldNotional, notional),
          };
    this.byKey.set(`${order.accountId}|${order.symbol}`, next);
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
}
