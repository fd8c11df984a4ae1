import { type ArrivalQuote, type FillFlag, InvalidStateTransition, isTerminal, money, type Order } from "@fillmore/shared";
import { feeSchedulesOf, feesFor, reportedFees } from "../positions/fees";
import type { VenueReport } from "../venues/adapter";
import type { OrderBook } from "./order-book";

type FillReport = Extract<VenueReport, { kind: "fill" }>;
type BustReport = Extract<VenueReport, { kind: "tradeBusted" }>;
type CorrectionReport = Extract<VenueReport, { kind: "tradeCorrected" }>;

/**
 * Maps what venues report about our orders onto the state machine, journal first. A venue's fill
 * is a fact: it is booked whatever state the order is in (late, over, outside the limit: flagged
 * and alerted, never dropped), exactly once per execution id. No exception leaves `onVenueReport`:
 * one bad report must not kill an adapter's data handler.
 */
export class VenueReports {
  /**
   * Fees booked so far per order and currency (live and replayed fills): a schedule's minimum per order
   * needs them. Kept as [currency, amount, currency, amount, …], replaced on each fill: a Map per order
   * weighed 250 bytes, for every order of the day.
   */
  private readonly feesCharged = new Map<string, readonly string[]>();

  constructor(
    private readonly book: OrderBook,
    /** The NBBO now (two-sided, else undefined), journaled with each fill as `quote`. */
    private readonly quoteNow: (symbol: string) => ArrivalQuote | undefined = () => undefined,
  ) {
    book.onApplied((event) => {
      if ((event.type !== "OrderFilled" && event.type !== "OrderPartiallyFilled") || event.orderId === null) return;
      if (!event.data.fees?.length) return;
      const pairs = [...(this.feesCharged.get(event.orderId) ?? [])];
      for (const f of event.data.fees) {
        let i = 0;
        while (i < pairs.length && pairs[i] !== f.currency) i += 2;
        pairs[i] = f.currency;
        pairs[i + 1] = money.add(pairs[i + 1] ?? "0", f.amount);
      }
      this.feesCharged.set(event.orderId, pairs.slice()); // exact size: the writes above may have left room
    });
  }

  onVenueReport(venueId: string, report: VenueReport): void {
    try {
      this.apply(venueId, report);
    } catch (error) {
      const message = `${venueId} ${report?.kind ?? "?"} report for ${report?.orderId ?? "?"} could not be applied: ${String(error)}`;
      try {
        this.book.alert("VENUE_REPORT_FAILED", message, `venue:${venueId}`, this.book.get(report?.orderId ?? ""));
      } catch (alertError) {
        this.book.log.error({ err: String(alertError), venueId }, message);
      }
    }
  }

  private apply(venueId: string, report: VenueReport): void {
    const { book } = this;
    const order = book.get(report.orderId);
    const actor = `venue:${venueId}`;
    if (!order) {
      book.alert("UNKNOWN_ORDER", `${venueId} reported ${report.kind} for unknown order ${report.orderId}`, actor);
      return;
    }
    const base = { orderId: order.orderId, accountId: order.accountId, actor } as const;
    try {
      switch (report.kind) {
        case "accepted":
          book.record({ ...base, type: "OrderAccepted", data: { venueOrderId: report.venueOrderId } });
          return;
        case "rejected":
          // FIX ExecType 8 rejects the order itself, acknowledged or not (a refused cancel or replace
          // is a cancelRejected/replaceRejected); fills it already had stay booked.
          book.record({ ...base, type: "OrderRejected", data: { source: "VENUE", reason: report.reason } });
          return;
        case "cancelled":
          if (book.expiring.has(order.orderId))
            book.record({ ...base, type: "OrderExpired", data: { reason: `expired: ${report.reason}` } });
          else book.record({ ...base, type: "OrderCancelled", data: { reason: report.reason } });
          return;
        case "cancelRejected":
          book.record({ ...base, type: "OrderCancelRejected", data: { reason: report.reason } });
          return;
        case "replaced": {
          const replaced = book.record({
            ...base,
            type: "OrderReplaced",
            data: { orderQty: report.orderQty, price: report.price, stopPx: report.stopPx },
          });
          if (money.gt(replaced.cumQty, replaced.orderQty))
            book.alert(
              "OVER_FILL",
              `${venueId} confirmed ${order.orderId} replaced to ${replaced.orderQty}, below the ${replaced.cumQty} already filled; the order is done`,
              actor,
              replaced,
            );
          return;
        }
        case "replaceRejected":
          book.record({ ...base, type: "OrderReplaceRejected", data: { reason: report.reason } });
          return;
        case "expired":
          book.record({ ...base, type: "OrderExpired", data: { reason: report.reason } });
          return;
        case "restated": {
          const restated = book.record({
            ...base,
            type: "OrderRestated",
            data: { orderQty: report.orderQty, price: report.price, reason: report.reason },
          });
          book.alert(
            "ORDER_RESTATED",
            `${venueId} restated ${order.orderId}: quantity ${order.orderQty} -> ${restated.orderQty}, price ${order.price ?? "-"} -> ${restated.price ?? "-"} (${report.reason})`,
            actor,
            restated,
          );
          return;
        }
        case "fill":
          this.fill(venueId, order, report);
          return;
        case "tradeBusted":
          this.bust(venueId, order, report);
          return;
        case "tradeCorrected":
          this.correct(venueId, order, report);
          return;
        default:
          book.alert("UNKNOWN_REPORT", `${venueId} sent a report the engine does not know: ${JSON.stringify(report)}`, actor, order);
      }
    } catch (error) {
      if (!(error instanceof InvalidStateTransition)) throw error;
      book.journal.append({
        type: "TransitionRefused",
        orderId: order.orderId,
        accountId: order.accountId,
        actor,
        data: { event: error.event, from: error.from, reason: error.message },
      });
      // Only an order the venue should not have (never sent) refuses an execution: an operator must look.
      if (report.kind === "fill" || report.kind === "tradeBusted" || report.kind === "tradeCorrected")
        book.alert(
          "EXECUTION_NOT_BOOKED",
          `${venueId} reported ${report.kind} for ${order.orderId}, which is ${order.ordStatus} and cannot take it: ${error.message}`,
          actor,
          order,
        );
    }
  }

