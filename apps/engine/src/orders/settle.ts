import { isTerminal, type Order } from "@fillmore/shared";
import type { VenueOrderStatus, VenueReport } from "../venues/adapter";
import { CommandError } from "./errors";
import type { OrderBook } from "./order-book";

export interface SettleOrder {
  orderId: string;
  /** "cancelled": done, with the reason; "venue": whatever the venue answers now (its fills, its state). */
  outcome: "cancelled" | "venue";
  reason: string;
}

export interface SettleDeps {
  book: OrderBook;
  /** The venue-report door: the venue's answer is booked exactly like a late report (fills deduplicated by exec id). */
  report: (venueId: string, report: VenueReport) => void;
}

/**
 * Settles an order whose fate is unknown (the venue lost it, or its outcome never came back) and
 * that would otherwise stay Accepted or PendingCancel for good. Used by reconciliation for the risk
 * role; every path is journaled with who asked and why:
 * - "cancelled": an OrderCancelled with the caller as actor and reason "settled by reconciliation: …";
 * - "venue": the venue's answer (`status`, asked by the caller just before) booked through the report
 *   door; a venue that does not know the order answers that it is not there: cancelled, saying so.
 *   A venue that says the order is still working leaves it as it is (cancel it normally).
 */
export function settleOrder(deps: SettleDeps, input: SettleOrder, actor: string, status?: VenueOrderStatus): Order {
  const { book } = deps;
  const order = book.get(input.orderId);
  if (!order) throw new CommandError("NOT_FOUND", `no order ${input.orderId}`);
  const reason = input.reason.trim();
  if (reason.length === 0)
    throw book.refuse("settle", order, actor, new CommandError("INVALID_INPUT", "a reason is required to settle an order"));
  if (isTerminal(order.ordStatus))
    throw book.refuse(
      "settle",
      order,
      actor,
      new CommandError("NOT_CANCELLABLE", `${order.orderId} is ${order.ordStatus}: nothing to settle`),
    );
  if (order.venueId === null || ["New", "Validated", "Pending"].includes(order.ordStatus))
    throw book.refuse(
      "settle",
      order,
      actor,
      new CommandError("NOT_SUPPORTED", `${order.orderId} never reached a venue: cancel it instead`),
    );

  const cancel = (why: string) =>
    book.record({
      type: "OrderCancelled",
      orderId: order.orderId,
      accountId: order.accountId,
      actor,
      data: { reason: `settled by reconciliation: ${why}` },
    });

  if (input.outcome === "cancelled") return cancel(reason);

  if (!status)
    throw book.refuse(
      "settle",
      order,
      actor,
      new CommandError("ENGINE_UNAVAILABLE", `${order.venueId} did not answer for ${order.orderId}`),
    );
  if (!status.known) return cancel(`${order.venueId} does not know the order; ${reason}`);
  const venueId = order.venueId;
  for (const fill of status.fills) deps.report(venueId, { kind: "fill", orderId: order.orderId, ...fill });
  const reported = status.reason ?? `${status.state} at the venue`;
  if (status.state === "cancelled") deps.report(venueId, { kind: "cancelled", orderId: order.orderId, reason: reported });
  else if (status.state === "expired") deps.report(venueId, { kind: "expired", orderId: order.orderId, reason: reported });
  else if (status.state === "rejected") deps.report(venueId, { kind: "rejected", orderId: order.orderId, reason: reported });
  const now = book.get(order.orderId) ?? order;
  if (!isTerminal(now.ordStatus) && status.state !== "working")
    // The venue says it is done (filled, say) but its fills did not close the order here: settle it as cancelled, saying so.
    return cancel(`${venueId} reports it ${status.state} with ${status.cumQty} filled; ${reason}`);
  if (!isTerminal(now.ordStatus) && status.state === "working")
    throw book.refuse(
      "settle",
      now,
      actor,
      new CommandError("NOT_SUPPORTED", `${venueId} says ${order.orderId} is working (${status.cumQty} filled): cancel it normally`),
    );
  return now;
}
