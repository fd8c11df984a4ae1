import type { OrderEvent } from "../events";
import { add, div, gt, isZero, mul, sub } from "../money";
import { isTerminal } from "./enums";
import type { Order } from "./order";
import { transition } from "./transitions";

export class OverFill extends Error {
  readonly code = "OVER_FILL";
  constructor(
    readonly orderId: string,
    readonly orderQty: string,
    readonly cumQty: string,
    readonly lastQty: string,
  ) {
    super(`fill of ${lastQty} on order ${orderId} would exceed its quantity ${orderQty} (already filled ${cumQty})`);
    this.name = "OverFill";
  }
}

/**
 * Folds one event into an order. Pure: the same events always give the same order, so
 * replaying the journal rebuilds live state exactly. Throws InvalidStateTransition or OverFill
 * without changing anything.
 */
export function applyOrderEvent(order: Order | undefined, event: OrderEvent): Order {
  if (event.type === "OrderReceived") return { ...event.data.order, lastSeq: event.seq, updatedAt: event.ts };
  if (order === undefined) throw new Error(`event ${event.type} for unknown order ${event.orderId ?? "?"}`);
  const target = transition(order.ordStatus, event.type, order.previousStatus ?? undefined);
  // A working order that took fills while a cancel/replace was pending returns as PartiallyFilled.
  const next = target === "Accepted" && !isZero(order.cumQty) && order.ordStatus !== "Accepted" ? "PartiallyFilled" : target;
  const base: Order = { ...order, ordStatus: next, lastSeq: event.seq, updatedAt: event.ts };
  if (next === "PendingCancel" || next === "PendingReplace") {
    if (order.ordStatus !== next) base.previousStatus = order.ordStatus;
  } else {
    base.previousStatus = null;
  }
  if (isTerminal(next)) base.leavesQty = "0";

  switch (event.type) {
    case "OrderDenied":
      return { ...base, rejectSource: "RISK", rejectReason: `${event.data.code}: ${event.data.reason}` };
    case "OrderRejected":
      return { ...base, rejectSource: event.data.source, rejectReason: event.data.reason };
    case "OrderSubmitted":
      return { ...base, venueId: event.data.venueId, venueOrderId: event.data.venueOrderId };
    case "OrderAccepted":
      return { ...base, venueOrderId: event.data.venueOrderId };
    case "OrderPartiallyFilled":
    case "OrderFilled": {
      const { lastQty, lastPx } = event.data;
      const cumQty = add(order.cumQty, lastQty);
      if (gt(cumQty, order.orderQty)) throw new OverFill(order.orderId, order.orderQty, order.cumQty, lastQty);
      const notional = add(order.notional, mul(lastQty, lastPx));
      const lateFill = order.ordStatus === "Cancelled";
      const leavesQty = isTerminal(next) ? "0" : sub(order.orderQty, cumQty);
      return { ...base, cumQty, leavesQty, notional, avgPx: div(notional, cumQty, 8), lateFill: order.lateFill || lateFill };
    }
    case "OrderStopMoved":
      return { ...base, stopPx: event.data.stopPx };
    case "OrderReplaced": {
      const { orderQty, price, stopPx } = event.data;
      const leavesQty = sub(orderQty, order.cumQty);
      if (!gt(leavesQty, "0") && !isZero(leavesQty)) throw new OverFill(order.orderId, orderQty, order.cumQty, "0");
      return { ...base, orderQty, price, stopPx, leavesQty };
    }
    default:
      return base;
  }
}

/** Folds a sequence of events, in order, into the orders they describe. */
export function replayOrders(events: Iterable<OrderEvent>): Map<string, Order> {
  const orders = new Map<string, Order>();
  for (const event of events) {
    if (event.orderId === null) continue;
    orders.set(event.orderId, applyOrderEvent(orders.get(event.orderId), event));
  }
  return orders;
}