  private fill(venueId: string, order: Order, report: FillReport): void {
    const { book } = this;
    const actor = `venue:${venueId}`;
    if (book.seenExecIds.has(`${venueId}:${report.execId}`)) return; // a duplicate: booked once
    const cumQty = money.add(order.cumQty, report.lastQty);
    const flags: FillFlag[] = [];
    const late = isTerminal(order.ordStatus) && order.ordStatus !== "Filled";
    if (late) flags.push("LATE");
    const over = money.gt(cumQty, order.orderQty);
    if (over) flags.push("OVER_FILL");
    const limit = this.limitFor(order);
    const outside = limit !== null && (order.side === "Buy" ? money.gt(report.lastPx, limit) : money.lt(report.lastPx, limit));
    if (outside) flags.push("PRICE_OUTSIDE_LIMIT");
    const type = money.gte(cumQty, order.orderQty) ? "OrderFilled" : "OrderPartiallyFilled";
    const fees = this.feesOf(venueId, order, report);
    const quote = this.quoteNow(order.symbol);
    const booked = book.record({
      orderId: order.orderId,
      accountId: order.accountId,
      actor,
      type,
      data: {
        execId: report.execId,
        venueId,
        lastQty: report.lastQty,
        lastPx: report.lastPx,
        ...(flags.length ? { flags } : {}),
        ...(fees.length ? { fees } : {}),
        ...(report.liquidity ? { liquidity: report.liquidity } : {}),
        ...(quote ? { quote } : {}),
      },
    });
    if (late)
      book.alert(
        order.ordStatus === "Cancelled" ? "FILL_AFTER_CANCEL" : "LATE_FILL",
        `${venueId} filled ${report.lastQty} of ${order.ordStatus.toLowerCase()} order ${order.orderId}; booked`,
        actor,
        booked,
      );
    if (over)
      book.alert(
        "OVER_FILL",
        `${venueId} filled ${report.lastQty} on order ${order.orderId} beyond its quantity ${order.orderQty} (already filled ${order.cumQty}); booked, now ${booked.cumQty}`,
        actor,
        booked,
      );
    if (outside)
      book.alert(
        "PRICE_OUTSIDE_LIMIT",
        `${venueId} filled ${order.side} ${order.orderId} at ${report.lastPx}, outside its limit ${limit}; booked`,
        actor,
        booked,
      );
  }

  /** The venue's own commission where it reported one, else its fee schedule's (nothing when it has none). */
  private feesOf(venueId: string, order: Order, report: FillReport) {
    if (report.commission) return reportedFees(report.commission);
    const schedule = feeSchedulesOf(this.book)?.(venueId);
    if (!schedule) return [];
    const charged = chargedIn(this.feesCharged.get(order.orderId), schedule.currency);
    return feesFor(schedule, { qty: report.lastQty, px: report.lastPx, liquidity: report.liquidity }, { charged });
  }

