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
  lastChangeAt: string | null;
}
