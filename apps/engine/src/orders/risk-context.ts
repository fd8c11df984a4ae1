import { type Decimal, money, type Order, parseScope, type TradingStateEntry } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";
import type { Positions } from "../positions/positions";
import { checkOrder, type Denial, type InstrumentRule, type RiskContext } from "../risk/checks";
import { ExposureLedger } from "../risk/exposure-ledger";
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

/** What a modify asks for: the whole new quantity (filled part included) and the new prices. */
export interface ModifyChanges {
  orderQty: Decimal;
  price: Decimal | null;
  stopPx: Decimal | null;
}

/**
 * Builds what the pure pre-trade checks need to judge one order against the live book: the
 * position, and every other working order of the account at its worst case (see risk/exposure.ts
 * and docs/RISK.md).
 */
export class OrderRisk {
  /** Per-account order-rate buckets. */
  readonly buckets = new TokenBuckets();
  /** Working exposure per account, kept as orders change (replayed ones too). */
  private readonly ledger = new ExposureLedger();

  constructor(private readonly deps: RiskContextDeps) {
    deps.book.onApplied((_event, order) => {
      if (order) this.ledger.update(order, deps.book.pendingChanges.get(order.orderId));
    });
    // Risk settings are validated against the same reference data the checks use (accounts, instruments).
    deps.risk.useReference({ accounts: deps.accounts, instruments: deps.instruments });
  }

  /**
   * Pre-trade check of an order about to go out (a new order, or a held stop at its trigger); null
   * when it may go. The order itself, if already in the book, is not counted among the working orders.
   */
  check(order: Order): { denial: Denial | null; ctx: RiskContext } {
    const ctx = this.context(order);
    return { denial: checkOrder(order, ctx), ctx };
  }

  /** Takes one token of the account's order rate. */
  consume(order: Order, ctx: RiskContext): void {
    this.buckets.take(order.accountId, ctx.limits.ordersPerSecond, ctx.limits.orderBurst, this.deps.book.clock.nowMs());
  }

  /**
   * Risk for a modification, judged on the order as it would be after it: the whole new quantity
   * against the order-size limits, its filled part already in the position, its new leaves as
   * working exposure beside the account's other working orders. Not counted against the order rate
   * or the open-order limit (it is not a new order).
   */
  checkModify(order: Order, changes: ModifyChanges): Denial | null {
    const after: Order = { ...order, ...changes, leavesQty: money.sub(changes.orderQty, order.cumQty) };
    const ctx = this.context(after);
    return checkOrder(after, { ...ctx, openOrders: 0, tokensAvailable: Number.POSITIVE_INFINITY });
  }

  /** A blocking scope that names the order's strategy judges "reduces" on that strategy's position (checks.ts `scopePosition`). */
  private scopePosition(order: Order, blocking: TradingStateEntry | null): RiskContext["scopePosition"] {
    const strategy = blocking ? parseScope(blocking.scope)?.strategy : undefined;
    if (!strategy || strategy !== order.strategy) return undefined;
    return {
      position: this.deps.positions.strategyPosition(order.accountId, order.symbol, strategy),
      ...this.ledger.strategyWorking({ orderId: order.orderId, accountId: order.accountId, symbol: order.symbol, strategy }),
      of: `strategy ${strategy}`,
    };
  }

  private context(order: Order): RiskContext {
    const { risk, positions, book } = this.deps;
    const quote = this.deps.quote(order.symbol);
    const exposure = this.ledger.exposure(order, (symbol) => this.deps.quote(symbol)?.ask);
    const limits = risk.effectiveLimits(order.accountId);
    // Every scope covering the order, a directed order's venue included (risk-settings.ts effectiveState).
    const trading = risk.effectiveState({
      accountId: order.accountId,
      symbol: order.symbol,
      strategy: order.strategy,
      venueId: order.requestedVenueId,
    });
    const ctx: RiskContext = {
      instrument: this.deps.instruments.get(order.symbol),
      accountKnown: this.deps.accounts.has(order.accountId),
      limits,
      tradingState: trading.state,
      tradingHalt: trading.blocking,
      referencePx: quote ? (order.side === "Buy" ? quote.ask : quote.bid) : undefined,
      midPx: quote ? money.div(money.add(quote.bid, quote.ask), "2", 10) : undefined,
      position: positions.position(order.accountId, order.symbol).qty,
      workingBuyQty: exposure.workingBuyQty,
      workingSellQty: exposure.workingSellQty,
      openOrders: exposure.openOrders,
      openBuyNotional: exposure.openBuyNotional,
      unpricedOpenBuys: exposure.unpricedOpenBuys,
      tokensAvailable: this.buckets.available(order.accountId, limits.ordersPerSecond, limits.orderBurst, book.clock.nowMs()),
      nowMs: book.clock.nowMs(),
    };
    const scoped = this.scopePosition(order, trading.blocking);
    if (scoped) ctx.scopePosition = scoped;
    return ctx;
  }
}