  /** The most permissive limit the venue may hold: a pending replace's price counts as well. */
  private limitFor(order: Order): string | null {
    if (order.ordType !== "Limit" && order.ordType !== "StopLimit") return null;
    const pending = this.book.pendingChanges.get(order.orderId)?.price ?? null;
    if (order.price === null) return pending;
    if (pending === null) return order.price;
    return order.side === "Buy" ? money.max(order.price, pending) : money.min(order.price, pending);
  }

  private bust(venueId: string, order: Order, report: BustReport): void {
    const { book } = this;
    const actor = `venue:${venueId}`;
    const fill = book.fills.get(`${venueId}:${report.refExecId}`);
    if (!fill || fill.orderId !== order.orderId) {
      book.alert(
        "UNKNOWN_EXECUTION",
        `${venueId} busted execution ${report.refExecId} of ${order.orderId}, which was never booked; nothing changed`,
        actor,
        order,
      );
      return;
    }
    if (fill.busted) return; // a duplicate bust
    const data = { venueId, refExecId: fill.execId, lastQty: fill.lastQty, lastPx: fill.lastPx, reason: report.reason };
    const busted = book.record({ orderId: order.orderId, accountId: order.accountId, actor, type: "OrderTradeBusted", data });
    book.alert(
      "TRADE_BUSTED",
      `${venueId} busted ${fill.lastQty} @ ${fill.lastPx} (${fill.execId}) on ${order.orderId}: ${report.reason}; filled now ${busted.cumQty}`,
      actor,
      busted,
    );
    const parent = this.parentOf(order);
    const parentFill = parent && book.fills.get(`${venueId}:${order.orderId}:${fill.execId}`);
    if (parent && parentFill && !parentFill.busted)
      book.record({
        orderId: parent.orderId,
        accountId: parent.accountId,
        actor,
        type: "OrderTradeBusted",
        data: { ...data, refExecId: parentFill.execId, childOrderId: order.orderId },
      });
  }

  private correct(venueId: string, order: Order, report: CorrectionReport): void {
    const { book } = this;
    const actor = `venue:${venueId}`;
    if (book.seenExecIds.has(`${venueId}:${report.execId}`)) return; // a duplicate correction
    const fill = book.fills.get(`${venueId}:${report.refExecId}`);
    if (!fill || fill.orderId !== order.orderId || fill.busted) {
      book.alert(
        "UNKNOWN_EXECUTION",
        `${venueId} corrected execution ${report.refExecId} of ${order.orderId}, which is ${fill?.busted ? "busted" : "not booked"}; nothing changed`,
        actor,
        order,
      );
      return;
    }
    const data = {
      venueId,
      refExecId: fill.execId,
      execId: report.execId,
      oldQty: fill.lastQty,
      oldPx: fill.lastPx,
      lastQty: report.lastQty,
      lastPx: report.lastPx,
      reason: report.reason,
    };
    const corrected = book.record({ orderId: order.orderId, accountId: order.accountId, actor, type: "OrderTradeCorrected", data });
    book.alert(
      "TRADE_CORRECTED",
      `${venueId} corrected ${fill.execId} on ${order.orderId} from ${data.oldQty} @ ${data.oldPx} to ${data.lastQty} @ ${data.lastPx}: ${report.reason}`,
      actor,
      corrected,
    );
    if (money.gt(corrected.cumQty, corrected.orderQty) && !money.gt(order.cumQty, order.orderQty))
      book.alert(
        "OVER_FILL",
        `after the correction ${order.orderId} is filled ${corrected.cumQty} of ${corrected.orderQty}`,
        actor,
        corrected,
      );
    const parent = this.parentOf(order);
    const parentFill = parent && book.fills.get(`${venueId}:${order.orderId}:${fill.execId}`);
    if (parent && parentFill && !parentFill.busted)
      book.record({
        orderId: parent.orderId,
        accountId: parent.accountId,
        actor,
        type: "OrderTradeCorrected",
        data: { ...data, refExecId: parentFill.execId, execId: `${order.orderId}:${report.execId}`, childOrderId: order.orderId },
      });
  }

  private parentOf(order: Order): Order | undefined {
    return order.parentId === null ? undefined : this.book.get(order.parentId);
  }
}

/** The amount booked in `currency` from [currency, amount, …] pairs; "0" when none. */
function chargedIn(pairs: readonly string[] | undefined, currency: string): string {
  for (let i = 0; pairs && i < pairs.length; i += 2) if (pairs[i] === currency) return pairs[i + 1] ?? "0";
  return "0";
}
