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
  "OrderTradeBusted",
  "OrderTradeCorrected",
  "OrderRestated",
  "OrderTriggerDenied",
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
  ["Validated",       "OrderDenied",          "Rejected", "no venue could take it, or risk refused a triggered stop for good"],
  ["Validated",       "OrderTriggerDenied",   "Validated", "a triggered stop risk refused for now (halt, reducing, rate): stays held"],
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
  ["Submitted",       "OrderRestated",        "Submitted", "venue changed the order on its own (ExecType D)"],
  ["Accepted",        "OrderPartiallyFilled", "PartiallyFilled"],
  ["Accepted",        "OrderFilled",          "Filled"],
  ["Accepted",        "OrderPendingCancel",   "PendingCancel"],
  ["Accepted",        "OrderPendingReplace",  "PendingReplace"],
  ["Accepted",        "OrderCancelled",       "Cancelled", "unsolicited cancel by the venue"],
  ["Accepted",        "OrderExpired",         "Expired"],
  ["Accepted",        "OrderAccepted",        "Accepted", "venue repeated its acknowledgement"],
  ["Accepted",        "OrderRejected",        "Rejected", "venue rejected the order after acknowledging it (ExecType 8)"],
  ["Accepted",        "OrderRestated",        "Accepted", "venue changed the order on its own (ExecType D)"],
  ["Accepted",        "OrderReplaced",        "Accepted", "a replace confirm after the order left PendingReplace (a fill, then a bust): the venue's quantity holds"],
  ["PartiallyFilled", "OrderPartiallyFilled", "PartiallyFilled"],
  ["PartiallyFilled", "OrderFilled",          "Filled"],
  ["PartiallyFilled", "OrderPendingCancel",   "PendingCancel"],
  ["PartiallyFilled", "OrderPendingReplace",  "PendingReplace"],
  ["PartiallyFilled", "OrderCancelled",       "Cancelled", "unsolicited cancel of the remainder"],
  ["PartiallyFilled", "OrderExpired",         "Expired"],
  ["PartiallyFilled", "OrderAccepted",        "PartiallyFilled", "acknowledgement arrived after the first fill"],
  ["PartiallyFilled", "OrderRejected",        "Rejected", "venue rejected the remainder after acknowledging it; fills stay booked"],
  ["PartiallyFilled", "OrderRestated",        "PartiallyFilled", "venue changed the order on its own (ExecType D)"],
  ["PartiallyFilled", "OrderReplaced",        "PartiallyFilled", "a replace confirm after the order left PendingReplace: the venue's quantity holds"],
  ["PartiallyFilled", "OrderTradeBusted",     "PartiallyFilled", "a fill is busted (Accepted again if none is left)"],
  ["PartiallyFilled", "OrderTradeCorrected",  "PartiallyFilled", "a fill's quantity or price is corrected"],
  ["PendingCancel",   "OrderCancelled",       "Cancelled"],
  ["PendingCancel",   "OrderCancelRejected",  "Previous"],
  ["PendingCancel",   "OrderPartiallyFilled", "PendingCancel", "fill raced the cancel; cancel still pending"],
  ["PendingCancel",   "OrderFilled",          "Filled", "fill raced the cancel and won"],
  ["PendingCancel",   "OrderAccepted",        "PendingCancel", "late acknowledgement of the original"],
  ["PendingCancel",   "OrderExpired",         "Expired"],
  ["PendingCancel",   "OrderRejected",        "Rejected", "venue rejected the order (ExecType 8) while our cancel was on its way"],
  ["PendingCancel",   "OrderReplaced",        "PendingCancel", "a replace sent before the cancel was confirmed; cancel still pending"],
  ["PendingCancel",   "OrderReplaceRejected", "PendingCancel", "a replace sent before the cancel was refused; cancel still pending"],
  ["PendingCancel",   "OrderRestated",        "PendingCancel", "venue changed the order on its own (ExecType D)"],
  ["PendingCancel",   "OrderTradeBusted",     "PendingCancel", "a fill is busted; cancel still pending"],
  ["PendingCancel",   "OrderTradeCorrected",  "PendingCancel", "a fill is corrected; cancel still pending"],
  ["PendingReplace",  "OrderReplaced",        "Previous", "Filled instead when the confirmed quantity leaves nothing"],
  ["PendingReplace",  "OrderReplaceRejected", "Previous"],
  ["PendingReplace",  "OrderPartiallyFilled", "PendingReplace", "fill raced the replace"],
  ["PendingReplace",  "OrderFilled",          "Filled", "fill raced the replace and won"],
  ["PendingReplace",  "OrderCancelled",       "Cancelled", "unsolicited cancel by the venue"],
  ["PendingReplace",  "OrderExpired",         "Expired"],
  ["PendingReplace",  "OrderAccepted",        "PendingReplace", "late acknowledgement of the original"],
  ["PendingReplace",  "OrderPendingCancel",   "PendingCancel", "cancel while a replace is pending (FIX allows it)"],
  ["PendingReplace",  "OrderRejected",        "Rejected", "ExecType 8 rejects the order itself; a refused replace is OrderReplaceRejected"],
  ["PendingReplace",  "OrderRestated",        "PendingReplace", "venue changed the order on its own (ExecType D)"],
  ["PendingReplace",  "OrderTradeBusted",     "PendingReplace", "a fill is busted; replace still pending"],
  ["PendingReplace",  "OrderTradeCorrected",  "PendingReplace", "a fill is corrected; replace still pending"],
  ["Filled",          "OrderPartiallyFilled", "Filled", "over-fill: booked, flagged and alerted"],
  ["Filled",          "OrderFilled",          "Filled", "over-fill: booked, flagged and alerted"],
  ["Filled",          "OrderTradeBusted",     "PartiallyFilled", "the bust reopens it (Accepted if no fill is left; Filled if still full)"],
  ["Filled",          "OrderTradeCorrected",  "PartiallyFilled", "as a bust: reopened only if the correction leaves something"],
  ["Filled",          "OrderReplaced",        "PartiallyFilled", "a replace confirm delivered after the fill: reopened if the venue's new quantity leaves something"],
  ["Filled",          "OrderRestated",        "PartiallyFilled", "a restatement delivered after the fill: reopened if the venue's new quantity leaves something"],
  ["Filled",          "OrderCancelRejected",  "Filled", "the venue refused our cancel because it had filled"],
  ["Filled",          "OrderReplaceRejected", "Filled", "the venue refused our replace because it had filled"],
  ["Cancelled",       "OrderPartiallyFilled", "Cancelled", "real world possibility: fill after cancel, booked and flagged"],
  ["Cancelled",       "OrderFilled",          "Cancelled", "real world possibility: fill after cancel, booked and flagged"],
  ["Cancelled",       "OrderTradeBusted",     "Cancelled", "done for another reason: stays done"],
  ["Cancelled",       "OrderTradeCorrected",  "Cancelled", "done for another reason: stays done"],
  ["Expired",         "OrderPartiallyFilled", "Expired", "fill after expiry, booked and flagged late"],
  ["Expired",         "OrderFilled",          "Expired", "fill after expiry, booked and flagged late"],
  ["Expired",         "OrderTradeBusted",     "Expired", "done for another reason: stays done"],
  ["Expired",         "OrderTradeCorrected",  "Expired", "done for another reason: stays done"],
  ["Rejected",        "OrderPartiallyFilled", "Rejected", "fill after a reject (it raced the reject), booked and flagged late"],
  ["Rejected",        "OrderFilled",          "Rejected", "fill after a reject (it raced the reject), booked and flagged late"],
  ["Rejected",        "OrderTradeBusted",     "Rejected", "done for another reason: stays done"],
  ["Rejected",        "OrderTradeCorrected",  "Rejected", "done for another reason: stays done"],
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

/**
 * The states an order works in, to which a failed cancel/replace returns. `applyOrderEvent` then
 * settles the result by the order's quantities: a working order with fills is PartiallyFilled, one
 * without is Accepted (or Submitted if never acknowledged), and any order past Submitted with
 * nothing left (cumQty >= orderQty) is Filled: an order's leaves are never negative, and an order
 * with nothing left is done.
 */
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
