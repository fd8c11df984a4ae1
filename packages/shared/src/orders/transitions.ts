import type { OrdStatus } from "./enums";

/** Events that move an order from one state to another. Past tense: they happened. */
export const ORDER_TRANSITION_EVENTS = [
  "OrderValidated",
  "OrderDenied",
  "OrderSubmitted",
  "OrderAccepted",
  "OrderRejected",
  "OrderPartiallyFilled",
  "OrderFilled",
  "OrderPendingCancel",
  "OrderCancelled",
  "OrderCancelRejected",
  "OrderPendingReplace",
  "OrderReplaced",
  "OrderReplaceRejected",
  "OrderExpired",
  "OrderStopMoved",
  "OrderSplit",
] as const;
export type OrderTransitionEvent = (typeof ORDER_TRANSITION_EVENTS)[number];

/** `Previous` means: back to the working state the order had before it went pending. */
export type TransitionTarget = OrdStatus | "Previous";

type Row = readonly [OrdStatus, OrderTransitionEvent, TransitionTarget, string?];

// biome-ignore format: one row per (state, event), as a table
export const TRANSITION_TABLE: readonly Row[] = [
  ["Pending",         "OrderValidated",       "Validated"],
  ["Pending",         "OrderDenied",          "Rejected", "refused by our risk checks"],
  ["Validated",       "OrderSubmitted",       "Submitted"],
  ["Validated",       "OrderSplit",           "Accepted", "working through child orders at several venues"],
  ["Validated",       "OrderDenied",          "Rejected", "no venue could take it"],
  ["Validated",       "OrderCancelled",       "Cancelled", "cancelled before it was sent"],
  ["Validated",       "OrderExpired",         "Expired", "a held stop expired before it triggered"],
  ["Validated",       "OrderStopMoved",       "Validated", "a held trailing stop follows the market"],
  ["Validated",       "OrderReplaced",        "Validated", "a held stop amended in place, nothing at a venue"],
  ["Submitted",       "OrderAccepted",        "Accepted"],
  ["Submitted",       "OrderRejected",        "Rejected"],
  ["Submitted",       "OrderPartiallyFilled", "PartiallyFilled", "venue filled before acknowledging"],
  ["Submitted",       "OrderFilled",          "Filled", "venue filled before acknowledging"],
  ["Submitted",       "OrderPendingCancel",   "PendingCancel"],
  ["Submitted",       "OrderCancelled",       "Cancelled", "IOC/FOK remainder cancelled at once"],
  ["Submitted",       "OrderExpired",         "Expired"],
  ["Accepted",        "OrderPartiallyFilled", "PartiallyFilled"],
  ["Accepted",        "OrderFilled",          "Filled"],
  ["Accepted",        "OrderPendingCancel",   "PendingCancel"],
  ["Accepted",        "OrderPendingReplace",  "PendingReplace"],
  ["Accepted",        "OrderCancelled",       "Cancelled", "unsolicited cancel by the venue"],
  ["Accepted",        "OrderExpired",         "Expired"],
  ["Accepted",        "OrderAccepted",        "Accepted", "venue repeated its acknowledgement"],
  ["PartiallyFilled", "OrderPartiallyFilled", "PartiallyFilled"],
  ["PartiallyFilled", "OrderFilled",          "Filled"],
  ["PartiallyFilled", "OrderPendingCancel",   "PendingCancel"],
  ["PartiallyFilled", "OrderPendingReplace",  "PendingReplace"],
  ["PartiallyFilled", "OrderCancelled",       "Cancelled", "unsolicited cancel of the remainder"],
  ["PartiallyFilled", "OrderExpired",         "Expired"],
  ["PendingCancel",   "OrderCancelled",       "Cancelled"],
  ["PendingCancel",   "OrderCancelRejected",  "Previous"],
  ["PendingCancel",   "OrderPartiallyFilled", "PendingCancel", "fill raced the cancel; cancel still pending"],
  ["PendingCancel",   "OrderFilled",          "Filled", "fill raced the cancel and won"],
  ["PendingCancel",   "OrderAccepted",        "PendingCancel", "late acknowledgement of the original"],
  ["PendingCancel",   "OrderExpired",         "Expired"],
  ["PendingReplace",  "OrderReplaced",        "Previous"],
  ["PendingReplace",  "OrderReplaceRejected", "Previous"],
  ["PendingReplace",  "OrderPartiallyFilled", "PendingReplace", "fill raced the replace"],
  ["PendingReplace",  "OrderFilled",          "Filled", "fill raced the replace and won"],
  ["PendingReplace",  "OrderCancelled",       "Cancelled", "unsolicited cancel by the venue"],
  ["PendingReplace",  "OrderExpired",         "Expired"],
  ["Cancelled",       "OrderPartiallyFilled", "Cancelled", "real world possibility: fill after cancel, booked and flagged"],
  ["Cancelled",       "OrderFilled",          "Cancelled", "real world possibility: fill after cancel, booked and flagged"],
];

const TABLE = new Map<string, TransitionTarget>(TRANSITION_TABLE.map(([from, ev, to]) => [`${from}|${ev}`, to]));

export class InvalidStateTransition extends Error {
  readonly code = "INVALID_STATE_TRANSITION";
  constructor(
    readonly from: OrdStatus,
    readonly event: OrderTransitionEvent,
  ) {
    super(`${event} is not allowed in state ${from}`);
    this.name = "InvalidStateTransition";
  }
}

/** The states an order works in, to which a failed cancel/replace returns. */
export const WORKING_STATUSES: readonly OrdStatus[] = ["Submitted", "Accepted", "PartiallyFilled"];

/**
 * Applies one event to a status through the table. `previous` is the working state
 * held before the order went PendingCancel/PendingReplace.
 */
export function transition(from: OrdStatus, event: OrderTransitionEvent, previous?: OrdStatus): OrdStatus {
  const target = TABLE.get(`${from}|${event}`);
  if (target === undefined) throw new InvalidStateTransition(from, event);
  if (target !== "Previous") return target;
  if (previous === undefined || !WORKING_STATUSES.includes(previous)) throw new InvalidStateTransition(from, event);
  return previous;
}

export function canTransition(from: OrdStatus, event: OrderTransitionEvent): boolean {
  return TABLE.has(`${from}|${event}`);
}
