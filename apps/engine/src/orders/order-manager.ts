import {
  type AnyEvent,
  type CancelAll,
  type Clock,
  InvalidStateTransition,
  type ModifyOrder,
  type Order,
  type SubmitOrder,
  scaleOf,
} from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { Positions } from "../positions/positions";
import type { InstrumentRule } from "../risk/checks";
import type { RiskSettings } from "../risk/risk-settings";
import type { BrokerAdapter, VenueOrderStatus } from "../venues/adapter";
import { type CancelAllResult, OrderCommands, type OrderCommandsDeps, type SubmitResult } from "./commands";
import { CommandError, type CommandErrorCode } from "./errors";
import { HeldOrders } from "./held-orders";
import { OrderBook } from "./order-book";
import { OrderIds } from "./order-ids";
import { OrderRouter, type RoutingDeps } from "./order-router";
import { OrderRecovery, type ReconcileResult } from "./recovery";
import { OrderRisk } from "./risk-context";
import { type SettleOrder, settleOrder } from "./settle";
import { VenueReports } from "./venue-reports";

export type { CancelAllResult, SubmitResult } from "./commands";
export type { ReconcileResult } from "./recovery";

export interface OrderManagerDeps {
  journal: Journal;
  clock: Clock;
  log: Logger;
  instruments: ReadonlyMap<string, InstrumentRule>;
  accounts: ReadonlySet<string>;
  venues: ReadonlyMap<string, BrokerAdapter>;
  risk: RiskSettings;
  positions: Positions;
  quote: (symbol: string) => Quote | undefined;
  /** Which market price triggers held stops: the last trade or the mid. */
  triggerPrice: "last" | "mid";
  routing: RoutingDeps;
  sessionEndMinutes: number;
  /** Limits for commands: cancels/modifies per principal, refusals journaled one by one, GTD horizon. */
  commandLimits?: Pick<OrderCommandsDeps, "commandThrottle" | "refusalJournal" | "gtdMaxHorizonDays">;
}

/**
 * The order components wired together behind one door: the book (state, recording, publishing),
 * commands, venue reports, the router, held orders and expiry, recovery and reconciliation.
 * Other components learn of order events through `onApplied`, not by being called from here.
 */
export class OrderManager {
  readonly book: OrderBook;
  private readonly ids: OrderIds;
  private readonly router: OrderRouter;
  private readonly commands: OrderCommands;
  private readonly held: HeldOrders;
  private readonly reports: VenueReports;
  private readonly recovery: OrderRecovery;

  constructor(deps: OrderManagerDeps) {
    const { journal, clock, log, venues, instruments, quote } = deps;
    this.book = new OrderBook(
      journal,
      clock,
      log,
      (venueId) => deps.routing.monitor.recordSendError(venueId),
      (symbol) => {
        const tick = instruments.get(symbol)?.tickSize;
        return tick === undefined ? undefined : scaleOf(tick);
      },
    );
    const book = this.book;
    book.onApplied((event, order) => deps.positions.apply(event, order));
    this.ids = new OrderIds(journal);
    const risk = new OrderRisk({ book, instruments, accounts: deps.accounts, risk: deps.risk, positions: deps.positions, quote });
    this.router = new OrderRouter({ book, ids: this.ids, venues, instruments, quote, routing: deps.routing });
    this.commands = new OrderCommands({
      book,
      ids: this.ids,
      risk,
      router: this.router,
      venues,
      held: () => this.held,
      ...deps.commandLimits,
    });
    this.held = new HeldOrders({
      book,
      router: this.router,
      instruments,
      quote,
      triggerPrice: deps.triggerPrice,
      sessionEndMinutes: deps.sessionEndMinutes,
      check: (order) => risk.check(order).denial,
      cancel: (orderId, actor, reason) => this.cancel(orderId, actor, reason),
    });
    this.reports = new VenueReports(book, (symbol) => this.router.quoteNow(symbol));
    this.recovery = new OrderRecovery({ book, ids: this.ids, venues, report: (venueId, r) => this.onVenueReport(venueId, r) });
    for (const [venueId, venue] of venues) venue.onReport((r) => this.onVenueReport(venueId, r));
  }

  /** Rebuilds state from journaled events, without journaling anything. */
  replay(event: AnyEvent): void {
    this.ids.replay(event);
    this.book.replay(event);
  }

  get(orderId: string): Order | undefined {
    return this.book.get(orderId);
  }

  all(): Order[] {
    return [...this.book.orders.values()];
  }

  working(): Order[] {
    return this.book.working();
  }

  submit(input: SubmitOrder, actor: string): Promise<SubmitResult> {
    return this.command("submit", undefined, actor, "NOT_SUPPORTED", () => this.commands.submit(input, actor));
  }

  cancel(orderId: string, actor: string, reason?: string): Promise<Order> {
    return this.command("cancel", orderId, actor, "NOT_CANCELLABLE", () => this.commands.cancel(orderId, actor, reason));
  }

  cancelAll(filter: CancelAll & { orderIds?: ReadonlySet<string> }, actor: string): Promise<CancelAllResult> {
    return this.command("cancelAll", undefined, actor, "NOT_CANCELLABLE", () => this.commands.cancelAll(filter, actor));
  }

  modify(input: ModifyOrder, actor: string): Promise<Order> {
    return this.command("modify", input.orderId, actor, "NOT_MODIFIABLE", () => this.commands.modify(input, actor));
  }

  /**
   * No command path throws the state machine's InvalidStateTransition at a caller: a command the
   * table refuses (an order that changed state under it) becomes a typed, journaled CommandError.
   */
  private async command<T>(
    name: string,
    orderId: string | undefined,
    actor: string,
    code: CommandErrorCode,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof InvalidStateTransition)) throw error;
      const refused = new CommandError(code, `${name} refused: ${error.message}`);
      const order = orderId === undefined ? undefined : this.book.get(orderId);
      throw order ? this.book.refuse(name, order, actor, refused) : refused;
    }
  }

  settle(input: SettleOrder, actor: string, status?: VenueOrderStatus): Promise<Order> {
    return this.command("settle", input.orderId, actor, "NOT_CANCELLABLE", async () =>
      settleOrder({ book: this.book, report: (v, r) => this.onVenueReport(v, r) }, input, actor, status),
    );
  }

  rateLimitUsage(venueId: string): { perSecond: number; burst: number; usedPct: number } | null {
    return this.router.rateLimitUsage(venueId);
  }

  recoverLost(): Promise<number> {
    return this.recovery.recoverLost();
  }

  reconcile(onlyVenue?: string): Promise<ReconcileResult> {
    return this.recovery.reconcile(onlyVenue);
  }

  resolveStale(nowMs: number, olderThanMs?: number): Promise<ReconcileResult> {
    return this.recovery.resolveStale(nowMs, olderThanMs);
  }

  onQuote(quote: Quote): void {
    this.held.onQuote(quote);
  }

  expireDue(nowMs: number): void {
    this.held.expireDue(nowMs);
  }

  onVenueReport(venueId: string, report: Parameters<VenueReports["onVenueReport"]>[1]): void {
    this.reports.onVenueReport(venueId, report);
  }
}
