import { normalize } from "../money";
import type { Order } from "./order";
import type { SubmitOrder } from "./schemas";

const orNull = (value: string | undefined) => (value === undefined ? null : normalize(value));

/** The order as received: Pending, nothing filled, decimals in canonical form. */
export function newOrder(input: SubmitOrder, ids: { orderId: string; clOrdId: string; actor: string; now: string }): Order {
  return {
    orderId: ids.orderId,
    clOrdId: ids.clOrdId,
    accountId: input.accountId,
    symbol: input.symbol,
    side: input.side,
    ordType: input.ordType,
    timeInForce: input.timeInForce,
    orderQty: normalize(input.orderQty),
    price: orNull(input.price),
    stopPx: orNull(input.stopPx),
    trailAmount: orNull(input.trailAmount),
    trailPercent: orNull(input.trailPercent),
    expireTime: input.expireTime ?? null,
    ordStatus: "Pending",
    previousStatus: null,
    cumQty: "0",
    leavesQty: normalize(input.orderQty),
    avgPx: "0",
    notional: "0",
    requestedVenueId: input.venueId ?? null,
    venueId: null,
    venueOrderId: null,
    parentId: null,
    strategy: input.strategy ?? null,
    createdBy: ids.actor,
    rejectSource: null,
    rejectReason: null,
    lateFill: false,
    createdAt: ids.now,
    updatedAt: ids.now,
    lastSeq: 0,
  };
}

/**
 * Another order's fields, with `changes`, as a fresh unsent order: Pending, nothing filled, no venue.
 * For orders the engine makes itself (a split's children) or takes back from a venue after a crash.
 */
export function asReceived(order: Order, changes: Partial<Order> = {}): Order {
  const merged = { ...order, ...changes };
  return {
    ...merged,
    ordStatus: "Pending",
    previousStatus: null,
    cumQty: "0",
    leavesQty: merged.orderQty,
    avgPx: "0",
    notional: "0",
    venueId: null,
    venueOrderId: null,
    rejectSource: null,
    rejectReason: null,
    lateFill: false,
    lastSeq: 0,
  };
}
