import { money, type Order } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";
import type { Denial, InstrumentRule } from "../risk/checks";
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
  /** Pre-trade risk for the order as it would go out now (OrderRisk.check); null when it may go. */
  check: (order: Order) => Denial | null;
  /** The cancel command, which expiry uses for orders working at a venue. */
  cancel: (orderId: string, actor: string, reason: string) => Promise<Order>;
}

/**
 * Risk denials at a stop's trigger that come from the moment, not from the order: trading halted or
 * reducing, the instrument outside its trading hours, the order rate, no or a moved reference
 * price, the open-order count. The stop stays
 * held (a protective stop is not silently killed by a halt) and goes when they clear. Any other
 * denial (a limit the order itself breaches) rejects it, as it would a new order.
 */
export const TRANSIENT_TRIGGER_DENIALS: ReadonlySet<string> = new Set([
  "TRADING_HALTED",
  "TRADING_REDUCING",
  "INSTRUMENT_CLOSED",
  "ORDER_RATE",
  "NO_REFERENCE_PRICE",
  "PRICE_COLLAR",
  "MAX_OPEN_ORDERS",
]);

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
    // Checked again at the trigger: the world may have changed since the stop was accepted.
    const denial = this.deps.check(current);
    if (denial) {
      this.deny(current, denial, px);
      return;
    }
    this.deps.router.route(current, current.requestedVenueId ?? undefined, px)?.();
  }

  /** A denied trigger is journaled with its reason: held for a transient one (once per code), rejected otherwise. */
  private deny(order: Order, denial: Denial, px: string): void {
    const base = { orderId: order.orderId, accountId: order.accountId, actor: "risk" } as const;
    if (!TRANSIENT_TRIGGER_DENIALS.has(denial.code)) {
      this.deps.book.record({ ...base, type: "OrderDenied", data: { code: denial.code, reason: `at trigger ${px}: ${denial.reason}` } });
      return;
    }
    if (order.triggerDenied?.startsWith(`${denial.code}:`)) return; // already on record; checked again at each price
    this.deps.book.record({ ...base, type: "OrderTriggerDenied", data: { code: denial.code, reason: denial.reason, triggerPx: px } });
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
