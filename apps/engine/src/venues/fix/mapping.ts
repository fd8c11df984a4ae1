import { type Decimal, money } from "@fillmore/shared";
import type { VenueReport } from "../adapter";
import { FixFieldError, type FixMessage, SessionRejectReason, Tag } from "./codec";

/**
 * The one place where FIX execution states become ours. Every ExecType of FIX 4.2 and 4.4, and
 * every OrdStatus, has a row; the adapter only follows these tables.
 */
export type ExecAction =
  /** the order is working at the venue */
  | "accepted"
  /** LastQty @ LastPx traded */
  | "fill"
  | "cancelled"
  | "replaced"
  | "rejected"
  | "expired"
  /** the venue changed quantity and/or price on its own (ExecType D) */
  | "restated"
  /** an execution we had is busted: ExecType H (4.4), ExecTransType 1 Cancel (4.2); ExecRefID names it */
  | "tradeBusted"
  /** an execution we had is corrected: ExecType G (4.4), ExecTransType 2 Correct (4.2) */
  | "tradeCorrected"
  /** an answer to OrderStatusRequest: state only, no new event */
  | "status"
  /** pending states and notices that change nothing for us */
  | "none";

type Version = "FIX.4.2" | "FIX.4.4";

// biome-ignore format: one row per ExecType, as a table
export const EXEC_TYPES: Record<Version, Record<string, ExecAction>> = {
  "FIX.4.2": {
    "0": "accepted",   // New
    "1": "fill",       // Partial fill
    "2": "fill",       // Fill
    "3": "none",       // Done for day
    "4": "cancelled",  // Canceled
    "5": "replaced",   // Replace
    "6": "none",       // Pending Cancel
    "7": "none",       // Stopped
    "8": "rejected",   // Rejected
    "9": "none",       // Suspended
    A: "none",         // Pending New
    B: "none",         // Calculated
    C: "expired",      // Expired
    D: "restated",     // Restated
    E: "none",         // Pending Replace
  },
  "FIX.4.4": {
    "0": "accepted",   // New
    "3": "none",       // Done for day
    "4": "cancelled",  // Canceled
    "5": "replaced",   // Replaced
    "6": "none",       // Pending Cancel
    "7": "none",       // Stopped
    "8": "rejected",   // Rejected
    "9": "none",       // Suspended
    A: "none",         // Pending New
    B: "none",         // Calculated
    C: "expired",      // Expired
    D: "restated",     // Restated
    E: "none",         // Pending Replace
    F: "fill",         // Trade
    G: "tradeCorrected", // Trade Correct
    H: "tradeBusted",  // Trade Cancel
    I: "status",       // Order Status
  },
};

/** FIX 4.2 says busts, corrections and status answers with ExecTransType (20), whatever ExecType says. */
// biome-ignore format: one row per ExecTransType, as a table
export const EXEC_TRANS_TYPES_42: Record<string, ExecAction | null> = {
  "0": null,             // New: ExecType decides
  "1": "tradeBusted",    // Cancel
  "2": "tradeCorrected", // Correct
  "3": "status",         // Status
};

export type VenueState = "working" | "filled" | "cancelled" | "rejected" | "expired";

// biome-ignore format: one row per OrdStatus, as a table
export const ORD_STATUSES: Record<string, VenueState> = {
  "0": "working",   // New
  "1": "working",   // Partially filled
  "2": "filled",    // Filled
  "3": "working",   // Done for day (may resume next day)
  "4": "cancelled", // Canceled
  "5": "working",   // Replaced (4.2)
  "6": "working",   // Pending Cancel
  "7": "working",   // Stopped
  "8": "rejected",  // Rejected
  "9": "working",   // Suspended
  A: "working",     // Pending New
  B: "filled",      // Calculated
  C: "expired",     // Expired: done by its time in force, not cancelled
  D: "working",     // Accepted for bidding
  E: "working",     // Pending Replace
};

/** An ExecutionReport read into the fields we use, whatever its FIX version. */
export interface ExecReport {
  clOrdId: string;
  origClOrdId: string | null;
  venueOrderId: string;
  execId: string;
  /** ExecRefID (19): the execution a bust or correction is about. */
  execRefId: string | null;
  action: ExecAction;
  /** What OrdStatus says about the order as a whole, if it says anything we know. */
  state: VenueState | null;
  lastQty: Decimal;
  lastPx: Decimal;
  cumQty: Decimal | null;
  leavesQty: Decimal | null;
  avgPx: Decimal | null;
  orderQty: Decimal | null;
  price: Decimal | null;
  stopPx: Decimal | null;
  text: string | null;
  /** Commission(12) as an amount for this execution, per CommType(13), in CommCurrency(479) / Currency(15) / USD. */
  commission: { amount: Decimal; currency: string } | null;
}

