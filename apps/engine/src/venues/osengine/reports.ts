import { type Decimal, money } from "@fillmore/shared";
import type { VenueFill, VenueReport } from "../adapter";

/**
 * The one place where what OsEngine showed us becomes a Fillmore venue report.
 *
 * OsEngine has no order or execution reports (§4): an open/close call returns a submission
 * snapshot (OSE-30) and the truth is in the tab's positions and journal. Each of our orders is
 * one action on one position: "open" creates it, "close" reduces it. Fills are derived from the
 * position's volume and average price, with exec ids built from the position number and the
 * cumulative volume, so reading the same position twice never books a fill twice.
 */

/** A position as read from `bot_position_get_open` and `bot_journal_get_*_positions`. */
export interface PositionView {
  number: number;
  /** Long/Short (journal) or Buy/Sell (position tools), normalised. */
  direction: "long" | "short" | "none";
  /** OsEngine PositionStateType: Opening, Open, Closing, Done, OpeningFail, ClosingFail, … */
  state: string;
  openVolume: Decimal;
  /** Largest volume the position reached (journal `volume`), when known. */
  volume: Decimal | null;
  entryPrice: Decimal;
  closePrice: Decimal | null;
  /** Found among the journal's closed positions. */
  closed: boolean;
}

export interface TrackedOrder {
  orderId: string;
  action: "open" | "close";
  orderQty: Decimal;
  botName: string;
  positionNumber: number | null;
  /** For a close: the position's open volume before our call. */
  baseline: Decimal;
  cumQty: Decimal;
  notional: Decimal;
  fills: VenueFill[];
  state: "sending" | "unknown" | "working" | "filled" | "rejected" | "notSent";
  reason: string | null;
}

export type Observation =
  /** The terminal refused the call (tool error, gate error, or our own refusal). */
  | { kind: "refused"; reason: string }
  /** The call answered (or a timed-out call was found in the tab) for this position. */
  | { kind: "submitted"; positionNumber: number }
  /** A later read of the order's position. */
  | { kind: "position"; view: PositionView };

const FAILED_STATES = new Set(["OpeningFail", "ClosingFail", "Deleted"]);

export function newTracked(orderId: string, action: TrackedOrder["action"], orderQty: Decimal, botName: string): TrackedOrder {
  return {
    orderId,
    action,
    orderQty,
    botName,
    positionNumber: null,
    baseline: "0",
    cumQty: "0",
    notional: "0",
    fills: [],
    state: "sending",
    reason: null,
  };
}

/** How much of the order the position shows as done, and at what average price (null: not yet priced). */
function executed(t: TrackedOrder, v: PositionView): { qty: Decimal; avgPx: Decimal | null } {
  if (t.action === "open") {
    const reached = v.volume !== null && money.gt(v.volume, v.openVolume) ? v.volume : v.openVolume;
    return { qty: money.min(reached, t.orderQty), avgPx: money.isPositive(v.entryPrice) ? v.entryPrice : null };
  }
  const remaining = v.closed || v.state === "Done" ? "0" : v.openVolume;
  const reduced = money.sub(t.baseline, remaining);
  const qty = money.isPositive(reduced) ? money.min(reduced, t.orderQty) : "0";
  return { qty, avgPx: v.closePrice !== null && money.isPositive(v.closePrice) ? v.closePrice : null };
}

/** Applies one observation to the tracked order and returns the reports it produces, in order. */
export function reportsFor(t: TrackedOrder, obs: Observation): VenueReport[] {
  if (t.state === "rejected" || t.state === "filled") return [];
  switch (obs.kind) {
    case "refused":
      if (t.state === "working") return []; // already accepted: a later refusal of a read changes nothing
      t.state = "rejected";
      t.reason = obs.reason;
      return [{ kind: "rejected", orderId: t.orderId, reason: obs.reason }];
    case "submitted":
      if (t.state === "working") return [];
      t.state = "working";
      t.positionNumber = obs.positionNumber;
      return [{ kind: "accepted", orderId: t.orderId, venueOrderId: `${t.botName}#${obs.positionNumber}` }];
    case "position": {
      const v = obs.view;
      if (t.state !== "working" || v.number !== t.positionNumber) return [];
      const done = executed(t, v);
      const reports: VenueReport[] = [];
      const delta = money.sub(done.qty, t.cumQty);
      if (money.isPositive(delta) && done.avgPx !== null) {
        // The increment's price: what makes the running notional match qty × average price.
        const target = money.mul(done.qty, done.avgPx);
        let lastPx = money.normalize(money.div(money.sub(target, t.notional), delta, 10));
        if (!money.isPositive(lastPx)) lastPx = done.avgPx;
        const fill: VenueFill = { execId: `${t.botName}#${v.number}:${t.action}:${money.normalize(done.qty)}`, lastQty: delta, lastPx };
        t.cumQty = done.qty;
        t.notional = money.add(t.notional, money.mul(delta, lastPx));
        t.fills.push(fill);
        reports.push({ kind: "fill", orderId: t.orderId, ...fill });
        if (money.gte(t.cumQty, t.orderQty)) t.state = "filled";
      } else if (!money.isPositive(t.cumQty) && FAILED_STATES.has(v.state)) {
        t.state = "rejected";
        t.reason = `position ${v.number} ended ${v.state} in OsEngine without any volume`;
        reports.push({ kind: "rejected", orderId: t.orderId, reason: t.reason });
      }
      return reports;
    }
  }
}
