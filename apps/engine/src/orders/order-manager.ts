import {
  type AnyEvent,
  applyOrderEvent,
  type Clock,
  InvalidStateTransition,
  isTerminal,
  money,
  type Order,
  type OrderEvent,
  OverFill,
  type SubmitOrder,
} from "@fillmore/shared";
import type { EventDraft, Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import { checkOrder, type InstrumentRule, type RiskLimits } from "../risk/checks";
import type { BrokerAdapter, VenueReport } from "../venues/adapter";
import { CommandError } from "./errors";

export interface OrderManagerDeps {
  journal: Journal;
  clock: Clock;
  log: Logger;
  instruments: ReadonlyMap<string, InstrumentRule>;
  accounts: ReadonlySet<string>;
  venues: ReadonlyMap<string, BrokerAdapter>;
  limits: () => RiskLimits;
  quote: (symbol: string) => Quote | undefined;
}

export interface SubmitResult {
  order: Order;
  duplicate: boolean;
}

type OrderEventDraft = Extract<EventDraft, { type: OrderEvent["type"] }>;

/** Owns live orders: applies commands and venue reports through the state machine, journal first. */
export class OrderManager {
  private readonly orders = new Map<string, Order>();
  private readonly byClOrdId = new Map<string, string>();
  private readonly seenExecIds = new Set<string>();

  constructor(private readonly deps: OrderManagerDeps) {
    for (const [venueId, venue] of deps.venues) venue.onReport((r) => this.onVenueReport(venueId, r));
  }

  /** Rebuilds state from journaled events, without journaling anything. */
  replay(event: AnyEvent): void {
    if (event.orderId === null || !event.type.startsWith("Order")) return;
    const order = applyOrderEvent(this.orders.get(event.orderId), event as OrderEvent);
    this.index(order);
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled")
      this.seenExecIds.add(`${event.data.venueId}:${event.data.execId}`);
  }

  get(orderId: string): Order | undefined {
    return this.orders.get(orderId);
  }

  all(): Order[] {
    return [...this.orders.values()];
  }

  working(): Order[] {
    return this.all().filter((o) => !isTerminal(o.ordStatus));
  }

  async submit(input: SubmitOrder, actor: string): Promise<SubmitResult> {
    const { journal } = this.deps;
    const orderId = `O${journal.nextSeq()}`;
    const clOrdId = input.clOrdId ?? orderId;
    const existingId = this.byClOrdId.get(`${input.accountId}|${clOrdId}`);
    const existing = existingId ? this.orders.get(existingId) : undefined;
    if (existing) return { order: existing, duplicate: true };

    const now = this.deps.clock.nowIso();
    const pending: Order = {
      orderId,
      clOrdId,
      accountId: input.accountId,
      symbol: input.symbol,
      side: input.side,
      ordType: input.ordType,
      timeInForce: input.timeInForce,
      orderQty: money.normalize(input.orderQty),
      price: input.price === undefined ? null : money.normalize(input.price),
      stopPx: input.stopPx === undefined ? null : money.normalize(input.stopPx),
      expireTime: input.expireTime ?? null,
      ordStatus: "Pending",
      previousStatus: null,
      cumQty: "0",
      leavesQty: money.normalize(input.orderQty),
      avgPx: "0",
      notional: "0",
      venueId: null,
      venueOrderId: null,
      strategy: input.strategy ?? null,
      createdBy: actor,
      rejectSource: null,
      rejectReason: null,
      lateFill: false,
      createdAt: now,
      updatedAt: now,
      lastSeq: 0,
    };
    let order = this.record({ type: "OrderReceived", orderId, accountId: input.accountId, actor, data: { order: pending } });

    const quote = this.deps.quote(order.symbol);
    const denial = checkOrder(order, {
      instrument: this.deps.instruments.get(order.symbol),
      accountKnown: this.deps.accounts.has(order.accountId),
      limits: this.deps.limits(),
      referencePx: quote ? (order.side === "Buy" ? quote.ask : quote.bid) : undefined,
    });
    if (denial) {
      order = this.record({ type: "OrderDenied", orderId, accountId: order.accountId, actor: "risk", data: denial });
      await journal.durable();
      return { order, duplicate: false };
    }
    order = this.record({ type: "OrderValidated", orderId, accountId: order.accountId, actor: "risk", data: {} });

    const venue = this.chooseVenue(order, input.venueId);
    if (typeof venue === "string") {
      order = this.record({
        type: "OrderDenied",
        orderId,
        accountId: order.accountId,
        actor: "router",
        data: { code: "NO_VENUE", reason: venue },
      });
      await journal.durable();
      return { order, duplicate: false };
    }
    order = this.record({
      type: "OrderSubmitted",
      orderId,
      accountId: order.accountId,
      actor: "router",
      data: { venueId: venue.name, venueOrderId: `${venue.name}-${orderId}` },
    });
    await journal.durable();
    this.send(venue, order, () => venue.submitOrder(order));
    return { order: this.orders.get(orderId) ?? order, duplicate: false };
  }

  async cancel(orderId: string, actor: string): Promise<Order> {
    const order = this.orders.get(orderId);
    if (!order) throw new CommandError("NOT_FOUND", `no order ${orderId}`);
    if (isTerminal(order.ordStatus) || order.ordStatus === "PendingCancel" || order.ordStatus === "Pending")
      throw new CommandError("NOT_CANCELLABLE", `order ${orderId} is ${order.ordStatus} and cannot be cancelled`);
    if (order.ordStatus === "Validated") {
      const cancelled = this.record({
        type: "OrderCancelled",
        orderId,
        accountId: order.accountId,
        actor,
        data: { reason: "cancelled before it was sent" },
      });
      await this.deps.journal.durable();
      return cancelled;
    }
    const venue = order.venueId ? this.deps.venues.get(order.venueId) : undefined;
    if (!venue) throw new CommandError("NOT_CANCELLABLE", `order ${orderId} has no venue to cancel at`);
    const pending = this.record({ type: "OrderPendingCancel", orderId, accountId: order.accountId, actor, data: {} });
    await this.deps.journal.durable();
    this.send(venue, pending, () => venue.cancelOrder(pending));
    return this.orders.get(orderId) ?? pending;
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
          this.record({ ...base, type: "OrderCancelled", data: { reason: report.reason } });
          return;
        case "cancelRejected":
          this.record({ ...base, type: "OrderCancelRejected", data: { reason: report.reason } });
          return;
        case "expired":
          this.record({ ...base, type: "OrderExpired", data: { reason: report.reason } });
          return;
        case "fill": {
          const key = `${venueId}:${report.execId}`;
          if (this.seenExecIds.has(key)) return;
          const cumQty = money.add(order.cumQty, report.lastQty);
          const type = money.gte(cumQty, order.orderQty) ? "OrderFilled" : "OrderPartiallyFilled";
          const fill = { execId: report.execId, venueId, lastQty: report.lastQty, lastPx: report.lastPx };
          this.record({ ...base, type, data: fill });
          this.seenExecIds.add(key);
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

  private record(draft: OrderEventDraft): Order {
    const { order } = this.deps.journal.append(draft, (event) =>
      applyOrderEvent(this.orders.get(draft.orderId ?? ""), event as OrderEvent),
    );
    if (!order) throw new Error("order event produced no order");
    this.index(order);
    return order;
  }

  private index(order: Order): void {
    this.orders.set(order.orderId, order);
    this.byClOrdId.set(`${order.accountId}|${order.clOrdId}`, order.orderId);
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

  private chooseVenue(order: Order, requested: string | undefined): BrokerAdapter | string {
    const fits = (v: BrokerAdapter) =>
      v.isHealthy() && v.capabilities.ordTypes.includes(order.ordType) && v.capabilities.timeInForces.includes(order.timeInForce);
    if (requested !== undefined) {
      const venue = this.deps.venues.get(requested);
      if (!venue) return `venue ${requested} does not exist`;
      if (!venue.isHealthy()) return `venue ${requested} is down`;
      if (!fits(venue)) return `venue ${requested} does not take ${order.ordType} ${order.timeInForce} orders`;
      return venue;
    }
    for (const venue of this.deps.venues.values()) if (fits(venue)) return venue;
    return `no healthy venue takes ${order.ordType} ${order.timeInForce} orders`;
  }

  /** A failed send leaves the order's outcome unknown (not rejected): reconciliation resolves it. */
  private send(venue: BrokerAdapter, order: Order, action: () => Promise<void>): void {
    action().catch((error: unknown) => {
      this.alert("VENUE_SEND_FAILED", `sending ${order.orderId} to ${venue.name} failed: ${String(error)}`, "engine", order);
    });
  }
}
