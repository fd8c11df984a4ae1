import { type Decimal, isTerminal, money, type Order } from "@fillmore/shared";
import {
  type Contribution,
  contributionOf,
  countsAsWorking,
  type Exposure,
  type ExposureSubject,
  type RequestedChanges,
  workingExposure,
} from "./exposure";

interface AccountTotals {
  openOrders: number;
  /** Worst-case leaves by "symbol|side", and by "symbol|side|strategy" for orders of a strategy. */
  leaves: Map<string, Decimal>;
  /** Buy notional of the orders whose value does not depend on a quote. */
  fixedBuyNotional: Decimal;
  /** Buys valued at the quote of the moment (market orders): walked when asked, they are few and short-lived. */
  quotedBuys: Map<string, Order>;
}

/**
 * The same figures as `workingExposure`, kept up to date as orders change instead of walked on
 * every check: a new order's risk check costs the same with 10 or 10,000 orders resting. Fed every
 * order state the book applies (`update`), with the order's pending replace, if any. Sums are exact
 * decimals, so adding and taking away a contribution leaves no residue.
 */
export class ExposureLedger {
  private readonly accounts = new Map<string, AccountTotals>();
  private readonly parts = new Map<string, { contribution: Contribution; order: Order; requested?: RequestedChanges }>();

  /** Records an order's state after an event (and its pending replace, if any). */
  update(order: Order, requested: RequestedChanges | undefined): void {
    this.remove(order.orderId);
    if (isTerminal(order.ordStatus) || !countsAsWorking(order)) return;
    const contribution = contributionOf(order, requested);
    const totals = this.totals(order.accountId);
    totals.openOrders += 1;
    this.addLeaves(totals, contribution, contribution.worstLeaves);
    if (order.side === "Buy") {
      if (contribution.fixedNotional === undefined) totals.quotedBuys.set(order.orderId, order);
      else totals.fixedBuyNotional = money.add(totals.fixedBuyNotional, contribution.fixedNotional);
    }
    this.parts.set(order.orderId, { contribution, order, ...(requested ? { requested } : {}) });
  }

  /** The account's other working orders at their worst case, as `workingExposure` computes them. */
  exposure(subject: ExposureSubject, farTouch: (symbol: string) => Decimal | undefined): Exposure {
    const totals = this.accounts.get(subject.accountId);
    if (!totals) return { workingBuyQty: "0", workingSellQty: "0", openBuyNotional: "0", unpricedOpenBuys: [], openOrders: 0 };
    const own = this.parts.get(subject.orderId)?.contribution;
    const mine = own && own.accountId === subject.accountId ? own : undefined;
    const leavesOf = (side: Order["side"]) => {
      const total = totals.leaves.get(`${subject.symbol}|${side}`) ?? "0";
      return mine && mine.symbol === subject.symbol && mine.side === side ? money.sub(total, mine.worstLeaves) : total;
    };
    const quoted = [...totals.quotedBuys.values()].filter((o) => o.orderId !== subject.orderId);
    const pending = new Map<string, RequestedChanges>();
    for (const o of quoted) {
      const requested = this.parts.get(o.orderId)?.requested;
      if (requested) pending.set(o.orderId, requested);
    }
    const walked = workingExposure(quoted, subject, pending, farTouch);
    const fixed = mine?.fixedNotional ? money.sub(totals.fixedBuyNotional, mine.fixedNotional) : totals.fixedBuyNotional;
    return {
      workingBuyQty: leavesOf("Buy"),
      workingSellQty: leavesOf("Sell"),
      openBuyNotional: money.add(fixed, walked.openBuyNotional),
      unpricedOpenBuys: walked.unpricedOpenBuys,
      openOrders: totals.openOrders - (mine ? 1 : 0),
    };
  }

  private remove(orderId: string): void {
    const part = this.parts.get(orderId);
    if (!part) return;
    this.parts.delete(orderId);
    const { contribution } = part;
    const totals = this.totals(contribution.accountId);
    totals.openOrders -= 1;
    this.addLeaves(totals, contribution, money.neg(contribution.worstLeaves));
    if (contribution.side === "Buy") {
      if (contribution.fixedNotional === undefined) totals.quotedBuys.delete(orderId);
      else totals.fixedBuyNotional = money.sub(totals.fixedBuyNotional, contribution.fixedNotional);
    }
  }

  /**
   * One strategy's working orders in the account and symbol at their worst case, the subject order
   * left out: what a strategy-scoped halt judges "reduces" against (risk/checks.ts `scopePosition`).
   */
  strategyWorking(subject: ExposureSubject & { strategy: string }): { workingBuyQty: Decimal; workingSellQty: Decimal } {
    const totals = this.accounts.get(subject.accountId);
    const own = this.parts.get(subject.orderId)?.contribution;
    const leavesOf = (side: Order["side"]) => {
      const total = totals?.leaves.get(`${subject.symbol}|${side}|${subject.strategy}`) ?? "0";
      const mine =
        own &&
        own.accountId === subject.accountId &&
        own.symbol === subject.symbol &&
        own.side === side &&
        own.strategy === subject.strategy;
      return mine ? money.sub(total, own.worstLeaves) : total;
    };
    return { workingBuyQty: leavesOf("Buy"), workingSellQty: leavesOf("Sell") };
  }

  private addLeaves(totals: AccountTotals, contribution: Contribution, qty: Decimal): void {
    const key = `${contribution.symbol}|${contribution.side}`;
    add(totals.leaves, key, qty);
    if (contribution.strategy !== null) add(totals.leaves, `${key}|${contribution.strategy}`, qty);
  }

  private totals(accountId: string): AccountTotals {
    let totals = this.accounts.get(accountId);
    if (!totals) {
      totals = { openOrders: 0, leaves: new Map(), fixedBuyNotional: "0", quotedBuys: new Map() };
      this.accounts.set(accountId, totals);
    }
    return totals;
  }
}

function add(sums: Map<string, Decimal>, key: string, qty: Decimal): void {
  sums.set(key, money.add(sums.get(key) ?? "0", qty));
}
