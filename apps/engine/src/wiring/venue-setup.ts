import type { EngineConfig } from "../config";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { RandomWalkFeed } from "../marketdata/quotes";
import type { RoutingDeps } from "../orders/order-router";
import type { ReferenceData } from "../reference";
import { VenueMonitor } from "../routing/venue-monitor";
import type { BrokerAdapter } from "../venues/adapter";
import { createVenues, type InvalidVenue, type VenueDeps } from "../venues/registry";
import { raisesAlerts } from "../venues/venue-alert";

export interface VenueSetup {
  venues: Map<string, BrokerAdapter>;
  monitor: VenueMonitor;
  routing: RoutingDeps;
  /** The venue's routing cost in bps for display: "0" when it has none (see `routing.feeBps` for the router's view). */
  feeBps: (venueId: string) => string;
  /** Venue rows that failed their checks at start: left out, each raised as an alert once the alert centre runs. */
  invalid: InvalidVenue[];
  /** What builds an adapter from a row (the reference service builds venues added at runtime with it). */
  venueDeps: VenueDeps;
  /** The router's view of a venue's config: set when a venue is added or changed at runtime. */
  setConfig(venueId: string, config: Record<string, unknown>): void;
  /** Closes a venue to new orders (disabled: it drains, cancels still reach it), or opens it again (null). */
  setClosed(venueId: string, reason: string | null): void;
  closedReason(venueId: string): string | null;
}

type VenueConfig = {
  feeBps?: number;
  fees?: { bps?: string; taker?: { bps?: string } };
  depth?: number;
  maxOrdersPerSecond?: number;
  orderBurst?: number;
};

/**
 * The router's cost figure for a venue, in bps: `feeBps`, else the taker (or flat) bps of its fee
 * schedule, else 0 when it has a schedule without bps (per-share only). null: no fee information at
 * all, which the router ranks as the worst cost (routing/policies.ts, docs/ADAPTERS.md).
 */
export function routingFeeBps(config: VenueConfig | undefined): string | null {
  if (!config) return null;
  if (typeof config.feeBps === "number") return String(config.feeBps);
  if (config.fees) return config.fees.taker?.bps ?? config.fees.bps ?? "0";
  return null;
}

/** The venues from reference data, their health monitor, and what the router reads of each venue's config. */
export function setUpVenues(reference: ReferenceData, config: EngineConfig, feed: RandomWalkFeed): VenueSetup {
  const venueDeps: VenueDeps = {
    feed,
    lotSize: (symbol) => reference.instruments.get(symbol)?.lotSize ?? "1",
    defaultLatencyMs: config.SIM_LATENCY_MS,
  };
  const { venues, invalid } = createVenues(reference.venues, venueDeps);
  const monitor = new VenueMonitor(venues);
  const configOf = new Map(reference.venues.map((v) => [v.id, v.config as VenueConfig]));
  const closed = new Map<string, string>();
  const routing: RoutingDeps = {
    policy: config.ROUTING_POLICY,
    monitor,
    feeBps: (venueId) => routingFeeBps(configOf.get(venueId)),
    rateLimit: (venueId) => {
      const c = configOf.get(venueId);
      return c?.maxOrdersPerSecond ? { perSecond: c.maxOrdersPerSecond, burst: c.orderBurst ?? c.maxOrdersPerSecond } : undefined;
    },
    depth: (venueId) => String(configOf.get(venueId)?.depth ?? 0),
    closed: (venueId) => closed.get(venueId) ?? null,
  };
  return {
    venues,
    monitor,
    routing,
    feeBps: (venueId) => routingFeeBps(configOf.get(venueId)) ?? "0",
    invalid,
    venueDeps,
    setConfig: (venueId, c) => configOf.set(venueId, c as VenueConfig),
    setClosed: (venueId, reason) => (reason === null ? closed.delete(venueId) : closed.set(venueId, reason)),
    closedReason: (venueId) => closed.get(venueId) ?? null,
  };
}

/** What adapters raise that is not about one order's state (bad data refused, a handler fault) is journaled as an alert. */
export function journalVenueAlerts(
  venues: ReadonlyMap<string, BrokerAdapter>,
  journal: Journal,
  log: Logger,
  accountOf: (orderId: string) => string | null,
): void {
  for (const venue of venues.values()) journalAlertsOf(venue, journal, log, accountOf);
}

/** One venue's alerts journaled (a venue added at runtime is wired with this). */
export function journalAlertsOf(venue: BrokerAdapter, journal: Journal, log: Logger, accountOf: (orderId: string) => string | null): void {
  if (!raisesAlerts(venue)) return;
  venue.onAlert((a) => {
    log.warn({ code: a.code, venueId: a.venueId, orderId: a.orderId }, a.message);
    journal.append({
      type: "AlertRaised",
      orderId: a.orderId,
      accountId: a.orderId ? accountOf(a.orderId) : null,
      actor: `venue:${a.venueId}`,
      data: { code: a.code, message: a.message },
    });
  });
}
