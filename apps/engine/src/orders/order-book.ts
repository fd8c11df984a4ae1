import { type AnyEvent, applyOrderEvent, type Clock, type Decimal, isTerminal, type Order, type OrderEvent } from "@fillmore/shared";
import type { EventDraft, Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { BrokerAdapter, OrderChanges } from "../venues/adapter";
import { CommandError } from "./errors";

export type OrderEventDraft = Extract<EventDraft, { type: OrderEvent["type"] }>;

/** A fill as booked now (after any correction), to bust or correct it later. */
export interface BookedFill {
  orderId: string;
  venueId: string;
  /** The execId it was booked under; a correction's own execId points to the same record. */
  execId: string;
  lastQty: Decimal;
  lastPx: Decimal;
  busted: boolean;
}

/** Told of every event the book applies (live or replayed), in order, before anyone else hears of it. */
export type AppliedListener = (event: AnyEvent, order: Order | undefined) => void;

/**
 * The live order book: every order, the indexes the other order components read, and the one
 * place an order event is recorded (state machine applied, journal appended) and published.
 * Components that must react to order events subscribe (`onApplied`); the book calls none of them.
 */
export class OrderBook {
  readonly orders = new Map<string, Order>();
  /** Orders not yet in a terminal state: what risk, expiry and reconciliation walk. */
  readonly live = new Map<string, Order>();
  readonly byClOrdId = new Map<string, string>();
  readonly seenExecIds = new Set<string>();
  /** Every fill booked, by "venueId:execId" (corrections' execIds too), for busts and corrections. */
  readonly fills = new Map<string, BookedFill>();
  /** Orders being cancelled because they expired: the venue's cancel becomes OrderExpired. */
  readonly expiring = new Set<string>();
  /** Changes asked for by a pending cancel/replace, to resend if the venue never saw them. */
  readonly pendingChanges = new Map<string, OrderChanges>();
  /** Split parents and their child order ids. */
  readonly splitChildren = new Map<string, string[]>();
  private readonly listeners: AppliedListener[] = [];
  private readonly recordedListeners: AppliedListener[] = [];

  constructor(
    readonly journal: Journal,
    readonly clock: Clock,
    readonly log: Logger,
    private readonly onSendError: (venueId: string) => void,
    /** Decimal places of an instrument's prices (its tick), carried on each new order for avgPx. */
    private readonly pxScaleOf: (symbol: string) => number | undefined = () => undefined,
  ) {}

  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  /** Told only of events recorded live (not replayed), after every `onApplied` listener. */
  onRecorded(listener: AppliedListener): void {
    this.recordedListeners.push(listener);
  }

  get(orderId: string): Order | undefined {
    return this.orders.get(orderId);
  }

  working(): Order[] {
    return [...this.live.values()];
  }

  childrenOf(parentId: string): Order[] {
    return (this.splitChildren.get(parentId) ?? []).flatMap((id) => this.orders.get(id) ?? []);
  }

  /** Rebuilds state from a journaled event, without journaling anything. */
  replay(event: AnyEvent): void {
    if (event.orderId === null || !event.type.startsWith("Order")) {
      this.publish(event, undefined);
      return;
    }
    const order = applyOrderEvent(this.orders.get(event.orderId), event as OrderEvent);
    this.index(order);
    this.trackSideEffects(event, order);
    this.publish(event, order);
  }

  /** Applies an order event through the state machine, journals it and publishes it. */
  record(input: OrderEventDraft): Order {
    const draft = this.withPxScale(input);
    const { event, order } = this.journal.append(draft, (e) => applyOrderEvent(this.orders.get(draft.orderId ?? ""), e as OrderEvent));
    if (!order) throw new Error("order event produced no order");
    this.index(order);
    this.trackSideEffects(event, order);
    this.publish(event, order);
    for (const listener of this.recordedListeners) listener(event, order);
    return order;
  }

  /** A new order carries its instrument's price precision: avgPx is kept to it + 4 (see applyOrderEvent). */
  private withPxScale(draft: OrderEventDraft): OrderEventDraft {
    if (draft.type !== "OrderReceived" || draft.data.order.pxScale !== undefined) return draft;
    const pxScale = this.pxScaleOf(draft.data.order.symbol);
    return pxScale === undefined ? draft : { ...draft, data: { ...draft.data, order: { ...draft.data.order, pxScale } } };
  }

  /** A refused command is journaled with who asked and why, then returned for the caller to throw. */
  refuse(command: string, order: Order, actor: string, error: CommandError): CommandError {
    this.journal.append({
      type: "CommandRefused",
      orderId: order.orderId,
      accountId: order.accountId,
      actor,
      data: { command, code: error.code, reason: error.message },
    });
    return error;
  }

  alert(code: string, message: string, actor: string, order?: Order): void {
    this.log.warn({ code, orderId: order?.orderId }, message);
    this.journal.append({
      type: "AlertRaised",
      orderId: order?.orderId ?? null,
      accountId: order?.accountId ?? null,
      actor,
      data: { code, message },
    });
  }

  /** A failed send leaves the order's outcome unknown (not rejected): reconciliation resolves it. */
  send(venue: BrokerAdapter, order: Order, action: () => Promise<void>): void {
    action().catch((error: unknown) => {
      this.onSendError(venue.name);
      this.alert("VENUE_SEND_FAILED", `sending ${order.orderId} to ${venue.name} failed: ${String(error)}`, "engine", order);
    });
  }

  /**
   * While the journal cannot commit, nothing new may start (an order that trades must be on record);
   * cancels still go out, as they only reduce risk, and are answered once the journal is back.
   */
  refuseWhileJournalDown(what: string): void {
    const stats = this.journal.stats();
    if (stats.tradingBlocked) throw new CommandError("ENGINE_UNAVAILABLE", `trading is closed: ${stats.tradingBlocked}; no ${what}`);
    if (!stats.healthy)
      throw new CommandError("ENGINE_UNAVAILABLE", `the journal cannot commit (database down or refusing writes): no ${what} until it can`);
  }

  private publish(event: AnyEvent, order: Order | undefined): void {
    for (const listener of this.listeners) listener(event, order);
  }

  private trackSideEffects(event: AnyEvent, order: Order): void {
    if (event.type === "OrderSplit")
      this.splitChildren.set(
        order.orderId,
        event.data.children.map((c) => c.orderId),
      );
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      const { venueId, execId, lastQty, lastPx } = event.data;
      const fillId = `${venueId}:${execId}`; // one string for both: the book keeps every fill of the day
      this.seenExecIds.add(fillId);
      this.fills.set(fillId, { orderId: order.orderId, venueId, execId, lastQty, lastPx, busted: false });
    }
    if (event.type === "OrderTradeBusted") {
      const fill = this.fills.get(`${event.data.venueId}:${event.data.refExecId}`);
      if (fill) fill.busted = true;
    }
    if (event.type === "OrderTradeCorrected") {
      const { venueId, refExecId, execId, lastQty, lastPx } = event.data;
      const fill = this.fills.get(`${venueId}:${refExecId}`);
      const fillId = `${venueId}:${execId}`;
      if (fill) {
        fill.lastQty = lastQty;
        fill.lastPx = lastPx;
        this.fills.set(fillId, fill);
      }
      this.seenExecIds.add(fillId);
    }
    if (event.type === "OrderPendingCancel" && event.data.reason === "expired") this.expiring.add(order.orderId);
    if (event.type === "OrderPendingReplace") this.pendingChanges.set(order.orderId, event.data);
    if (order.ordStatus !== "PendingReplace") this.pendingChanges.delete(order.orderId);
    // A Filled order may be reopened by a bust while the expiry's cancel is still at the venue: kept until that is answered.
    if (event.type === "OrderCancelRejected" || (isTerminal(order.ordStatus) && order.ordStatus !== "Filled"))
      this.expiring.delete(order.orderId);
  }

  private index(order: Order): void {
    this.orders.set(order.orderId, order);
    if (isTerminal(order.ordStatus)) this.live.delete(order.orderId);
    else this.live.set(order.orderId, order);
    this.byClOrdId.set(`${order.accountId}|${order.clOrdId}`, order.orderId);
  }
}
