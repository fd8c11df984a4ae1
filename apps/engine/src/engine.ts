import type { AddressInfo } from "node:net";
import type { Clock } from "@fillmore/shared";
import pg from "pg";
import { Gauge } from "prom-client";
import { EventHub } from "./api/event-hub";
import { createApiServer } from "./api/http-server";
import { systemClock } from "./clock";
import type { EngineConfig } from "./config";
import { checkJournalIntegrity } from "./journal/integrity";
import { Journal, type JournalEntry } from "./journal/journal";
import { Projector } from "./journal/projector";
import { readJournal } from "./journal/read";
import type { Logger } from "./log";
import { RandomWalkFeed } from "./marketdata/quotes";
import { createMetrics } from "./metrics";
import { CommandError } from "./orders/errors";
import { parseSessionEnd } from "./orders/expiry";
import { OrderManager } from "./orders/order-manager";
import { Positions } from "./positions/positions";
import { loadReference } from "./reference";
import { RiskSettings } from "./risk/risk-settings";
import { VenueMonitor } from "./routing/venue-monitor";
import { DemoStrategy } from "./strategy/demo-strategy";
import type { BrokerAdapter } from "./venues/adapter";
import { createVenues } from "./venues/registry";
import { SimVenue } from "./venues/sim/sim-venue";

export interface RunningEngine {
  url: string;
  orders: OrderManager;
  risk: RiskSettings;
  positions: Positions;
  journal: Journal;
  /** Writes the orders/fill read model after each commit; `idle()` waits for it. */
  projector: Projector;
  feed: RandomWalkFeed;
  venues: Map<string, BrokerAdapter>;
  stop(): Promise<void>;
}

