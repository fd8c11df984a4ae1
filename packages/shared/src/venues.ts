/**
 * The venue of a split parent in execution metrics: its children are the orders sent to venues and
 * carry its shares, so venue figures and measures leave the parent out.
 */
export const SPLIT_PARENT_VENUE = "MULTI";

export const HEALTH_STATES = ["UP", "DEGRADED", "DOWN"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** One venue's health as the engine measures it and the console shows it. */
export interface VenueHealthView {
  venueId: string;
  state: HealthState;
  connected: boolean;
  ackEwmaMs: number;
  ackP99Ms: number | null;
  rejectRate: number;
  submissions: number;
  rejects: number;
  /** Sends that failed (connection lost, request refused), and their rate over recent sends. */
  sendErrors: number;
  errorRate: number;
  /** Milliseconds since the venue's session last delivered anything; null when it has no heartbeat. */
  heartbeatAgeMs: number | null;
  /** Our own order-rate limit for the venue and how much of its burst is in use now. */
  rateLimit: { perSecond: number; burst: number; usedPct: number } | null;
  lastChangeAt: string | null;
}

/** One FIX message exchanged for an order (engine GET /v1/orders/:id/fix-messages; docs/API.md). */
export interface FixMessageView {
  venueId: string;
  direction: "out" | "in";
  seq: number;
  msgType: string;
  msgTypeName: string | null;
  /** FIX UTCTimestamp as sent (YYYYMMDD-HH:MM:SS.sss). */
  sendingTime: string;
  fields: [tag: number, name: string | null, value: string][];
}
