import type { Decimal, Order, OrdType, TimeInForce } from "@fillmore/shared";
import type { OrderIdRange } from "../orders/order-ids";

/** What a venue said about one of our orders. The engine maps it onto the state machine. */
export type VenueReport =
  | { kind: "accepted"; orderId: string; venueOrderId: string }
  | { kind: "rejected"; orderId: string; reason: string }
  | {
      kind: "fill";
      orderId: string;
      execId: string;
      lastQty: Decimal;
      lastPx: Decimal;
      /** The venue's commission on this fill as an amount (FIX Commission(12) per CommType(13)); absent: the fee schedule applies. */
      commission?: { amount: Decimal; currency: string };
      /** Added liquidity (a resting order filled) or took it. */
      liquidity?: "maker" | "taker";
    }
  | { kind: "cancelled"; orderId: string; reason: string }
  | { kind: "cancelRejected"; orderId: string; reason: string }
  | { kind: "replaced"; orderId: string; orderQty: Decimal; price: Decimal | null; stopPx: Decimal | null }
  | { kind: "replaceRejected"; orderId: string; reason: string }
  | { kind: "expired"; orderId: string; reason: string }
  /** The venue changed the order on its own (FIX ExecType D): new quantity and/or price, with why. */
  | { kind: "restated"; orderId: string; orderQty: Decimal; price: Decimal | null; reason: string }
  /** An execution we booked is busted (FIX ExecType H): it never happened. `refExecId` names it. */
  | { kind: "tradeBusted"; orderId: string; refExecId: string; reason: string }
  /** An execution we booked is corrected (FIX ExecType G): `refExecId` now has this quantity and price. */
  | { kind: "tradeCorrected"; orderId: string; refExecId: string; execId: string; lastQty: Decimal; lastPx: Decimal; reason: string };

export interface VenueCapabilities {
  ordTypes: readonly OrdType[];
  timeInForces: readonly TimeInForce[];
  nativeStops: boolean;
  modify: boolean;
  cancel: boolean;
}

export interface OrderChanges {
  orderQty: Decimal;
  price: Decimal | null;
  stopPx: Decimal | null;
}

export interface VenueFill {
  execId: string;
  lastQty: Decimal;
  lastPx: Decimal;
}

/** What a venue knows of one order, for reconciliation after a restart or a lost connection. */
export type VenueOrderStatus =
  | { orderId: string; known: false }
  | {
      orderId: string;
      known: true;
      /** "expired": done at the venue by its time in force (FIX OrdStatus C), not cancelled. */
      state: "working" | "filled" | "cancelled" | "rejected" | "expired";
      orderQty: Decimal;
      price: Decimal | null;
      cumQty: Decimal;
      fills: VenueFill[];
      reason: string | null;
    };

export interface VenuePosition {
  /** The account the venue holds it for; absent where the venue keeps one book for every account (OsEngine's portfolio). */
  accountId?: string;
  symbol: string;
  qty: Decimal;
  /** The venue's own trades behind the quantity, where it can list them (reconciliation's evidence for a cause). */
  trades?: VenueTrade[];
}

/** A trade as the venue (or a broker statement) records it; `orderId` null: not one of our orders. */
export interface VenueTrade {
  execId: string;
  orderId: string | null;
  side: "Buy" | "Sell";
  qty: Decimal;
  px: Decimal;
  fee?: Decimal;
}

/** The customer's broker port, plus what real venues need: reports stream and capabilities. */
export interface BrokerAdapter {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  submitOrder(order: Order): Promise<void>;
  cancelOrder(order: Order): Promise<void>;
  /** Cancel/replace of quantity and prices; only called when `capabilities.modify`. */
  modifyOrder(order: Order, changes: OrderChanges): Promise<void>;
  getOrderStatus(orderId: string): Promise<VenueOrderStatus>;
  /**
   * Every order in `range` this venue received from us, as it was sent: after a crash, the orders
   * sent while their journal entry was still being committed. Only a venue that has it gets new
   * orders before their journal commit; to one without it (OsEngine) nothing is sent until durable.
   */
  recoverOrders?(range: OrderIdRange): Promise<Order[]>;
  /** The venue's positions (one account's, if asked and the venue keeps them per account). */
  getPositions(accountId?: string): Promise<VenuePosition[]>;
  /** Set where the venue cannot answer for positions (why, for the reconciliation page). */
  readonly positionsUnsupported?: string;
  isHealthy(): boolean;
  /** Milliseconds since the venue's session last delivered anything (heartbeats included), if it has one. */
  heartbeatAgeMs?(): number | null;
  onReport(listener: (report: VenueReport) => void): void;
}