/** Wires the engine: database → journal replay → venues → order manager → internal API. */
export async function startEngine(config: EngineConfig, log: Logger, clock: Clock = systemClock): Promise<RunningEngine> {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection lost"));
  const metrics = createMetrics();
  const reference = await loadReference(pool);
  let liveOrderCount = () => 0;
  metrics.registry.registerMetric(
    new Gauge({
      name: "fillmore_live_orders",
      help: "Orders not in a terminal state",
      registers: [],
      collect() {
        this.set(liveOrderCount());
      },
    }),
  );
  // Verify the chain (key, signed checkpoints) before replay; a broken one keeps trading closed.
  const integrity = await checkJournalIntegrity(pool, log, config);
  const journal = await Journal.open(pool, clock, log, {
    key: integrity.key,
    maxBatch: config.JOURNAL_MAX_BATCH,
    onBatch: (size, seconds) => {
      metrics.journalBatch.observe(size);
      metrics.journalCommitSeconds.observe(seconds);
      metrics.eventsJournaled.inc(size);
    },
  });
  integrity.attach(journal);

  const instruments = [...reference.instruments.values()];
  const feed = new RandomWalkFeed(instruments, config.SIM_TICK_MS, Date.now() & 0xffff);
  const venues = createVenues(reference.venues, {
    feed,
    lotSize: (symbol) => reference.instruments.get(symbol)?.lotSize ?? "1",
    defaultLatencyMs: config.SIM_LATENCY_MS,
  });

  const monitor = new VenueMonitor(venues);
  const feeBps = new Map(reference.venues.map((v) => [v.id, String((v.config as { feeBps?: number }).feeBps ?? 0)]));
  const depth = new Map(reference.venues.map((v) => [v.id, String((v.config as { depth?: number }).depth ?? 0)]));
  const rateLimits = new Map(
    reference.venues.flatMap((v) => {
      const c = v.config as { maxOrdersPerSecond?: number; orderBurst?: number };
      return c.maxOrdersPerSecond
        ? [[v.id, { perSecond: c.maxOrdersPerSecond, burst: c.orderBurst ?? c.maxOrdersPerSecond }] as const]
        : [];
    }),
  );
  const risk = new RiskSettings(journal);
  const positions = new Positions();
  const orders = new OrderManager({
    journal,
    clock,
    log,
    instruments: reference.instruments,
    accounts: new Set(reference.accounts.keys()),
    venues,
    risk,
    positions,
    quote: (symbol) => feed.quote(symbol),
    triggerPrice: config.STOP_TRIGGER_PRICE,
    sessionEndMinutes: parseSessionEnd(config.SESSION_END_UTC),
    routing: {
      policy: config.ROUTING_POLICY,
      monitor,
      feeBps: (venueId) => feeBps.get(venueId) ?? "0",
      rateLimit: (venueId) => rateLimits.get(venueId),
      depth: (venueId) => depth.get(venueId) ?? "0",
    },
  });

  liveOrderCount = () => orders.working().length;
  let replayed = 0;
  // The read model may lag the journal after a crash: whatever it had not written yet is written now.
  const projector = new Projector(pool, log);
  const { rows: projected } = await pool.query<{ seq: string }>("SELECT coalesce(max(last_seq), 0)::text AS seq FROM orders");
  const projectedSeq = Number(projected[0]?.seq ?? 0);
  const catchUp: JournalEntry[] = [];
  for await (const stored of readJournal(pool)) {
    orders.replay(stored.event);
    risk.replay(stored.event);
    replayed += 1;
    if (stored.event.seq > projectedSeq && stored.event.orderId !== null) {
      catchUp.push({ ...stored, orderAfter: orders.get(stored.event.orderId) });
    }
  }
  projector.enqueue(catchUp);
  journal.onCommit((entries) => projector.enqueue(entries));
  for (const venue of venues.values()) {
    if (venue instanceof SimVenue) venue.restore(orders.working().filter((o) => o.venueId === venue.name && o.ordStatus !== "Validated"));
    await venue.connect().catch((error: unknown) => log.error({ err: String(error), venue: venue.name }, "venue did not connect"));
  }
  const recovered = await orders.recoverLost();
  if (recovered > 0) log.warn({ recovered }, "orders sent just before a crash were missing from the journal; recovered from their venues");
  const reconciliation = await orders.reconcile();
  if (reconciliation.checked > 0) log.info(reconciliation, "reconciled working orders with their venues");
  journal.append({
    type: "EngineStarted",
    orderId: null,
    accountId: null,
    actor: "engine",
    data: { version: "0.1.0", replayedEvents: replayed },
  });
  await journal.durable();

  const hub = new EventHub(journal.stats().committedSeq);
  journal.onCommit((entries) => {
    hub.publish(entries);
    for (const e of entries) {
      monitor.observe(e.event);
      if (e.event.orderId) metrics.ordersByType.inc({ type: e.event.type });
    }
  });

  const server = createApiServer({
    token: config.ENGINE_SERVICE_TOKEN,
    orders,
    risk,
    positions,
    venues: () =>
      monitor
        .snapshot((venueId) => orders.rateLimitUsage(venueId))
        .map((h) => ({
          ...h,
          capabilities: venues.get(h.venueId)?.capabilities,
          feeBps: feeBps.get(h.venueId) ?? "0",
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
    hub,
    pool,
    registry: metrics.registry,
    log,
    reference: () => ({
      instruments,
      accounts: [...reference.accounts].map(([id, name]) => ({ id, name })),
      venues: [...venues.values()].map((v) => ({ id: v.name, healthy: v.isHealthy(), capabilities: v.capabilities })),
      routingPolicy: config.ROUTING_POLICY,
      quotes: feed.all(),
    }),
    health: () => {
      const stats = journal.stats();
      return { status: stats.healthy ? "ok" : "degraded", journal: stats, liveOrders: orders.working().length };
    },
  });
  await new Promise<void>((resolve) => server.listen(config.ENGINE_PORT, config.ENGINE_HOST, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${config.ENGINE_HOST}:${address.port}`;

  feed.onQuote((quote) => orders.onQuote(quote));
  monitor.onChange((venueId, state) => {
    log.warn({ venueId, state }, "venue health changed");
    journal.append({ type: "VenueHealthChanged", orderId: null, accountId: null, actor: "engine", data: { venueId, state } });
    // Back from an outage: settle what was in flight there before trusting it again.
    if (state === "UP")
      void orders.reconcile(venueId).catch((error: unknown) => log.error({ err: String(error), venueId }, "reconcile failed"));
  });
  const healthTimer = setInterval(() => monitor.sample(clock.nowIso()), 500);
  healthTimer.unref();
  let resolving = false;
  const expiryTimer = setInterval(() => {
    orders.expireDue(clock.nowMs());
    if (resolving) return;
    resolving = true;
    orders
      .resolveStale(clock.nowMs())
      .catch((error: unknown) => log.error({ err: String(error) }, "resolving stale orders failed"))
      .finally(() => {
        resolving = false;
      });
  }, 1000);
  expiryTimer.unref();
  feed.start();
  const strategy = new DemoStrategy({
    instruments,
    accounts: [...reference.accounts.keys()],
    quote: (s) => feed.quote(s),
    submit: (o) => orders.submit(o, "strategy:demo"),
    cancel: (id) => orders.cancel(id, "strategy:demo"),
    working: () => orders.working(),
    log,
    ordersPerSecond: config.DEMO_STRATEGY_ORDERS_PER_S,
    directedVenues: reference.venues.filter((v) => v.kind === "fix" && venues.has(v.id)).map((v) => v.id),
  });
  if (config.DEMO_STRATEGY) strategy.start();
  log.info({ url, replayed, liveOrders: orders.working().length }, "engine ready");

  let stopping: Promise<void> | undefined;
  return {
    url,
    orders,
    risk,
    positions,
    journal,
    projector,
    feed,
    venues,
    stop() {
      stopping ??= (async () => {
        strategy.stop();
        feed.stop();
        clearInterval(expiryTimer);
        clearInterval(healthTimer);
        for (const venue of venues.values()) await venue.disconnect();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await journal.close();
        integrity.close();
        await projector.idle();
        await pool.end();
      })();
      return stopping;
    },
  };
}
