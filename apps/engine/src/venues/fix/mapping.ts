import type { Decimal } from "@fillmore/shared";
import type { VenueReport } from "../adapter";
import { type FixMessage, Tag } from "./codec";

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
  /** an answer to OrderStatusRequest: state only, no new event */
  | "status"
  /** pending states and notices that change nothing for us */
  | "none"
  /** trade busts and corrections: not applied automatically, surfaced in the log */
  | "correction";

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
    D: "none",         // Restated
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
    D: "none",         // Restated
    E: "none",         // Pending Replace
    F: "fill",         // Trade
    G: "correction",   // Trade Correct
    H: "correction",   // Trade Cancel
    I: "status",       // Order Status
  },
};

export type VenueState = "working" | "filled" | "cancelled" | "rejected";

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
  C: "cancelled",   // Expired
  D: "working",     // Accepted for bidding
  E: "working",     // Pending Replace
};

/** An ExecutionReport read into the fields we use, whatever its FIX version. */
export interface ExecReport {
  clOrdId: string;
  origClOrdId: string | null;
  venueOrderId: string;
  execId: string;
  action: ExecAction;
  /** What OrdStatus says about the order as a whole, if it says anything we know. */
  state: VenueState | null;
  lastQty: Decimal;
  lastPx: Decimal;
  cumQty: Decimal | null;
  avgPx: Decimal | null;
  orderQty: Decimal | null;
  price: Decimal | null;
  stopPx: Decimal | null;
  text: string | null;
}

const dec = (value: string | undefined): Decimal | null => (value === undefined || value === "" ? null : String(Number(value)));

export function readExecutionReport(version: Version, m: FixMessage): ExecReport {
  const execType = m.get(Tag.ExecType) ?? "";
  let action: ExecAction = EXEC_TYPES[version][execType] ?? "none";
  // FIX 4.2 says busts, corrections and status answers with ExecTransType.
  const transType = m.get(Tag.ExecTransType);
  if (version === "FIX.4.2" && (transType === "1" || transType === "2")) action = "correction";
  if (version === "FIX.4.2" && transType === "3") action = "status";
  return {
    clOrdId: m.get(Tag.ClOrdID) ?? "",
    origClOrdId: m.get(Tag.OrigClOrdID) ?? null,
    venueOrderId: m.get(Tag.OrderID) ?? "",
    execId: m.get(Tag.ExecID) ?? "",
    action,
    state: ORD_STATUSES[m.get(Tag.OrdStatus) ?? ""] ?? null,
    lastQty: dec(m.get(Tag.LastQty)) ?? "0",
    lastPx: dec(m.get(Tag.LastPx)) ?? "0",
    cumQty: dec(m.get(Tag.CumQty)),
    avgPx: dec(m.get(Tag.AvgPx)),
    orderQty: dec(m.get(Tag.OrderQty)),
    price: dec(m.get(Tag.Price)),
    stopPx: dec(m.get(Tag.StopPx)),
    text: m.get(Tag.Text) ?? null,
  };
}

/**
 * The report our engine gets for one ExecutionReport, or null when it changes nothing.
 * `execKey` names the execution uniquely (fills carry it as their exec id).
 */
export function toVenueReport(er: ExecReport, orderId: string, execKey: string): VenueReport | null {
  switch (er.action) {
    case "accepted":
      return { kind: "accepted", orderId, venueOrderId: er.venueOrderId };
    case "fill":
      return Number(er.lastQty) > 0 ? { kind: "fill", orderId, execId: execKey, lastQty: er.lastQty, lastPx: er.lastPx } : null;
    case "cancelled":
      return { kind: "cancelled", orderId, reason: er.text ?? "cancelled at the venue" };
    case "replaced":
      return { kind: "replaced", orderId, orderQty: er.orderQty ?? "0", price: er.price, stopPx: er.stopPx };
    case "rejected":
      return { kind: "rejected", orderId, reason: er.text ?? "rejected by the venue" };
    case "expired":
      return { kind: "expired", orderId, reason: er.text ?? "expired at the venue" };
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
