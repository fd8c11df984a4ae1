import {
  type CancelAll,
  checkExpireTime,
  isTerminal,
  type ModifyOrder,
  money,
  newOrder,
  type Order,
  type SubmitOrder,
} from "@fillmore/shared";
import {
  CommandThrottle,
  type CommandThrottleLimits,
  RefusalBudget,
  type RefusalJournalLimits,
  type SuppressedRefusals,
} from "../risk/command-throttle";
import type { BrokerAdapter } from "../venues/adapter";
import { CommandError, type CommandErrorCode } from "./errors";
import type { HeldOrders } from "./held-orders";
import type { OrderBook } from "./order-book";
import type { OrderIds } from "./order-ids";
import type { OrderRouter } from "./order-router";
import type { OrderRisk } from "./risk-context";
import { isHeldType } from "./stops";

export interface SubmitResult {
  order: Order;
  duplicate: boolean;
}

export interface CancelAllResult {
  requested: number;
  cancelled: string[];
  skipped: { orderId: string; reason: string }[];
}

export interface OrderCommandsDeps {
  book: OrderBook;
  ids: OrderIds;
  risk: OrderRisk;
  router: OrderRouter;
  venues: ReadonlyMap<string, BrokerAdapter>;
  held: () => HeldOrders;
  /** Cancels and modifies per principal (config COMMAND_RATE_PER_S, COMMAND_BURST); defaults when not given. */
  commandThrottle?: CommandThrottleLimits;
  /** Refusals journaled one by one per principal and window (config REFUSAL_JOURNAL_*); defaults when not given. */
  refusalJournal?: RefusalJournalLimits;
  /** The furthest a GTD order's expireTime may lie ahead (config GTD_MAX_HORIZON_DAYS). */
  gtdMaxHorizonDays?: number;
}