/** CommType(13), FIX 4.2/4.4: "1" per unit, "2" percent, "3" absolute (the default when absent). */
const COMM_TYPE_TAG = 13;
const CURRENCY_TAG = 15;
const COMM_CURRENCY_TAG = 479;

/** Commission(12) turned into this execution's amount; null when the venue sent none. */
function commissionOf(m: FixMessage, d: Map<number, Decimal>): { amount: Decimal; currency: string } | null {
  const commission = d.get(Tag.Commission);
  if (commission === undefined) return null;
  const lastQty = d.get(Tag.LastQty) ?? "0";
  const lastPx = d.get(Tag.LastPx) ?? "0";
  const type = m.get(COMM_TYPE_TAG) ?? "3";
  const amount =
    type === "1"
      ? money.mul(commission, lastQty)
      : type === "2"
        ? money.mul(money.mul(money.mul(lastQty, lastPx), commission), "0.01")
        : commission;
  const currency = m.get(COMM_CURRENCY_TAG) || m.get(CURRENCY_TAG) || "USD";
  return { amount: money.normalize(amount), currency };
}

/** Every decimal field of an ExecutionReport we may see: each is read exactly or the message is refused. */
const DECIMAL_TAGS = [
  Tag.AvgPx,
  Tag.Commission,
  Tag.CumQty,
  Tag.LastPx,
  Tag.LastQty,
  Tag.OrderQty,
  Tag.Price,
  Tag.StopPx,
  Tag.MinQty,
  Tag.MaxFloor,
  Tag.GrossTradeAmt,
  Tag.DayOrderQty,
  Tag.DayCumQty,
  Tag.DayAvgPx,
  Tag.LeavesQty,
] as const;
/** Quantities: never negative (prices may be). */
const QUANTITY_TAGS = new Set<number>([Tag.CumQty, Tag.LastQty, Tag.OrderQty, Tag.LeavesQty, Tag.MinQty, Tag.MaxFloor]);

/**
 * The decimals of a message, exactly as the wire has them (never through a binary float). A tag
 * present with no value, a value that is not a FIX float, or a negative quantity throws
 * FixFieldError naming the tag, so the session refuses the whole message.
 */
export function readDecimals(m: FixMessage, tags: readonly number[] = DECIMAL_TAGS): Map<number, Decimal> {
  const out = new Map<number, Decimal>();
  for (const tag of tags) {
    const text = m.get(tag);
    if (text === undefined) continue;
    let value: Decimal;
    try {
      value = money.parseWireDecimal(text);
    } catch (error) {
      if (!(error instanceof money.WireDecimalError)) throw error;
      if (error.why === "empty") throw new FixFieldError(tag, SessionRejectReason.TagWithoutValue, `tag ${tag} has no value`);
      if (error.why === "range") throw new FixFieldError(tag, SessionRejectReason.ValueIncorrect, `tag ${tag}: ${error.message}`);
      throw new FixFieldError(tag, SessionRejectReason.IncorrectDataFormat, `tag ${tag}: ${error.message}`);
    }
    if (QUANTITY_TAGS.has(tag) && value.startsWith("-"))
      throw new FixFieldError(tag, SessionRejectReason.ValueIncorrect, `tag ${tag}: a quantity cannot be negative (${text})`);
    out.set(tag, value);
  }
  return out;
}

function required(m: FixMessage, tag: number, why: string): string {
  const value = m.get(tag);
  if (value === undefined || value === "")
    throw new FixFieldError(
      tag,
      value === undefined ? SessionRejectReason.RequiredTagMissing : SessionRejectReason.TagWithoutValue,
      `tag ${tag} is required ${why}`,
    );
  return value;
}

