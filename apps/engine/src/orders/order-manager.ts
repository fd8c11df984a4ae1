import {
  type AnyEvent,
  applyOrderEvent,
  asReceived,
  type CancelAll,
  type Clock,
  InvalidStateTransition,
  isTerminal,
  type ModifyOrder,
  money,
  newOrder,
  type Order,
  type OrderEvent,
  OverFill,
  type SubmitOrder,
} from "@fillmore/shared";
import type { EventDraft, Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { Positions } from "../positions/positions";
import { checkOrder, type Denial, type InstrumentRule, type RiskContext } from "../risk/checks";
import type { RiskSettings } from "../risk/risk-settings";
import { TokenBuckets } from "../risk/token-bucket";
import { type Candidate, type RoutingPolicy, route } from "../routing/policies";
import type { VenueMonitor } from "../routing/venue-monitor";
import type { BrokerAdapter, OrderChanges, VenueReport } from "../venues/adapter";
import { CommandError } from "./errors";
import { expiresAt } from "./expiry";
import { inRange, OrderIds, orderNumber } from "./order-ids";
import { isHeldType, isTriggered, movedTrailingStop, venueView } from "./stops";

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
  routing: {
    policy: RoutingPolicy;
    monitor: VenueMonitor;
    feeBps: (venueId: string) => string;
    /** A venue's own order-rate limit, kept below so the venue never has to throttle or ban us. */
    rateLimit: (venueId: string) => { perSecond: number; burst: number } | undefined;
    /** Quantity a venue displays at the touch, for liquidity splits. */
    depth: (venueId: string) => string;
  };
  sessionEndMinutes: number;
}

export interface SubmitResult {
  order: Order;
  duplicate: boolean;
}

export interface CancelAllResult {
  requested: number;
  cancelled: string[];
  skipped: { orderId: string; reason: string }[];
}

type OrderEventDraft = Extract<EventDraft, { type: OrderEvent["type"] }>;

export interface ReconcileResult {
  checked: number;
  resent: number;
  settled: number;
  unresolved: number;
}

/** Owns live orders: applies commands and venue reports through the state machine, journal first. */
export class OrderManager {
  private readonly orders = new Map<string, Order>();
  /** Orders not yet in a terminal state: what risk, expiry and reconciliation walk. */
  private readonly live = new Map<string, Order>();
  private readonly byClOrdId = new Map<string, string>();
  private readonly seenExecIds = new Set<string>();
  /** Orders being cancelled because they expired: the venue's cancel becomes OrderExpired. */
  private readonly expiring = new Set<string>();
  private readonly buckets = new TokenBuckets();
  private readonly venueBuckets = new TokenBuckets();
  private readonly unknownAlerted = new Set<string>();
  /** Changes asked for by a pending cancel/replace, to resend if the venue never saw them. */
  private readonly pendingChanges = new Map<string, OrderChanges>();
  private readonly ids: OrderIds;
  /** Split parents and their child order ids. */
  private readonly splitChildren = new Map<string, string[]>();

  constructor(private readonly deps: OrderManagerDeps) {
    this.ids = new OrderIds(deps.journal);
    for (const [venueId, venue] of deps.venues) venue.onReport((r) => this.onVenueReport(venueId, r));
  }

  /** Rebuilds state from journaled events, without journaling anything. */
  replay(event: AnyEvent): void {
    this.ids.replay(event);
    this.deps.positions.apply(event);
    if (event.orderId === null || !event.type.startsWith("Order")) return;
    const order = applyOrderEvent(this.orders.get(event.orderId), event as OrderEvent);
    this.index(order);
    this.trackSideEffects(event, order);
  }

  get(orderId: string): Order | undefined {
    return this.orders.get(orderId);
  }

  all(): Order[] {
    return [...this.orders.values()];
  }

  working(): Order[] {
    return [...this.live.values()];
  }

