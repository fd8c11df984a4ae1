import type { Order } from "@fillmore/shared";
import type { LastFill } from "../../lib/order-store";

// The blotter's sort keys, kept apart from the cells (JSX) so the ordering logic is testable alone.

export interface CellContext {
  places: number | undefined;
  isSplitParent: boolean;
  lastFill: LastFill | undefined;
}

const STOP_TYPES = new Set(["Stop", "StopLimit", "TrailingStop"]);

/** A stop the engine holds until its stop price trades: validated, not yet at any venue. */
export function isHeldStop(o: Order): boolean {
  return o.ordStatus === "Validated" && STOP_TYPES.has(o.ordType) && !o.venueId;
}

/** The status shown: "Held" for held stops, the FIX status otherwise. */
export function shownStatus(o: Order): string {
  return isHeldStop(o) ? "Held" : o.ordStatus;
}

const num = (v: string | null) => (v === null ? Number.NEGATIVE_INFINITY : Number(v));

/** A column's sort key: numbers sort numerically, strings by text. */
export type SortKey = (o: Order, ctx: CellContext) => string | number;

/** Sort key per column id (see columns.tsx). */
export const SORT_KEYS = {
  time: (o) => o.createdAt,
  clOrdId: (o) => o.clOrdId,
  account: (o) => o.accountId,
  symbol: (o) => o.symbol,
  side: (o) => o.side,
  type: (o) => o.ordType,
  qty: (o) => num(o.orderQty),
  filled: (o) => num(o.cumQty),
  leaves: (o) => num(o.leavesQty),
  limitPx: (o) => num(o.price),
  avgPx: (o) => num(o.avgPx),
  status: (o) => shownStatus(o),
  venue: (o, c) => o.venueId ?? (c.isSplitParent ? "split" : isHeldStop(o) ? "engine" : ""),
  tif: (o) => o.timeInForce,
  stopPx: (o) => num(o.stopPx),
  lastPx: (_o, c) => num(c.lastFill?.lastPx ?? null),
  lastQty: (_o, c) => num(c.lastFill?.lastQty ?? null),
  strategy: (o) => o.strategy ?? "",
  text: (o) => o.rejectReason ?? "",
  updated: (o) => o.updatedAt,
  orderId: (o) => o.orderId.padStart(16, " "),
} satisfies Record<string, SortKey>;
