import type { AddressInfo } from "node:net";
import type pg from "pg";
import type { Registry } from "prom-client";
import type { AlertCentre } from "../alerts/alert-centre";
import type { EventHub } from "../api/event-hub";
import { createApiServer } from "../api/http-server";
import { attachOrderChannel } from "../api/order-channel";
import type { EngineConfig } from "../config";
import type { Breakers } from "../controls/breakers/breakers";
import type { Deadman } from "../controls/deadman";
import type { KillSwitch } from "../controls/kill-switch";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { RandomWalkFeed } from "../marketdata/quotes";
import { CommandError } from "../orders/errors";
import type { OrderManager } from "../orders/order-manager";
import type { CorporateActions } from "../positions/corporate-actions";
import type { LivePositions } from "../positions/live-positions";
import type { Positions } from "../positions/positions";
import type { Reconciliation } from "../positions/reconciliation/reconciliation";
import type { ReferenceData } from "../reference";
import type { ReferenceService } from "../reference/service";
import type { RiskSettings } from "../risk/risk-settings";
import { FixVenue } from "../venues/fix/fix-venue";
import { SimVenue } from "../venues/sim/sim-venue";
import { healthOf } from "./health";
import type { VenueSetup } from "./venue-setup";

export interface ApiWiring {
  config: EngineConfig;
  orders: OrderManager;
  risk: RiskSettings;
  positions: Positions;
  livePositions?: LivePositions;
  reconciliation?: Reconciliation;
  journal: Journal;
  venueSetup: VenueSetup;
  reference: ReferenceData;
  feed: RandomWalkFeed;
  hub: EventHub;
  pool: pg.Pool;
  registry: Registry;
  controls?: KillSwitch;
  breakers?: Breakers;
  deadman?: Deadman;
  alerts?: AlertCentre;
  corporateActions?: CorporateActions;
  referenceAdmin?: ReferenceService;
  log: Logger;
}

/** The internal API the console talks to, listening on loopback; resolves with its URL and its stop. */
export async function startApi(w: ApiWiring): Promise<{ url: string; close(): Promise<void> }> {
  const { config, orders, journal, log, reference } = w;
  const { venues, monitor, feeBps } = w.venueSetup;
  const server = createApiServer({
    token: config.ENGINE_SERVICE_TOKEN,
    orders,
    risk: w.risk,
    positions: w.positions,
    livePositions: w.livePositions,
    reconciliation: w.reconciliation,
    venues: () =>
      monitor
        .snapshot((venueId) => orders.rateLimitUsage(venueId))
        .map((h) => ({
          ...h,
          capabilities: venues.get(h.venueId)?.capabilities,
          feeBps: feeBps(h.venueId),
          kind: reference.venues.find((v) => v.id === h.venueId)?.kind ?? "sim",
        })),
    setOutage: (venueId, down, actor) => {
      const venue = venues.get(venueId);
      if (!(venue instanceof SimVenue))
        throw new CommandError("NOT_SUPPORTED", `${venueId} is not a simulated venue; outages can only be injected into those`);
      venue.setOutage(down);
      log.warn({ venueId, down, actor }, "simulated outage");
      journal.append({
        type: "AlertRaised",
        orderId: null,
        accountId: null,
        actor,
        data: { code: down ? "OUTAGE_INJECTED" : "OUTAGE_ENDED", message: `${venueId} ${down ? "taken down" : "restored"} by ${actor}` },
      });
    },
    hub: w.hub,
    pool: w.pool,
    registry: w.registry,
    controls: w.controls,
    breakers: w.breakers,
    deadman: w.deadman,
    alerts: w.alerts,
    corporateActions: w.corporateActions,
    referenceAdmin: w.referenceAdmin,
    fixStores: () => [...venues].flatMap(([venueId, v]) => (v instanceof FixVenue ? [{ venueId, file: v.session.store.file }] : [])),
    log,
    reference: () => ({
      instruments: [...reference.instruments.values()],
      accounts: [...reference.accounts].map(([id, name]) => ({ id, name })),
      venues: [...venues.values()].map((v) => ({ id: v.name, healthy: v.isHealthy(), capabilities: v.capabilities })),
      routingPolicy: config.ROUTING_POLICY,
      quotes: w.feed.all(),
    }),
    health: healthOf({
      journal: () => journal.stats(),
      liveOrders: () => orders.working().length,
      venues: () => monitor.snapshot(),
      config,
    }),
  });
  // The console's kept-alive connections stay open through quiet spells (Node closes them after 5 s).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const channel = attachOrderChannel(server, { token: config.ENGINE_SERVICE_TOKEN, orders, log, registry: w.registry });
  await new Promise<void>((resolve) => server.listen(config.ENGINE_PORT, config.ENGINE_HOST, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${config.ENGINE_HOST}:${address.port}`,
    close: async () => {
      channel.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