export function readExecutionReport(version: Version, m: FixMessage): ExecReport {
  const execType = m.get(Tag.ExecType) ?? "";
  let action: ExecAction = EXEC_TYPES[version][execType] ?? "none";
  if (version === "FIX.4.2") action = EXEC_TRANS_TYPES_42[m.get(Tag.ExecTransType) ?? "0"] ?? action;
  const d = readDecimals(m);
  let orderQty = d.get(Tag.OrderQty) ?? null;
  const cumQty = d.get(Tag.CumQty) ?? null;
  const leavesQty = d.get(Tag.LeavesQty) ?? null;
  let execRefId: string | null = m.get(Tag.ExecRefID) ?? null;
  if (action === "tradeBusted" || action === "tradeCorrected") execRefId = required(m, Tag.ExecRefID, "in a trade bust or correction");
  if (action === "tradeCorrected") {
    required(m, Tag.LastQty, "in a trade correction");
    required(m, Tag.LastPx, "in a trade correction");
  }
  if (action === "restated" && orderQty === null) {
    // OrderQty = CumQty + LeavesQty for an order the venue still holds.
    if (cumQty === null || leavesQty === null) required(m, Tag.OrderQty, "in a restatement");
    else orderQty = money.add(cumQty, leavesQty);
  }
  return {
    clOrdId: m.get(Tag.ClOrdID) ?? "",
    origClOrdId: m.get(Tag.OrigClOrdID) ?? null,
    venueOrderId: m.get(Tag.OrderID) ?? "",
    execId: m.get(Tag.ExecID) ?? "",
    execRefId,
    action,
    state: ORD_STATUSES[m.get(Tag.OrdStatus) ?? ""] ?? null,
    lastQty: d.get(Tag.LastQty) ?? "0",
    lastPx: d.get(Tag.LastPx) ?? "0",
    cumQty,
    leavesQty,
    avgPx: d.get(Tag.AvgPx) ?? null,
    orderQty,
    price: d.get(Tag.Price) ?? null,
    stopPx: d.get(Tag.StopPx) ?? null,
    text: m.get(Tag.Text) ?? null,
    commission: commissionOf(m, d),
  };
}

/** The exec key (see fix-venue) of the execution a bust or correction names, as the report's own ClOrdID would give it. */
export const refExecKeyOf = (er: ExecReport): string => `${er.clOrdId}/${er.execRefId ?? ""}`;

/**
 * The report our engine gets for one ExecutionReport, or null when it changes nothing.
 * `execKey` names the execution uniquely (fills carry it as their exec id); `refExecKey` names the
 * execution a bust or correction is about, in the same form.
 */
export function toVenueReport(er: ExecReport, orderId: string, execKey: string, refExecKey = refExecKeyOf(er)): VenueReport | null {
  switch (er.action) {
    case "accepted":
      return { kind: "accepted", orderId, venueOrderId: er.venueOrderId };
    case "fill":
      if (!money.isPositive(er.lastQty)) return null;
      return {
        kind: "fill",
        orderId,
        execId: execKey,
        lastQty: er.lastQty,
        lastPx: er.lastPx,
        ...(er.commission ? { commission: er.commission } : {}),
      };
    case "cancelled":
      return { kind: "cancelled", orderId, reason: er.text ?? "cancelled at the venue" };
    case "replaced":
      return { kind: "replaced", orderId, orderQty: er.orderQty ?? "0", price: er.price, stopPx: er.stopPx };
    case "rejected":
      return { kind: "rejected", orderId, reason: er.text ?? "rejected by the venue" };
    case "expired":
      return { kind: "expired", orderId, reason: er.text ?? "expired at the venue" };
    case "restated":
      return { kind: "restated", orderId, orderQty: er.orderQty ?? "0", price: er.price, reason: er.text ?? "restated by the venue" };
    case "tradeBusted":
      return { kind: "tradeBusted", orderId, refExecId: refExecKey, reason: er.text ?? "trade cancelled (busted) by the venue" };
    case "tradeCorrected":
      return {
        kind: "tradeCorrected",
        orderId,
        refExecId: refExecKey,
        execId: execKey,
        lastQty: er.lastQty,
        lastPx: er.lastPx,
        reason: er.text ?? "trade corrected by the venue",
      };
    default:
      return null;
  }
}

/** A refusal of one of our messages (session Reject 35=3, BusinessMessageReject 35=j, OrderCancelReject 35=9). */
export function refusalReport(refMsgType: string, orderId: string, reason: string): VenueReport | null {
  switch (refMsgType) {
    case "D":
      return { kind: "rejected", orderId, reason };
    case "F":
      return { kind: "cancelRejected", orderId, reason };
    case "G":
      return { kind: "replaceRejected", orderId, reason };
    default:
      return null;
  }
}

/** Our state from a session Reject's fields: RefTagID, SessionRejectReason, Text. */
export function rejectReason(m: FixMessage): string {
  const parts = [
    m.msgType === "3" ? "session reject" : m.msgType === "j" ? "business reject" : "cancel reject",
    m.get(Tag.SessionRejectReason) && `reason ${m.get(Tag.SessionRejectReason)}`,
    m.get(Tag.BusinessRejectReason) && `reason ${m.get(Tag.BusinessRejectReason)}`,
    m.get(Tag.CxlRejReason) && `reason ${m.get(Tag.CxlRejReason)}`,
    m.get(Tag.RefTagID) && `tag ${m.get(Tag.RefTagID)}`,
    m.get(Tag.Text),
  ].filter(Boolean);
  return parts.join(": ");
}