/** The commands callers give: submit, cancel, cancel-all and modify, each journaled before it is answered. */
export class OrderCommands {
  private readonly throttle: CommandThrottle;
  private readonly refusals: RefusalBudget;
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: OrderCommandsDeps) {
    this.throttle = new CommandThrottle(deps.commandThrottle);
    this.refusals = new RefusalBudget(deps.refusalJournal);
  }

  async submit(input: SubmitOrder, actor: string): Promise<SubmitResult> {
    const { book, ids } = this.deps;
    book.refuseWhileJournalDown("new orders");
    if (input.expireTime !== undefined) {
      const invalid = checkExpireTime(input.expireTime, book.clock.nowMs(), this.deps.gtdMaxHorizonDays);
      if (invalid) throw new CommandError("INVALID_INPUT", invalid.message);
    }
    const existing = this.existing(input);
    if (existing) return { order: existing, duplicate: true };
    // Enough ids for the order and, should the router split it, a child per venue.
    await ids.ready(1 + this.deps.venues.size);
    // Checked again: the same clOrdId may have arrived while this one waited for an id block.
    const again = this.existing(input);
    if (again) return { order: again, duplicate: true };
    const orderId = ids.take();
    const clOrdId = input.clOrdId ?? orderId;

    const pending = newOrder(input, { orderId, clOrdId, actor, now: book.clock.nowIso() });
    const arrival = this.deps.router.quoteNow(input.symbol);
    let order = book.record({
      type: "OrderReceived",
      orderId,
      accountId: input.accountId,
      actor,
      data: { order: pending, ...(arrival ? { arrival } : {}) },
    });

    const { denial, ctx } = this.deps.risk.check(order);
    if (denial) {
      order = book.record({ type: "OrderDenied", orderId, accountId: order.accountId, actor: "risk", data: denial });
      await book.journal.durable();
      return { order, duplicate: false };
    }
    this.deps.risk.consume(order, ctx);
    order = book.record({ type: "OrderValidated", orderId, accountId: order.accountId, actor: "risk", data: {} });

    if (isHeldType(order)) {
      this.deps.held().evaluate(order);
      await book.journal.durable();
      return { order: book.get(orderId) ?? order, duplicate: false };
    }
    // Sent while the journal commits (see OrderIds): the caller still hears back only once it is durable.
    this.deps.router.route(order, input.venueId, undefined, input.routing)?.();
    await book.journal.durable();
    return { order: book.get(orderId) ?? order, duplicate: false };
  }

  private existing(input: SubmitOrder): Order | undefined {
    if (input.clOrdId === undefined) return undefined;
    const id = this.deps.book.byClOrdId.get(`${input.accountId}|${input.clOrdId}`);
    return id ? this.deps.book.get(id) : undefined;
  }

  /** A caller's cancel: throttled per principal, then as `cancelOne`. */
  async cancel(orderId: string, actor: string, reason?: string): Promise<Order> {
    this.throttled("cancel", orderId, actor);
    return this.cancelOne(orderId, actor, reason);
  }

  private async cancelOne(orderId: string, actor: string, reason?: string): Promise<Order> {
    const { book } = this.deps;
    const order = book.get(orderId);
    if (!order) throw new CommandError("NOT_FOUND", `no order ${orderId}`);
    if (isTerminal(order.ordStatus) || order.ordStatus === "PendingCancel" || order.ordStatus === "Pending")
      throw this.refuse(
        "cancel",
        order,
        actor,
        new CommandError("NOT_CANCELLABLE", `order ${orderId} is ${order.ordStatus} and cannot be cancelled`),
      );
    if (book.splitChildren.has(orderId)) return this.cancelSplit(order, actor, reason);
    if (order.ordStatus === "Validated") {
      const cancelled = book.record({
        type: "OrderCancelled",
        orderId,
        accountId: order.accountId,
        actor,
        data: { reason: reason ?? "cancelled before it was sent" },
      });
      await book.journal.durable();
      return cancelled;
    }
    const venue = order.venueId ? this.deps.venues.get(order.venueId) : undefined;
    if (!venue)
      throw this.refuse("cancel", order, actor, new CommandError("NOT_CANCELLABLE", `order ${orderId} has no venue to cancel at`));
    const pending = book.record({ type: "OrderPendingCancel", orderId, accountId: order.accountId, actor, data: reason ? { reason } : {} });
    book.send(venue, pending, () => venue.cancelOrder(pending));
    await book.journal.durable();
    return book.get(orderId) ?? pending;
  }

  /** A split parent is cancelled by cancelling each of its working children; it ends when they have. */
  private async cancelSplit(parent: Order, actor: string, reason?: string): Promise<Order> {
    const { book } = this.deps;
    const pending = book.record({
      type: "OrderPendingCancel",
      orderId: parent.orderId,
      accountId: parent.accountId,
      actor,
      data: reason ? { reason } : {},
    });
    for (const child of book.childrenOf(parent.orderId)) {
      if (isTerminal(child.ordStatus) || child.ordStatus === "PendingCancel") continue;
      await this.cancelOne(child.orderId, actor, reason ?? `parent ${parent.orderId} cancelled`).catch((error: unknown) => {
        book.log.warn({ err: String(error), orderId: child.orderId }, "could not cancel a child order");
      });
    }
    await book.journal.durable();
    return book.get(parent.orderId) ?? pending;
  }

  /**
   * Cancels every working order that matches all given filters; reports what it could not cancel.
   * Not throttled: it is the desk's way out, and it does no more than the working orders allow.
   * `orderIds` (in process only: the kill switch's venue scope, a dead-man key) narrows it to those orders.
   */
  async cancelAll(filter: CancelAll & { orderIds?: ReadonlySet<string> }, actor: string): Promise<CancelAllResult> {
    const matching = this.deps.book.working().filter(
      (o) =>
        o.parentId === null && // children go with their parent
        (filter.orderIds === undefined || filter.orderIds.has(o.orderId)) &&
        (filter.accountId === undefined || o.accountId === filter.accountId) &&
        (filter.strategy === undefined || o.strategy === filter.strategy) &&
        (filter.symbol === undefined || o.symbol === filter.symbol),
    );
    const result: CancelAllResult = { requested: matching.length, cancelled: [], skipped: [] };
    await Promise.all(
      matching.map(async (o) => {
        try {
          await this.cancelOne(o.orderId, actor);
          result.cancelled.push(o.orderId);
        } catch (error) {
          result.skipped.push({ orderId: o.orderId, reason: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    return result;
  }

  /** Cancel/replace of quantity, limit price or stop price, re-checked by risk. */
  async modify(input: ModifyOrder, actor: string): Promise<Order> {
    const { book } = this.deps;
    book.refuseWhileJournalDown("modifications");
    this.throttled("modify", input.orderId, actor);
    const order = book.get(input.orderId);
    if (!order) throw new CommandError("NOT_FOUND", `no order ${input.orderId}`);
    const refuse = (code: CommandErrorCode, message: string) => this.refuse("modify", order, actor, new CommandError(code, message));
    if (!["Validated", "Accepted", "PartiallyFilled"].includes(order.ordStatus))
      throw refuse("NOT_MODIFIABLE", `order ${order.orderId} is ${order.ordStatus} and cannot be modified`);
    if (book.splitChildren.has(order.orderId) || order.parentId !== null)
      throw refuse("NOT_SUPPORTED", `order ${order.orderId} is part of a liquidity split; cancel it and send a new order instead`);
    const takesPrice = order.ordType === "Limit" || order.ordType === "StopLimit";
    const takesStop = order.ordType === "Stop" || order.ordType === "StopLimit";
    if (input.price !== undefined && !takesPrice) throw refuse("INVALID_INPUT", `${order.ordType} orders have no limit price to change`);
    if (input.stopPx !== undefined && !takesStop) throw refuse("INVALID_INPUT", `${order.ordType} orders have no stop price to change`);
    const changes = {
      orderQty: input.orderQty === undefined ? order.orderQty : money.normalize(input.orderQty),
      price: input.price === undefined ? order.price : money.normalize(input.price),
      stopPx: input.stopPx === undefined ? order.stopPx : money.normalize(input.stopPx),
    };
    if (money.lte(changes.orderQty, order.cumQty))
      throw refuse("INVALID_INPUT", `new quantity ${changes.orderQty} must exceed the filled quantity ${order.cumQty}`);
    // Judged as the order would be after the modify: whole new quantity, filled part in the position.
    const denial = this.deps.risk.checkModify(order, changes);
    if (denial) throw refuse("RISK_REJECTED", `${denial.code}: ${denial.reason}`);

    const base = { orderId: order.orderId, accountId: order.accountId, actor } as const;
    if (order.ordStatus === "Validated") {
      const replaced = book.record({ ...base, type: "OrderReplaced", data: changes });
      this.deps.held().evaluate(replaced);
      await book.journal.durable();
      return book.get(order.orderId) ?? replaced;
    }
    const venue = order.venueId ? this.deps.venues.get(order.venueId) : undefined;
    if (!venue?.capabilities.modify) throw refuse("NOT_SUPPORTED", `venue ${order.venueId ?? "?"} does not support cancel/replace`);
    const pending = book.record({ ...base, type: "OrderPendingReplace", data: changes });
    book.send(venue, pending, () => venue.modifyOrder(pending, changes));
    await book.journal.durable();
    return book.get(order.orderId) ?? pending;
  }

  /** Takes a token of the actor's command rate, or refuses the command with RATE_LIMITED. */
  private throttled(command: "cancel" | "modify", orderId: string, actor: string): void {
    if (this.throttle.tryTake(actor, this.deps.book.clock.nowMs())) return;
    const { perSecond, burst } = this.throttle.limits;
    const error = new CommandError(
      "RATE_LIMITED",
      `${actor} sends more than ${perSecond} cancels and modifies a second (burst ${burst}); try again shortly`,
      {
        retryAfterMs: Math.ceil(1000 / perSecond),
      },
    );
    const order = this.deps.book.get(orderId);
    throw order ? this.refuse(command, order, actor, error) : error;
  }

  /**
   * A refused command is journaled (CommandRefused), within the actor's refusal budget; beyond it,
   * it is counted and the count is journaled once the window closes (COMMAND_REFUSALS_SUPPRESSED alert).
   */
  private refuse(command: string, order: Order, actor: string, error: CommandError): CommandError {
    const now = this.deps.book.clock.nowMs();
    this.journalSuppressed(this.refusals.closed(now));
    if (this.refusals.admit(actor, `${command} ${error.code}`, now)) return this.deps.book.refuse(command, order, actor, error);
    this.scheduleSummary();
    return error;
  }

  private scheduleSummary(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      const { book } = this.deps;
      const pending = this.journalSuppressed(this.refusals.closed(book.clock.nowMs()));
      if (pending) this.scheduleSummary();
    }, this.refusals.limits.windowMs);
    this.summaryTimer.unref();
  }

  /** Journals one alert per closed window; true when windows with uncounted refusals remain open. */
  private journalSuppressed(summaries: SuppressedRefusals[]): boolean {
    const { book } = this.deps;
    for (const s of summaries) {
      const counts = Object.entries(s.counts)
        .map(([what, n]) => `${what}: ${n}`)
        .join(", ");
      try {
        book.alert(
          "COMMAND_REFUSALS_SUPPRESSED",
          `${s.total} more refused commands from ${s.actor} between ${new Date(s.fromMs).toISOString()} and ${new Date(s.toMs).toISOString()} were counted, not journaled one by one (${counts})`,
          s.actor,
        );
      } catch (error) {
        book.log.warn({ err: String(error), actor: s.actor, total: s.total }, "could not journal suppressed refusals");
      }
    }
    return this.refusals.hasOpenSuppressed();
  }
}
