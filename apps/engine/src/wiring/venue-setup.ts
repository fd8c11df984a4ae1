import type { EngineConfig } from "../config";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { RandomWalkFeed } from "../marketdata/quotes";
import type { RoutingDeps } from "../orders/order-router";
import type { ReferenceData } from "../reference";
import { VenueMonitor } from "../routing/venue-monitor";
import type { BrokerAdapter } from "../venues/adapter";
import { createVenues } from "../venues/registry";
import { raisesAlerts } from "../venues/venue-alert";

export interface VenueSetup {
  venues: Map<string, BrokerAdapter>;
  monitor: VenueMonitor;
  routing: RoutingDeps;
  feeBps: (venueId: string) => string;
}

type VenueConfig = { feeBps?: number; depth?: number; maxOrdersPerSecond?: number; orderBurst?: number };

/** The venues from reference data, their health monitor, and what the router reads of each venue's config. */
export function setUpVenues(reference: ReferenceData, config: EngineConfig, feed: RandomWalkFeed): VenueSetup {
  const venues = createVenues(reference.venues, {
    feed,
    lotSize: (symbol) => reference.instruments.get(symbol)?.lotSize ?? "1",
    defaultLatencyMs: config.SIM_LATENCY_MS,
  });
  const monitor = new VenueMonitor(venues);
  const configOf = new Map(reference.venues.map((v) => [v.id, v.config as VenueConfig]));
  const feeBps = (venueId: string) => String(configOf.get(venueId)?.feeBps ?? 0);
  const routing: RoutingDeps = {
    policy: config.ROUTING_POLICY,
    monitor,
    feeBps,
    rateLimit: (venueId) => {
      const c = configOf.get(venueId);
      return c?.maxOrdersPerSecond ? { perSecond: c.maxOrdersPerSecond, burst: c.orderBurst ?? c.maxOrdersPerSecond } : undefined;
    },
    depth: (venueId) => String(configOf.get(venueId)?.depth ?? 0),
  };
  return { venues, monitor, routing, feeBps };
}

/** What adapters raise that is not about one order's state (bad data refused, a handler fault) is journaled as an alert. */
export function journalVenueAlerts(
  venues: ReadonlyMap<string, BrokerAdapter>,
  journal: Journal,
  log: Logger,
  accountOf: (orderId: string) => string | null,
): void {
  for (const venue of venues.values()) {
    if (!raisesAlerts(venue)) continue;
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
}
