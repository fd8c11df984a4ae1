import type { Decimal } from "../money";
import type { OrdStatus, OrdType, RejectSource, Side, TimeInForce } from "./enums";

/** An order as the engine holds it and every client sees it. FIX names, decimal strings, ISO times. */
export interface Order {
  orderId: string;
  clOrdId: string;
  accountId: string;
  symbol: string;
  side: Side;
  ordType: OrdType;
  timeInForce: TimeInForce;
  orderQty: Decimal;
  price: Decimal | null;
  stopPx: Decimal | null;
  trailAmount: Decimal | null;
  trailPercent: Decimal | null;
  expireTime: string | null;
  ordStatus: OrdStatus;
  /** Working state held while PendingCancel/PendingReplace, restored if the venue refuses. */
  previousStatus: OrdStatus | null;
  cumQty: Decimal;
  leavesQty: Decimal;
  avgPx: Decimal;
  /** Sum of lastQty × lastPx over all fills, exact; avgPx is derived from it. */
  notional: Decimal;
  /** The venue the order was directed to (FIX ExDestination), if any; the router picks otherwise. */
  requestedVenueId: string | null;
  venueId: string | null;
  venueOrderId: string | null;
  /** For a child order of a split: the client's order it is part of. */
  parentId: string | null;
  strategy: string | null;
  createdBy: string;
  rejectSource: RejectSource | null;
  rejectReason: string | null;
  /** Set when a fill arrived after the order was already done (Cancelled, Expired or Rejected). */
  lateFill: boolean;
  /** Set when the venue filled more than the order's quantity (cumQty > orderQty); an alert was raised. */
  overFill?: boolean;
  /**
   * Decimal places of the finest price on the order (its limit, stop and every fill price): avgPx
   * is notional / cumQty rounded once, half-even, to this + 4. Unset until the first fill.
   */
  pxScale?: number;
  /** Why risk holds back a triggered stop ("CODE: reason"), shown on the order; cleared when it goes out. */
  triggerDenied?: string | null;
  createdAt: string;
  updatedAt: string;
  /** Journal sequence number of the last event applied. */
  lastSeq: number;
}
