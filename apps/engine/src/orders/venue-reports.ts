import { InvalidStateTransition, money, OverFill } from "@fillmore/shared";
import type { VenueReport } from "../venues/adapter";
import type { OrderBook } from "./order-book";

/** Maps what venues report about our orders onto the state machine, journal first. */
export class VenueReports {
  constructor(private readonly book: OrderBook) {}

  onVenueReport(venueId: string, report: VenueReport): void {
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
        case "replaced":
          book.record({ ...base, type: "OrderReplaced", data: { orderQty: report.orderQty, price: report.price, stopPx: report.stopPx } });
          return;
        case "replaceRejected":
          book.record({ ...base, type: "OrderReplaceRejected", data: { reason: report.reason } });
          return;
        case "expired":
          book.record({ ...base, type: "OrderExpired", data: { reason: report.reason } });
          return;
        case "fill": {
          const key = `${venueId}:${report.execId}`;
          if (book.seenExecIds.has(key)) return;
          const cumQty = money.add(order.cumQty, report.lastQty);
          const type = money.gte(cumQty, order.orderQty) ? "OrderFilled" : "OrderPartiallyFilled";
          book.record({ ...base, type, data: { execId: report.execId, venueId, lastQty: report.lastQty, lastPx: report.lastPx } });
          if (order.ordStatus === "Cancelled")
            book.alert(
              "FILL_AFTER_CANCEL",
              `${venueId} filled ${report.lastQty} of cancelled order ${order.orderId}; booked`,
              actor,
              order,
            );
          return;
        }
        default:
          book.log.warn({ kind: report.kind, orderId: order.orderId }, "venue report not handled");
      }
    } catch (error) {
      if (error instanceof OverFill) {
        book.alert("OVER_FILL", error.message, actor, order);
      } else if (error instanceof InvalidStateTransition) {
        book.journal.append({
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
}