  async submit(input: SubmitOrder, actor: string): Promise<SubmitResult> {
    const { journal } = this.deps;
    this.refuseWhileJournalDown("new orders");
    const existing = this.existing(input);
    if (existing) return { order: existing, duplicate: true };
    // Enough ids for the order and, should the router split it, a child per venue.
    await this.ids.ready(1 + this.deps.venues.size);
    // Checked again: the same clOrdId may have arrived while this one waited for an id block.
    const again = this.existing(input);
    if (again) return { order: again, duplicate: true };
    const orderId = this.ids.take();
    const clOrdId = input.clOrdId ?? orderId;

    const pending = newOrder(input, { orderId, clOrdId, actor, now: this.deps.clock.nowIso() });
    let order = this.record({ type: "OrderReceived", orderId, accountId: input.accountId, actor, data: { order: pending } });

    const ctx = this.riskContext(order);
    const denial = checkOrder(order, ctx);
    if (denial) {
      order = this.record({ type: "OrderDenied", orderId, accountId: order.accountId, actor: "risk", data: denial });
      await journal.durable();
      return { order, duplicate: false };
    }
    this.buckets.take(order.accountId, ctx.limits.ordersPerSecond, ctx.limits.orderBurst, this.deps.clock.nowMs());
    order = this.record({ type: "OrderValidated", orderId, accountId: order.accountId, actor: "risk", data: {} });

    if (isHeldType(order)) {
      this.evaluateHeld(order);
      await journal.durable();
      return { order: this.orders.get(orderId) ?? order, duplicate: false };
    }
    // Sent while the journal commits (see OrderIds): the caller still hears back only once it is durable.
    this.route(order, input.venueId, undefined, input.routing)?.();
    await journal.durable();
    return { order: this.orders.get(orderId) ?? order, duplicate: false };
  }

  /** Our rate limit for a venue and how much of its burst is taken now, for the Venues page. */
  rateLimitUsage(venueId: string): { perSecond: number; burst: number; usedPct: number } | null {
    const limit = this.deps.routing.rateLimit(venueId);
    if (!limit) return null;
    const available = this.venueBuckets.available(venueId, limit.perSecond, limit.burst, this.deps.clock.nowMs());
    return { ...limit, usedPct: Number((100 * (1 - Math.max(0, available) / limit.burst)).toFixed(1)) };
  }

  private existing(input: SubmitOrder): Order | undefined {
    if (input.clOrdId === undefined) return undefined;
    const id = this.byClOrdId.get(`${input.accountId}|${input.clOrdId}`);
    return id ? this.orders.get(id) : undefined;
  }

  async cancel(orderId: string, actor: string, reason?: string): Promise<Order> {
    const order = this.orders.get(orderId);
    if (!order) throw new CommandError("NOT_FOUND", `no order ${orderId}`);
    if (isTerminal(order.ordStatus) || order.ordStatus === "PendingCancel" || order.ordStatus === "Pending")
      throw this.refuse(
        "cancel",
        order,
        actor,
        new CommandError("NOT_CANCELLABLE", `order ${orderId} is ${order.ordStatus} and cannot be cancelled`),
      );
    if (this.splitChildren.has(orderId)) return this.cancelSplit(order, actor, reason);
    if (order.ordStatus === "Validated") {
      const cancelled = this.record({
        type: "OrderCancelled",
        orderId,
        accountId: order.accountId,
        actor,
        data: { reason: reason ?? "cancelled before it was sent" },
      });
      await this.deps.journal.durable();
      return cancelled;
    }
    const venue = order.venueId ? this.deps.venues.get(order.venueId) : undefined;
    if (!venue)
      throw this.refuse("cancel", order, actor, new CommandError("NOT_CANCELLABLE", `order ${orderId} has no venue to cancel at`));
    const pending = this.record({ type: "OrderPendingCancel", orderId, accountId: order.accountId, actor, data: reason ? { reason } : {} });
    this.send(venue, pending, () => venue.cancelOrder(pending));
    await this.deps.journal.durable();
    return this.orders.get(orderId) ?? pending;
  }

  /** A split parent is cancelled by cancelling each of its working children; it ends when they have. */
  private async cancelSplit(parent: Order, actor: string, reason?: string): Promise<Order> {
    const pending = this.record({
      type: "OrderPendingCancel",
      orderId: parent.orderId,
      accountId: parent.accountId,
      actor,
      data: reason ? { reason } : {},
    });
    for (const child of this.childrenOf(parent.orderId)) {
      if (isTerminal(child.ordStatus) || child.ordStatus === "PendingCancel") continue;
      await this.cancel(child.orderId, actor, reason ?? `parent ${parent.orderId} cancelled`).catch((error: unknown) => {
        this.deps.log.warn({ err: String(error), orderId: child.orderId }, "could not cancel a child order");
      });
    }
    await this.deps.journal.durable();
    return this.orders.get(parent.orderId) ?? pending;
  }

