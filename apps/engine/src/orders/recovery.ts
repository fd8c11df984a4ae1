import { asReceived, type Order } from "@fillmore/shared";
import type { BrokerAdapter, VenueReport } from "../venues/adapter";
import type { OrderBook } from "./order-book";
import { inRange, type OrderIds, orderNumber } from "./order-ids";
import { isHeldType, venueView } from "./stops";

export interface ReconcileResult {
  checked: number;
  resent: number;
  settled: number;
  unresolved: number;
}

export interface RecoveryDeps {
  book: OrderBook;
  ids: OrderIds;
  venues: ReadonlyMap<string, BrokerAdapter>;
  /** Where the venue's answers go, as if the venue had reported them. */
  report: (venueId: string, report: VenueReport) => void;
}

/** After a crash, a restart or a lost connection: takes back lost orders and settles orders whose outcome we do not know. */
export class OrderRecovery {
  private readonly unknownAlerted = new Set<string>();

  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * After replay, before reconciliation: orders the last run sent but whose journal entries a crash
   * lost are asked of every venue and taken back as they were sent, flagged by an alert; the
   * reconciliation that follows books their fills and state. Returns how many were recovered.
   */
  async recoverLost(): Promise<number> {
    const { book, ids } = this.deps;
    const lost = ids.resume();
    // Journaled as validated but not as submitted: a crash fell between the two, and the order may
    // still have reached a venue. (Held stops are validated by design and stay as they are.)
    const unsent = book.working().filter((o) => o.ordStatus === "Validated" && !isHeldType(o) && !book.splitChildren.has(o.orderId));
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
        book.alert("RECOVERY_INCOMPLETE", `${venueId} could not list orders ${range.from}..${range.to}: ${String(error)}`, "engine");
        return [];
      });
      for (const sent of held) {
        const known = book.get(sent.orderId);
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
      book.record({ type: "OrderCancelled", orderId: order.orderId, accountId: order.accountId, actor: "recovery", data: { reason } });
    }
    await ids.ready();
    await book.journal.durable();
    return recovered;
  }

  /** The journal had the order validated; the venue shows it was sent. */
  private resubmitted(venueId: string, order: Order): void {
    const submitted = this.deps.book.record({
      type: "OrderSubmitted",
      orderId: order.orderId,
      accountId: order.accountId,
      actor: "recovery",
      data: { venueId, venueOrderId: `${venueId}-${order.orderId}` },
    });
    this.deps.book.alert(
      "ORDER_RECOVERED",
      `${order.orderId} was at ${venueId} but the journal did not have its submission (lost in a crash); taken back from the venue`,
      "recovery",
      submitted,
    );
  }

  private adopt(venueId: string, sent: Order): void {
    const { book } = this.deps;
    const base = { orderId: sent.orderId, accountId: sent.accountId, actor: "recovery" } as const;
    // A child whose parent's split was lost with it comes back as an order of its own.
    const split = sent.parentId !== null && (book.splitChildren.get(sent.parentId) ?? []).includes(sent.orderId);
    const received = asReceived(sent, { parentId: split ? sent.parentId : null });
    book.record({ ...base, type: "OrderReceived", data: { order: received } });
    book.record({ ...base, type: "OrderValidated", data: {} });
    const order = book.record({ ...base, type: "OrderSubmitted", data: { venueId, venueOrderId: `${venueId}-${sent.orderId}` } });
    book.alert(
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

  /** Raised once per order and mark, not at every periodic retry. */
  private alertOnce(mark: string, code: string, message: string, order: Order): void {
    if (this.unknownAlerted.has(mark)) return;
    this.unknownAlerted.add(mark);
    this.deps.book.alert(code, message, "engine", order);
  }

  private async reconcileWhere(which: (order: Order) => boolean): Promise<ReconcileResult> {
    const { book } = this.deps;
    const result = { checked: 0, resent: 0, settled: 0, unresolved: 0 };
    const atVenues = book
      .working()
      .filter((o) => o.venueId !== null && o.ordStatus !== "Validated" && o.ordStatus !== "Pending" && which(o));
    for (const order of atVenues) {
      result.checked += 1;
      const venueId = order.venueId ?? "";
      const venue = this.deps.venues.get(venueId);
      const status = venue?.isHealthy() ? await venue.getOrderStatus(order.orderId).catch(() => undefined) : undefined;
      if (!venue || !status) {
        result.unresolved += 1;
        this.alertOnce(
          `${order.orderId}@${order.lastSeq}`,
          "OUTCOME_UNKNOWN",
          `${order.orderId} at ${venueId}: venue unreachable, outcome unknown`,
          order,
        );
        continue;
      }
      const report = (r: VenueReport) => this.deps.report(venueId, r);
      if (!status.known) {
        if (order.ordStatus === "Submitted") {
          result.resent += 1;
          book.send(venue, order, () => venue.submitOrder(venueView(order, venue.capabilities)));
        } else {
          result.unresolved += 1;
          this.alertOnce(
            `${order.orderId}@${order.lastSeq}:lost`,
            "VENUE_LOST_ORDER",
            `${venueId} does not know ${order.ordStatus} order ${order.orderId}`,
            order,
          );
        }
        continue;
      }
      for (const fill of status.fills) report({ kind: "fill", orderId: order.orderId, ...fill });
      const now = book.get(order.orderId) ?? order;
      if (status.state === "working") {
        if (now.ordStatus === "Submitted")
          report({ kind: "accepted", orderId: order.orderId, venueOrderId: `${venueId}-${order.orderId}` });
        if (now.ordStatus === "PendingCancel") book.send(venue, now, () => venue.cancelOrder(now));
        const changes = book.pendingChanges.get(order.orderId);
        if (now.ordStatus === "PendingReplace" && changes) {
          if (status.orderQty === changes.orderQty && status.price === changes.price)
            report({ kind: "replaced", orderId: order.orderId, ...changes });
          else book.send(venue, now, () => venue.modifyOrder(now, changes));
        }
      } else if (status.state === "cancelled") {
        report({ kind: "cancelled", orderId: order.orderId, reason: status.reason ?? "cancelled at the venue" });
      } else if (status.state === "expired") {
        // FIX OrdStatus C: done by its time in force while we were away, not cancelled.
        report({ kind: "expired", orderId: order.orderId, reason: status.reason ?? "expired at the venue" });
      } else if (status.state === "rejected") {
        report({ kind: "rejected", orderId: order.orderId, reason: status.reason ?? "rejected by the venue" });
      }
      if (book.get(order.orderId)?.lastSeq !== order.lastSeq) result.settled += 1;
    }
    await book.journal.durable();
    return result;
  }
}
