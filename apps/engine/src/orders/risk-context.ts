import { money, type Order } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";
import type { Positions } from "../positions/positions";
import { checkOrder, type Denial, type InstrumentRule, type RiskContext } from "../risk/checks";
import type { RiskSettings } from "../risk/risk-settings";
import { TokenBuckets } from "../risk/token-bucket";
import type { OrderBook } from "./order-book";

export interface RiskContextDeps {
  book: OrderBook;
  instruments: ReadonlyMap<string, InstrumentRule>;
  accounts: ReadonlySet<string>;
  risk: RiskSettings;
  positions: Positions;
  quote: (symbol: string) => Quote | undefined;
}

/** Builds what the pure pre-trade checks need to judge one order against the live book. */
export class OrderRisk {
  /** Per-account order-rate buckets. */
  readonly buckets = new TokenBuckets();

  constructor(private readonly deps: RiskContextDeps) {}

  /** Pre-trade check of a new order; null when it may go. */
  check(order: Order): { denial: Denial | null; ctx: RiskContext } {
    const ctx = this.context(order);
    return { denial: checkOrder(order, ctx), ctx };
  }

  /** Takes one token of the account's order rate. */
  consume(order: Order, ctx: RiskContext): void {
    this.buckets.take(order.accountId, ctx.limits.ordersPerSecond, ctx.limits.orderBurst, this.deps.book.clock.nowMs());
  }

  /** Risk for a modification: the remaining quantity as if new, without rate and open-order limits. */
  recheck(candidate: Order, original: Order): Denial | null {
    const ctx = this.context(candidate, original);
    return checkOrder(candidate, { ...ctx, openOrders: 0, tokensAvailable: Number.POSITIVE_INFINITY });
  }

  private context(order: Order, exclude?: Order): RiskContext {
    const { risk, positions, book } = this.deps;
    const quote = this.deps.quote(order.symbol);
    let openOrders = 0;
    let openBuyNotional = "0";
    for (const o of book.live.values()) {
      if (o.accountId !== order.accountId || o.orderId === order.orderId || o.orderId === exclude?.orderId) continue;
      if (o.parentId !== null) continue; // counted through its parent
      openOrders += 1;
      const px = o.price ?? o.stopPx ?? quote?.ask;
      if (o.side === "Buy" && px) openBuyNotional = money.add(openBuyNotional, money.mul(o.leavesQty, px));
    }
    const limits = risk.effectiveLimits(order.accountId);
    return {
      instrument: this.deps.instruments.get(order.symbol),
      accountKnown: this.deps.accounts.has(order.accountId),
      limits,
      tradingState: risk.tradingState(order.accountId, order.symbol),
      referencePx: quote ? (order.side === "Buy" ? quote.ask : quote.bid) : undefined,
      midPx: quote ? money.div(money.add(quote.bid, quote.ask), "2", 10) : undefined,
      position: positions.position(order.accountId, order.symbol).qty,
      openOrders,
      openBuyNotional,
      tokensAvailable: this.buckets.available(order.accountId, limits.ordersPerSecond, limits.orderBurst, book.clock.nowMs()),
    };
  }
}