  /** Cancels every working order that matches all given filters; reports what it could not cancel. */
  async cancelAll(filter: CancelAll, actor: string): Promise<CancelAllResult> {
    const matching = this.working().filter(
      (o) =>
        o.parentId === null && // children go with their parent
        (filter.accountId === undefined || o.accountId === filter.accountId) &&
        (filter.strategy === undefined || o.strategy === filter.strategy) &&
        (filter.symbol === undefined || o.symbol === filter.symbol),
    );
    const result: CancelAllResult = { requested: matching.length, cancelled: [], skipped: [] };
    await Promise.all(
      matching.map(async (o) => {
        try {
          await this.cancel(o.orderId, actor);
          result.cancelled.push(o.orderId);
        } catch (error) {
          result.skipped.push({ orderId: o.orderId, reason: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    return result;
  }

  /**
   * While the journal cannot commit, nothing new may start (an order that trades must be on record);
   * cancels still go out, as they only reduce risk, and are answered once the journal is back.
   */
  private refuseWhileJournalDown(what: string): void {
    if (!this.deps.journal.stats().healthy)
      throw new CommandError("ENGINE_UNAVAILABLE", `the journal cannot commit (database down or refusing writes): no ${what} until it can`);
  }

  /** Cancel/replace of quantity, limit price or stop price, re-checked by risk. */
  async modify(input: ModifyOrder, actor: string): Promise<Order> {
    this.refuseWhileJournalDown("modifications");
    const order = this.orders.get(input.orderId);
    if (!order) throw new CommandError("NOT_FOUND", `no order ${input.orderId}`);
    const refuse = (code: ConstructorParameters<typeof CommandError>[0], message: string) =>
      this.refuse("modify", order, actor, new CommandError(code, message));
    if (!["Validated", "Accepted", "PartiallyFilled"].includes(order.ordStatus))
      throw refuse("NOT_MODIFIABLE", `order ${order.orderId} is ${order.ordStatus} and cannot be modified`);
    if (this.splitChildren.has(order.orderId) || order.parentId !== null)
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
    const candidate = { ...order, ...changes, orderQty: money.sub(changes.orderQty, order.cumQty) };
    const denial = this.recheck(candidate, order);
    if (denial) throw refuse("RISK_REJECTED", `${denial.code}: ${denial.reason}`);

    const base = { orderId: order.orderId, accountId: order.accountId, actor } as const;
    if (order.ordStatus === "Validated") {
      const replaced = this.record({ ...base, type: "OrderReplaced", data: changes });
      this.evaluateHeld(replaced);
      await this.deps.journal.durable();
      return this.orders.get(order.orderId) ?? replaced;
    }
    const venue = order.venueId ? this.deps.venues.get(order.venueId) : undefined;
    if (!venue?.capabilities.modify) throw refuse("NOT_SUPPORTED", `venue ${order.venueId ?? "?"} does not support cancel/replace`);
    const pending = this.record({ ...base, type: "OrderPendingReplace", data: changes });
    this.send(venue, pending, () => venue.modifyOrder(pending, changes));
    await this.deps.journal.durable();
    return this.orders.get(order.orderId) ?? pending;
  }

  /**
   * After replay, before reconciliation: orders the last run sent but whose journal entries a crash
   * lost are asked of every venue and taken back as they were sent, flagged by an alert; the
   * reconciliation that follows books their fills and state. Returns how many were recovered.
   */
  async recoverLost(): Promise<number> {
    const lost = this.ids.resume();
    // Journaled as validated but not as submitted: a crash fell between the two, and the order may
    // still have reached a venue. (Held stops are validated by design and stay as they are.)
    const unsent = this.working().filter((o) => o.ordStatus === "Validated" && !isHeldType(o) && !this.splitChildren.has(o.orderId));
    const numbers = unsent.flatMap((o) => orderNumber(o.orderId) ?? []);
    const range =
      lost || numbers.length > 0
        ? { from: Math.min(lost?.from ?? Number.POSITIVE_INFINITY, ...numbers), to: Math.max(lost?.to ?? 0, ...numbers) }
        : null;
    let recovered = 0;
    const found = new Set<string>();
    for (const [venueId, venue] of range ? this.deps.venues : []) {
      if (!range || !venue.recoverOrders) continue;
      const held = await venue.recoverOrders(range).catch((error: unknown) => {
        this.alert("RECOVERY_INCOMPLETE", `${venueId} could not list orders ${range.from}..${range.to}: ${String(error)}`, "engine");
        return [];
      });
      for (const sent of held) {
        const known = this.orders.get(sent.orderId);
        if (!inRange(sent.orderId, range) || found.has(sent.orderId)) continue;
        if (!known) this.adopt(venueId, sent);
        else if (known.ordStatus === "Validated" && unsent.includes(known)) this.resubmitted(venueId, known);
        else continue;
        found.add(sent.orderId);
        recovered += 1;
      }
    }
    for (const order of unsent.filter((o) => !found.has(o.orderId))) {
      const reason = "not sent: the engine restarted before its submission was on record, and no venue has it";
      this.record({ type: "OrderCancelled", orderId: order.orderId, accountId: order.accountId, actor: "recovery", data: { reason } });
    }
    await this.ids.ready();
    await this.deps.journal.durable();
    return recovered;
  }

  /** The journal had the order validated; the venue shows it was sent. */
  private resubmitted(venueId: string, order: Order): void {
    const submitted = this.record({
      type: "OrderSubmitted",
      orderId: order.orderId,
      accountId: order.accountId,
      actor: "recovery",
      data: { venueId, venueOrderId: `${venueId}-${order.orderId}` },
    });
    this.alert(
      "ORDER_RECOVERED",
      `${order.orderId} was at ${venueId} but the journal did not have its submission (lost in a crash); taken back from the venue`,
      "recovery",
      submitted,
    );
  }

  private adopt(venueId: string, sent: Order): void {
    const base = { orderId: sent.orderId, accountId: sent.accountId, actor: "recovery" } as const;
    // A child whose parent's split was lost with it comes back as an order of its own.
    const split = sent.parentId !== null && (this.splitChildren.get(sent.parentId) ?? []).includes(sent.orderId);
    const received = asReceived(sent, { parentId: split ? sent.parentId : null });
    this.record({ ...base, type: "OrderReceived", data: { order: received } });
    this.record({ ...base, type: "OrderValidated", data: {} });
    const order = this.record({ ...base, type: "OrderSubmitted", data: { venueId, venueOrderId: `${venueId}-${sent.orderId}` } });
    this.alert(
      "ORDER_RECOVERED",
      `${sent.orderId} was at ${venueId} but not in the journal (sent just before a crash); taken back from the venue`,
      "recovery",
      order,
    );
  }

  /**
   * After a restart or a reconnect: asks each venue about every order whose outcome we do not
   * know, books the fills we missed (deduplicated by exec id) and settles the state. An order
   * journaled as submitted that the venue never saw is sent now; its id is deterministic, so a
   * venue that did see it ignores the resend.
   */
  reconcile(onlyVenue?: string): Promise<ReconcileResult> {
    return this.reconcileWhere((o) => onlyVenue === undefined || o.venueId === onlyVenue);
  }

  /**
   * Orders still waiting for a venue's answer after `olderThanMs` (a message lost in an outage, a
   * dropped connection) are resolved by asking the venue, the same way as after a restart.
   */
  resolveStale(nowMs: number, olderThanMs = 2000): Promise<ReconcileResult> {
    return this.reconcileWhere(
      (o) => ["Submitted", "PendingCancel", "PendingReplace"].includes(o.ordStatus) && nowMs - Date.parse(o.updatedAt) > olderThanMs,
    );
  }

  private async reconcileWhere(which: (order: Order) => boolean): Promise<ReconcileResult> {
    const result = { checked: 0, resent: 0, settled: 0, unresolved: 0 };
    const atVenues = this.working().filter(
      (o) => o.venueId !== null && o.ordStatus !== "Validated" && o.ordStatus !== "Pending" && which(o),
    );
    for (const order of atVenues) {
      result.checked += 1;
      const venueId = order.venueId ?? "";
      const venue = this.deps.venues.get(venueId);
      const status = venue?.isHealthy() ? await venue.getOrderStatus(order.orderId).catch(() => undefined) : undefined;
      if (!venue || !status) {
        result.unresolved += 1;
        // Raised once per order and lastSeq, not at every periodic retry.
        const mark = `${order.orderId}@${order.lastSeq}`;
        if (!this.unknownAlerted.has(mark)) {
          this.unknownAlerted.add(mark);
          this.alert("OUTCOME_UNKNOWN", `${order.orderId} at ${venueId}: venue unreachable, outcome unknown`, "engine", order);
        }
        continue;
      }
      const report = (r: VenueReport) => this.onVenueReport(venueId, r);
      if (!status.known) {
        if (order.ordStatus === "Submitted") {
          result.resent += 1;
          this.send(venue, order, () => venue.submitOrder(venueView(order, venue.capabilities)));
        } else {
          result.unresolved += 1;
          const mark = `${order.orderId}@${order.lastSeq}:lost`;
          if (!this.unknownAlerted.has(mark)) {
            this.unknownAlerted.add(mark);
            this.alert("VENUE_LOST_ORDER", `${venueId} does not know ${order.ordStatus} order ${order.orderId}`, "engine", order);
          }
        }
        continue;
      }
      for (const fill of status.fills) report({ kind: "fill", orderId: order.orderId, ...fill });
      const now = this.orders.get(order.orderId) ?? order;
      if (status.state === "working") {
        if (now.ordStatus === "Submitted")
          report({ kind: "accepted", orderId: order.orderId, venueOrderId: `${venueId}-${order.orderId}` });
        if (now.ordStatus === "PendingCancel") this.send(venue, now, () => venue.cancelOrder(now));
        const changes = this.pendingChanges.get(order.orderId);
        if (now.ordStatus === "PendingReplace" && changes) {
          if (status.orderQty === changes.orderQty && status.price === changes.price)
            report({ kind: "replaced", orderId: order.orderId, ...changes });
          else this.send(venue, now, () => venue.modifyOrder(now, changes));
        }
      } else if (status.state === "cancelled") {
        report({ kind: "cancelled", orderId: order.orderId, reason: status.reason ?? "cancelled at the venue" });
      } else if (status.state === "rejected") {
        report({ kind: "rejected", orderId: order.orderId, reason: status.reason ?? "rejected by the venue" });
      }
      if (this.orders.get(order.orderId)?.lastSeq !== order.lastSeq) result.settled += 1;
    }
    await this.deps.journal.durable();
    return result;
  }

  /** Held stops follow the market: trailing stops move, triggered ones are routed. */
  onQuote(quote: Quote): void {
    for (const order of this.live.values()) {
      if (order.symbol === quote.symbol && order.ordStatus === "Validated" && isHeldType(order)) this.evaluateHeld(order);
    }
  }

  /** Expires DAY orders at the session end and GTD orders at their time. */
  expireDue(nowMs: number): void {
    for (const order of this.working()) {
      if (this.splitChildren.has(order.orderId)) continue; // its children expire, and it with them
      const at = expiresAt(order, this.deps.sessionEndMinutes);
      if (at === null || at > nowMs || order.ordStatus === "PendingCancel" || this.expiring.has(order.orderId)) continue;
      const reason = order.timeInForce === "GTD" ? `GTD expired at ${order.expireTime}` : "DAY order expired at the session end";
      if (order.ordStatus === "Validated") {
        this.record({ type: "OrderExpired", orderId: order.orderId, accountId: order.accountId, actor: "engine", data: { reason } });
        continue;
      }
      this.expiring.add(order.orderId);
      void this.cancel(order.orderId, "engine", "expired").catch((error: unknown) => {
        this.expiring.delete(order.orderId);
        this.deps.log.warn({ err: String(error), orderId: order.orderId }, "could not expire order");
      });
    }
  }

  onVenueReport(venueId: string, report: VenueReport): void {
    const order = this.orders.get(report.orderId);
    const actor = `venue:${venueId}`;
    if (!order) {
      this.alert("UNKNOWN_ORDER", `${venueId} reported ${report.kind} for unknown order ${report.orderId}`, actor);
      return;
    }
    const base = { orderId: order.orderId, accountId: order.accountId, actor } as const;
    try {
      switch (report.kind) {
        case "accepted":
          this.record({ ...base, type: "OrderAccepted", data: { venueOrderId: report.venueOrderId } });
          return;
        case "rejected":
          this.record({ ...base, type: "OrderRejected", data: { source: "VENUE", reason: report.reason } });
          return;
        case "cancelled":
          if (this.expiring.has(order.orderId))
            this.record({ ...base, type: "OrderExpired", data: { reason: `expired: ${report.reason}` } });
          else this.record({ ...base, type: "OrderCancelled", data: { reason: report.reason } });
          return;
        case "cancelRejected":
          this.record({ ...base, type: "OrderCancelRejected", data: { reason: report.reason } });
          return;
        case "replaced":
          this.record({ ...base, type: "OrderReplaced", data: { orderQty: report.orderQty, price: report.price, stopPx: report.stopPx } });
          return;
        case "replaceRejected":
          this.record({ ...base, type: "OrderReplaceRejected", data: { reason: report.reason } });
          return;
        case "expired":
          this.record({ ...base, type: "OrderExpired", data: { reason: report.reason } });
          return;
        case "fill": {
          const key = `${venueId}:${report.execId}`;
          if (this.seenExecIds.has(key)) return;
          const cumQty = money.add(order.cumQty, report.lastQty);
          const type = money.gte(cumQty, order.orderQty) ? "OrderFilled" : "OrderPartiallyFilled";
          this.record({ ...base, type, data: { execId: report.execId, venueId, lastQty: report.lastQty, lastPx: report.lastPx } });
          if (order.ordStatus === "Cancelled")
            this.alert(
              "FILL_AFTER_CANCEL",
              `${venueId} filled ${report.lastQty} of cancelled order ${order.orderId}; booked`,
              actor,
              order,
            );
          return;
        }
      }
    } catch (error) {
      if (error instanceof OverFill) {
        this.alert("OVER_FILL", error.message, actor, order);
      } else if (error instanceof InvalidStateTransition) {
        this.deps.journal.append({
          type: "TransitionRefused",
          orderId: order.orderId,
          accountId: order.accountId,
          actor,
          data: { event: error.event, from: error.from, reason: error.message },
        });
      } else {
        throw error;
      }
    }
  }

  private evaluateHeld(order: Order): void {
    const instrument = this.deps.instruments.get(order.symbol);
    const px = this.triggerPx(order.symbol);
    if (!instrument || px === undefined) return;
    let current = order;
    const moved = movedTrailingStop(current, px, instrument.tickSize);
    if (moved !== null) {
      current = this.record({
        type: "OrderStopMoved",
        orderId: order.orderId,
        accountId: order.accountId,
        actor: "engine",
        data: { stopPx: moved, marketPx: px },
      });
    }
    if (!isTriggered(current, px)) return;
    this.route(current, current.requestedVenueId ?? undefined, px)?.();
  }

  /**
   * Chooses a venue and records OrderSubmitted (or a denial if none fits). Returns the send, for
   * the caller to run at once: the venue round trip overlaps the journal commit, and a crash in
   * between is recovered from the venue (`recoverLost`). A venue that cannot list our orders
   * gets it only once the journal holds it.
   */
  private route(order: Order, requested: string | undefined, triggerPx?: string, policy?: RoutingPolicy): (() => void) | undefined {
    const lotSize = this.deps.instruments.get(order.symbol)?.lotSize ?? "1";
    const decision = route(order, this.candidates(order), policy ?? this.deps.routing.policy, requested, lotSize);
    const splitting = decision.legs.length > 1 && this.ids.canTake(decision.legs.length);
    const venueId = splitting ? null : (decision.legs[0]?.venueId ?? null);
    const reason =
      decision.legs.length > 1 && !splitting ? `${decision.reason}; sent whole to ${venueId} (no ids free to split now)` : decision.reason;
    this.deps.journal.append({
      type: "RouteDecided",
      orderId: order.orderId,
      accountId: order.accountId,
      actor: "router",
      data: { policy: decision.policy, reason, venueId, considered: decision.considered, ...(splitting ? { legs: decision.legs } : {}) },
    });
    if (splitting) return this.split(order, decision.legs);
    const venue = venueId === null ? undefined : this.deps.venues.get(venueId);
    const limit = venueId === null ? undefined : this.deps.routing.rateLimit(venueId);
    if (venueId !== null && limit) this.venueBuckets.take(venueId, limit.perSecond, limit.burst, this.deps.clock.nowMs());
    if (!venue) {
      this.record({
        type: "OrderDenied",
        orderId: order.orderId,
        accountId: order.accountId,
        actor: "router",
        data: { code: "NO_VENUE", reason: decision.reason },
      });
      return undefined;
    }
    const submitted = this.record({
      type: "OrderSubmitted",
      orderId: order.orderId,
      accountId: order.accountId,
      actor: "router",
      data: { venueId: venue.name, venueOrderId: `${venue.name}-${order.orderId}`, ...(triggerPx ? { triggerPx } : {}) },
    });
    const send = () => this.send(venue, submitted, () => venue.submitOrder(venueView(submitted, venue.capabilities)));
    return venue.recoverOrders ? send : () => void this.deps.journal.durable().then(send);
  }

  /**
   * A liquidity split: one child order per leg, each a whole order of its own at its venue (its
   * own events, reconciliation and recovery). The parent, the client's order, takes each child's
   * fills and ends when they all have. The split is journaled before the children, so a child in
   * the journal always has its parent's split there too.
   */
  private split(parent: Order, legs: readonly { venueId: string; qty: string }[]): () => void {
    const children = legs.map((leg) => ({ orderId: this.ids.take(), venueId: leg.venueId, qty: leg.qty }));
    this.record({ type: "OrderSplit", orderId: parent.orderId, accountId: parent.accountId, actor: "router", data: { children } });
    const now = this.deps.clock.nowIso();
    const sends = children.map((leg, k) => {
      const base = { orderId: leg.orderId, accountId: parent.accountId, actor: "router" } as const;
      const child = asReceived(parent, {
        orderId: leg.orderId,
        clOrdId: `${parent.clOrdId}#${k + 1}`, // '#' is refused in client ids, so this can never collide with one
        orderQty: leg.qty,
        requestedVenueId: leg.venueId,
        parentId: parent.orderId,
        createdAt: now,
        updatedAt: now,
      });
      this.record({ ...base, type: "OrderReceived", data: { order: child } });
      this.record({ ...base, type: "OrderValidated", data: {} });
      const limit = this.deps.routing.rateLimit(leg.venueId);
      if (limit) this.venueBuckets.take(leg.venueId, limit.perSecond, limit.burst, this.deps.clock.nowMs());
      const submitted = this.record({
        ...base,
        type: "OrderSubmitted",
        data: { venueId: leg.venueId, venueOrderId: `${leg.venueId}-${leg.orderId}` },
      });
      const venue = this.deps.venues.get(leg.venueId);
      if (!venue) return () => undefined;
      const send = () => this.send(venue, submitted, () => venue.submitOrder(venueView(submitted, venue.capabilities)));
      return venue.recoverOrders ? send : () => void this.deps.journal.durable().then(send);
    });
    return () => {
      for (const send of sends) send();
    };
  }

  private childrenOf(parentId: string): Order[] {
    return (this.splitChildren.get(parentId) ?? []).flatMap((id) => this.orders.get(id) ?? []);
  }

  /** A split parent follows its children: their fills become its fills, and it ends when they all have. */
  private followChild(child: Order, event: AnyEvent): void {
    const parent = child.parentId === null ? undefined : this.orders.get(child.parentId);
    if (!parent) return;
    const base = { orderId: parent.orderId, accountId: parent.accountId, actor: event.actor } as const;
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      const { execId, venueId, lastQty, lastPx } = event.data;
      const type = money.gte(money.add(parent.cumQty, lastQty), parent.orderQty) ? "OrderFilled" : "OrderPartiallyFilled";
      this.record({ ...base, type, data: { execId: `${child.orderId}:${execId}`, venueId, lastQty, lastPx, childOrderId: child.orderId } });
    }
    const now = this.orders.get(parent.orderId) ?? parent;
    if (event.type === "OrderCancelRejected" && now.ordStatus === "PendingCancel") {
      this.record({ ...base, type: "OrderCancelRejected", data: { reason: `child ${child.orderId}: ${event.data.reason}` } });
      return;
    }
    if (!isTerminal(child.ordStatus) || isTerminal(now.ordStatus)) return;
    const children = this.childrenOf(parent.orderId);
    if (children.some((c) => !isTerminal(c.ordStatus))) return;
    const summary = children.map(
      (c) => `${c.orderId} at ${c.venueId ?? "?"} ${c.ordStatus}${c.rejectReason ? ` (${c.rejectReason})` : ""}`,
    );
    const type = children.some((c) => c.ordStatus === "Expired") ? "OrderExpired" : "OrderCancelled";
    this.record({ ...base, actor: "router", type, data: { reason: `every child order ended: ${summary.join("; ")}` } });
  }

  /** Every venue as the router sees it now; a disconnected venue counts as DOWN at once. */
  private candidates(order: Order): Candidate[] {
    const quote = this.deps.quote(order.symbol);
    const { monitor, feeBps, rateLimit } = this.deps.routing;
    const now = this.deps.clock.nowMs();
    return [...this.deps.venues].map(([venueId, v]) => {
      const sent = venueView(order, v.capabilities);
      const limit = rateLimit(venueId);
      const full = limit !== undefined && this.venueBuckets.available(venueId, limit.perSecond, limit.burst, now) < 1;
      return {
        venueId,
        health: v.isHealthy() ? monitor.state(venueId) : "DOWN",
        accepts: v.capabilities.ordTypes.includes(sent.ordType) && v.capabilities.timeInForces.includes(sent.timeInForce),
        bid: quote?.bid,
        ask: quote?.ask,
        depth: this.deps.routing.depth(venueId),
        feeBps: feeBps(venueId),
        ackEwmaMs: monitor.ackEwmaMs(venueId),
        weight: 1,
        rateLimited: full ? `at its rate limit of ${limit?.perSecond} orders/s (burst ${limit?.burst})` : null,
      };
    });
  }

  private triggerPx(symbol: string): string | undefined {
    const quote = this.deps.quote(symbol);
    if (!quote) return undefined;
    return this.deps.triggerPrice === "last" ? quote.last : money.div(money.add(quote.bid, quote.ask), "2", 10);
  }

  private riskContext(order: Order, exclude?: Order): RiskContext {
    const { risk, positions } = this.deps;
    const quote = this.deps.quote(order.symbol);
    let openOrders = 0;
    let openBuyNotional = "0";
    for (const o of this.live.values()) {
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
      tokensAvailable: this.buckets.available(order.accountId, limits.ordersPerSecond, limits.orderBurst, this.deps.clock.nowMs()),
    };
  }

  /** Risk for a modification: the remaining quantity as if new, without rate and open-order limits. */
  private recheck(candidate: Order, original: Order): Denial | null {
    const ctx = this.riskContext(candidate, original);
    return checkOrder(candidate, { ...ctx, openOrders: 0, tokensAvailable: Number.POSITIVE_INFINITY });
  }

  private record(draft: OrderEventDraft): Order {
    const { event, order } = this.deps.journal.append(draft, (e) => applyOrderEvent(this.orders.get(draft.orderId ?? ""), e as OrderEvent));
    if (!order) throw new Error("order event produced no order");
    this.index(order);
    this.deps.positions.apply(event);
    this.trackSideEffects(event, order);
    if (order.parentId !== null) this.followChild(order, event);
    return order;
  }

  private trackSideEffects(event: AnyEvent, order: Order): void {
    if (event.type === "OrderSplit")
      this.splitChildren.set(
        order.orderId,
        event.data.children.map((c) => c.orderId),
      );
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled")
      this.seenExecIds.add(`${event.data.venueId}:${event.data.execId}`);
    if (event.type === "OrderPendingCancel" && event.data.reason === "expired") this.expiring.add(order.orderId);
    if (event.type === "OrderPendingReplace") this.pendingChanges.set(order.orderId, event.data);
    if (order.ordStatus !== "PendingReplace") this.pendingChanges.delete(order.orderId);
    if (event.type === "OrderCancelRejected" || isTerminal(order.ordStatus)) this.expiring.delete(order.orderId);
  }

  private index(order: Order): void {
    this.orders.set(order.orderId, order);
    if (isTerminal(order.ordStatus)) this.live.delete(order.orderId);
    else this.live.set(order.orderId, order);
    this.byClOrdId.set(`${order.accountId}|${order.clOrdId}`, order.orderId);
  }

  /** A refused command is journaled with who asked and why, then thrown to the caller. */
  private refuse(command: string, order: Order, actor: string, error: CommandError): CommandError {
    this.deps.journal.append({
      type: "CommandRefused",
      orderId: order.orderId,
      accountId: order.accountId,
      actor,
      data: { command, code: error.code, reason: error.message },
    });
    return error;
  }

  private alert(code: string, message: string, actor: string, order?: Order): void {
    this.deps.log.warn({ code, orderId: order?.orderId }, message);
    this.deps.journal.append({
      type: "AlertRaised",
      orderId: order?.orderId ?? null,
      accountId: order?.accountId ?? null,
      actor,
      data: { code, message },
    });
  }

  /** A failed send leaves the order's outcome unknown (not rejected): reconciliation resolves it. */
  private send(venue: BrokerAdapter, order: Order, action: () => Promise<void>): void {
    action().catch((error: unknown) => {
      this.deps.routing.monitor.recordSendError(venue.name);
      this.alert("VENUE_SEND_FAILED", `sending ${order.orderId} to ${venue.name} failed: ${String(error)}`, "engine", order);
    });
  }
}
