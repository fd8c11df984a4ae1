export const ORD_STATUSES = [
  "Pending",
  "Validated",
  "Rejected",
  "Submitted",
  "Accepted",
  "PartiallyFilled",
  "Filled",
  "PendingCancel",
  "PendingReplace",
  "Cancelled",
  "Expired",
] as const;
export type OrdStatus = (typeof ORD_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrdStatus[] = ["Rejected", "Filled", "Cancelled", "Expired"];
export const isTerminal = (status: OrdStatus): boolean => TERMINAL_STATUSES.includes(status);

export const SIDES = ["Buy", "Sell"] as const;
export type Side = (typeof SIDES)[number];

export const ORD_TYPES = ["Market", "Limit", "Stop", "StopLimit", "TrailingStop"] as const;
export type OrdType = (typeof ORD_TYPES)[number];

export const TIME_IN_FORCES = ["DAY", "GTC", "IOC", "FOK", "GTD"] as const;
export type TimeInForce = (typeof TIME_IN_FORCES)[number];

/** Who refused an order: our own risk checks, or the venue. */
/** How the router chooses a venue; `liquiditySplit` sends child orders to several venues by displayed depth; `quality` by measured execution cost (apps/engine/src/routing/quality-policy.ts). */
export const ROUTING_POLICIES = ["bestPrice", "lowestCost", "fastest", "liquiditySplit", "weighted", "quality"] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

export const REJECT_SOURCES = ["RISK", "VENUE", "ENGINE"] as const;
export type RejectSource = (typeof REJECT_SOURCES)[number];
