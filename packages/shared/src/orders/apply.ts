import type { OrderEvent } from "../events";
import { add, type Decimal, div, gt, isZero, lte, mul, sub } from "../money";
import { isTerminal, type OrdStatus } from "./enums";
import type { Order } from "./order";
import { transition } from "./transitions";

/** Kept for callers that still name it: fills beyond the quantity are booked and flagged now, never thrown. */
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

/** Decimal places avgPx carries beyond the finest price on the order. */
export const AVG_PX_EXTRA_PLACES = 4;

/** Decimal places of a decimal string ("10.250" has 3: the venue's own precision counts). */
export function scaleOf(value: Decimal | null | undefined): number {
  if (!value) return 0;
  const point = value.indexOf(".");
  return point < 0 ? 0 : value.length - point - 1;
}

/** notional / cumQty rounded once, half-even, to `places` (no intermediate rounding). */
export function averagePrice(notional: Decimal, cumQty: Decimal, places: number): Decimal {
  return isZero(cumQty) ? "0" : div(notional, cumQty, places);
}

const WORKING: readonly OrdStatus[] = ["Submitted", "Accepted", "PartiallyFilled"];
const AT_VENUE: readonly OrdStatus[] = ["Submitted", "Accepted", "PartiallyFilled", "PendingCancel", "PendingReplace"];

/**
 * Settles the table's target by the order's quantities: a working order with fills is
 * PartiallyFilled and one without Accepted (Submitted stays Submitted); an order at a venue with
 * nothing left (cumQty >= orderQty, after a fill, replace, restatement or correction) is Filled.
 */
function settle(target: OrdStatus, cumQty: Decimal, orderQty: Decimal): OrdStatus {
  let status = target;
  if (WORKING.includes(status)) {
    if (!isZero(cumQty)) status = "PartiallyFilled";
    else if (status === "PartiallyFilled") status = "Accepted";
  }
  if (AT_VENUE.includes(status) && !isZero(cumQty) && lte(orderQty, cumQty)) status = "Filled";
  return status;
}

/** leavesQty: what is left to fill, never negative; nothing for a done order. */
function leaves(status: OrdStatus, orderQty: Decimal, cumQty: Decimal): Decimal {
  if (isTerminal(status)) return "0";
  const left = sub(orderQty, cumQty);
  return gt(left, "0") ? left : "0";
}

/**
 * Folds one event into an order. Pure: the same events always give the same order, so
 * replaying the journal rebuilds live state exactly. Throws InvalidStateTransition without
 * changing anything; every fill the table admits is booked (late and over-fills flagged).
 */
export function applyOrderEvent(order: Order | undefined, event: OrderEvent): Order {
  if (event.type === "OrderReceived") return { ...event.data.order, lastSeq: event.seq, updatedAt: event.ts };
  if (order === undefined) throw new Error(`event ${event.type} for unknown order ${event.orderId ?? "?"}`);
  const target = transition(order.ordStatus, event.type, order.previousStatus ?? undefined);

  // Quantities after the event, before the state is settled by them.
  let { orderQty, cumQty, notional, price, stopPx } = order;
  let pxScale = order.pxScale;
  const extra: Partial<Order> = {};
  switch (event.type) {
    case "OrderDenied":
      extra.rejectSource = "RISK";
      extra.rejectReason = `${event.data.code}: ${event.data.reason}`;
      break;
    case "OrderRejected":
      extra.rejectSource = event.data.source;
      extra.rejectReason = event.data.reason;
      break;
    case "OrderSubmitted":
      extra.venueId = event.data.venueId;
      extra.venueOrderId = event.data.venueOrderId;
      if (order.triggerDenied) extra.triggerDenied = null;
      break;
    case "OrderAccepted":
      extra.venueOrderId = event.data.venueOrderId;
      break;
    case "OrderTriggerDenied":
      extra.triggerDenied = `${event.data.code}: ${event.data.reason}`;
      break;
    case "OrderPartiallyFilled":
    case "OrderFilled": {
      const { lastQty, lastPx } = event.data;
      cumQty = add(cumQty, lastQty);
      notional = add(notional, mul(lastQty, lastPx));
      pxScale = Math.max(pxScale ?? Math.max(scaleOf(order.price), scaleOf(order.stopPx)), scaleOf(lastPx));
      if (isTerminal(order.ordStatus) && order.ordStatus !== "Filled") extra.lateFill = true;
      break;
    }
    case "OrderTradeBusted": {
      const { lastQty, lastPx } = event.data;
      cumQty = sub(cumQty, lastQty);
      notional = sub(notional, mul(lastQty, lastPx));
      break;
    }
    case "OrderTradeCorrected": {
      const { oldQty, oldPx, lastQty, lastPx } = event.data;
      cumQty = add(sub(cumQty, oldQty), lastQty);
      notional = add(sub(notional, mul(oldQty, oldPx)), mul(lastQty, lastPx));
      pxScale = Math.max(pxScale ?? 0, scaleOf(lastPx));
      break;
    }
    case "OrderStopMoved":
      stopPx = event.data.stopPx;
      break;
    case "OrderReplaced":
      ({ orderQty, price, stopPx } = event.data);
      break;
    case "OrderRestated":
      ({ orderQty, price } = event.data);
      break;
    default:
      break;
  }

  const next = settle(target, cumQty, orderQty);
  const result: Order = {
    ...order,
    ...extra,
    ordStatus: next,
    orderQty,
    price,
    stopPx,
    cumQty,
    notional,
    leavesQty: leaves(next, orderQty, cumQty),
    lastSeq: event.seq,
    updatedAt: event.ts,
  };
  if (pxScale !== undefined) result.pxScale = pxScale;
  if (cumQty !== order.cumQty || notional !== order.notional)
    result.avgPx = averagePrice(notional, cumQty, (pxScale ?? 0) + AVG_PX_EXTRA_PLACES);
  if (gt(cumQty, orderQty)) result.overFill = true;
  // Pending keeps the working state to return to; going from one pending state to another keeps it too.
  if (next === "PendingCancel" || next === "PendingReplace") {
    if (order.ordStatus !== "PendingCancel" && order.ordStatus !== "PendingReplace") result.previousStatus = order.ordStatus;
  } else {
    result.previousStatus = null;
  }
  return result;
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
