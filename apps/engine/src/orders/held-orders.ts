import { money, type Order } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";
import type { InstrumentRule } from "../risk/checks";
import { expiresAt } from "./expiry";
import type { OrderBook } from "./order-book";
import type { OrderRouter } from "./order-router";
import { isHeldType, isTriggered, movedTrailingStop } from "./stops";

export interface HeldOrdersDeps {
  book: OrderBook;
  router: OrderRouter;
  instruments: ReadonlyMap<string, InstrumentRule>;
  quote: (symbol: string) => Quote | undefined;
  /** Which market price triggers held stops: the last trade or the mid. */
  triggerPrice: "last" | "mid";
  sessionEndMinutes: number;
  /** The cancel command, which expiry uses for orders working at a venue. */
  cancel: (orderId: string, actor: string, reason: string) => Promise<Order>;
}

/** Orders the engine holds or times: stops that wait for their trigger, and DAY/GTD expiry. */
export class HeldOrders {
  constructor(private readonly deps: HeldOrdersDeps) {}

  /** Held stops follow the market: trailing stops move, triggered ones are routed. */
  onQuote(quote: Quote): void {
    for (const order of this.deps.book.live.values()) {
      if (order.symbol === quote.symbol && order.ordStatus === "Validated" && isHeldType(order)) this.evaluate(order);
    }
  }

  /** Moves a trailing stop with the market and routes a stop whose trigger the market reached. */
  evaluate(order: Order): void {
    const instrument = this.deps.instruments.get(order.symbol);
    const px = this.triggerPx(order.symbol);
    if (!instrument || px === undefined) return;
    let current = order;
    const moved = movedTrailingStop(current, px, instrument.tickSize);
    if (moved !== null) {
      current = this.deps.book.record({
        type: "OrderStopMoved",
        orderId: order.orderId,
        accountId: order.accountId,
        actor: "engine",
        data: { stopPx: moved, marketPx: px },
      });
    }
    if (!isTriggered(current, px)) return;
    this.deps.router.route(current, current.requestedVenueId ?? undefined, px)?.();
  }

  /** Expires DAY orders at the session end and GTD orders at their time. */
  expireDue(nowMs: number): void {
    const { book } = this.deps;
    for (const order of book.working()) {
      if (book.splitChildren.has(order.orderId)) continue; // its children expire, and it with them
      const at = expiresAt(order, this.deps.sessionEndMinutes);
      if (at === null || at > nowMs || order.ordStatus === "PendingCancel" || book.expiring.has(order.orderId)) continue;
      const reason = order.timeInForce === "GTD" ? `GTD expired at ${order.expireTime}` : "DAY order expired at the session end";
      if (order.ordStatus === "Validated") {
        book.record({ type: "OrderExpired", orderId: order.orderId, accountId: order.accountId, actor: "engine", data: { reason } });
        continue;
      }
      book.expiring.add(order.orderId);
      void this.deps.cancel(order.orderId, "engine", "expired").catch((error: unknown) => {
        book.expiring.delete(order.orderId);
        book.log.warn({ err: String(error), orderId: order.orderId }, "could not expire order");
      });
    }
  }

  private triggerPx(symbol: string): string | undefined {
    const quote = this.deps.quote(symbol);
    if (!quote) return undefined;
    return this.deps.triggerPrice === "last" ? quote.last : money.div(money.add(quote.bid, quote.ask), "2", 10);
  }
}
