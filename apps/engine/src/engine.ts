import { warmPool } from "@fillmore/db/warm-pool";
import type { Clock } from "@fillmore/shared";
import pg from "pg";
import { Gauge } from "prom-client";
import { EventHub } from "./api/event-hub";
import { endAuditThread } from "./audit/audit-thread";
import { systemClock } from "./clock";
import type { EngineConfig } from "./config";
import type { Breakers } from "./controls/breakers/breakers";
import { setUpEmergency } from "./controls/breakers/setup";
import type { Deadman } from "./controls/deadman";
import type { KillSwitch } from "./controls/kill-switch";
import { checkJournalIntegrity } from "./journal/integrity";
import { Journal } from "./journal/journal";
import { Projector } from "./journal/projector";
import { WriterThread } from "./journal/writer-thread";
import type { Logger } from "./log";
import { RandomWalkFeed } from "./marketdata/quotes";
import { createMetrics, type Metrics } from "./metrics";
import { parseSessionEnd } from "./orders/expiry";
import { OrderManager } from "./orders/order-manager";
import type { LivePositions } from "./positions/live-positions";
import { Positions } from "./positions/positions";
import type { PositionsProjection } from "./positions/positions-projection";
import type { MarkoutSampler } from "./quality/markouts";
import { loadReference } from "./reference";
import { ReferenceService } from "./reference/service";
import { ReferenceStore } from "./reference/store";
import { RiskSettings } from "./risk/risk-settings";
import { DemoStrategy } from "./strategy/demo-strategy";
import type { BrokerAdapter } from "./venues/adapter";
import { SimVenue } from "./venues/sim/sim-venue";
import { wireAlerts } from "./wiring/alerts";
import { startApi } from "./wiring/api";
import { wireControls } from "./wiring/controls";
import { wireCorporateActions } from "./wiring/corporate-actions";
import { setUpPositions } from "./wiring/positions";
import { wireQuality } from "./wiring/quality";
import { wireReconciliation } from "./wiring/reconciliation";
import { replayJournal } from "./wiring/replay";
import { startTimers } from "./wiring/timers";
import { journalVenueAlerts, setUpVenues } from "./wiring/venue-setup";

export interface RunningEngine {
  url: string;
  orders: OrderManager;
  risk: RiskSettings;
  positions: Positions;
  /** Positions and P&L per account x strategy x instrument (fees, marks, both methods), live. */
  livePositions: LivePositions;
  /** Writes the `position` read model after commits; `idle()` waits for it. */
  positionsProjection: PositionsProjection;
  journal: Journal;
  /** Writes the orders/fill read model after each commit; `idle()` waits for it. */
  projector: Projector;
  feed: RandomWalkFeed;
  venues: Map<string, BrokerAdapter>;
  /** The kill switch, the circuit breakers and the dead-man's switches (controls/). */
  controls: KillSwitch;
  breakers: Breakers;
  deadman: Deadman;
  stop(): Promise<void>;
}

const ENGINE_POOL_SIZE = 4;
/** The order path's tables: planning a statement on one opens its indexes into the connection's caches. */
const HOT_TABLE_PROBES = ["journal", "orders", "fill", "position"].map((table) => `SELECT 1 FROM ${table} WHERE false`);
const JOURNAL_WARM_STATEMENTS = ["SELECT 1 FROM journal WHERE false"];

/**
 * Starts the engine, in this order:
 * 1. database, reference data, and the journal (its chain verified first: a broken one keeps trading closed);
 * 2. market data, venues and the order path (order manager, risk, positions);
 * 3. replay of the journal, then venues connected, lost orders recovered and working orders reconciled;
 * 4. the event stream and the internal API; then timers, quotes and the demo strategy.
 */
export async function startEngine(config: EngineConfig, log: Logger, clock: Clock = systemClock): Promise<RunningEngine> {
  // 1. Database and journal
  // Every connection kept once open (min = max) and warmed before trading: see warmPool.
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: ENGINE_POOL_SIZE, min: ENGINE_POOL_SIZE });
  pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection lost"));
  await warmPool(pool, ENGINE_POOL_SIZE, HOT_TABLE_PROBES);
  const metrics = createMetrics();
  const reference = await loadReference(pool);
  const integrity = await checkJournalIntegrity(pool, log, config);
  const writer = await WriterThread.start({ databaseUrl: config.DATABASE_URL, warmStatements: JOURNAL_WARM_STATEMENTS }, log);
  writer.onJournalWrite = (seconds) => metrics.journalWriteSeconds.observe(seconds);
  const journal = await Journal.open(writer, clock, log, {
    key: integrity.key,
    maxBatch: config.JOURNAL_MAX_BATCH,
    commitIntervalMs: config.JOURNAL_COMMIT_INTERVAL_MS,
    onBatch: (size, seconds) => {
      metrics.journalBatch.observe(size);
      metrics.journalCommitSeconds.observe(seconds);
      metrics.eventsJournaled.inc(size);
    },
  });
  integrity.attach(journal);

  // 2. Market data, venues, the order path
  const instruments = [...reference.instruments.values()];
  const feed = new RandomWalkFeed(instruments, config.SIM_TICK_MS, Date.now() & 0xffff);
  const venueSetup = setUpVenues(reference, config, feed);
  const { venues, monitor } = venueSetup;
  const risk = new RiskSettings(journal);
  const positions = new Positions();
  const accountIds = new Set(reference.accounts.keys());
  const orders = new OrderManager({
    journal,
    clock,
    log,
    instruments: reference.instruments,
    accounts: accountIds,
    venues,
    risk,
    positions,
    quote: (symbol) => feed.quote(symbol),
    triggerPrice: config.STOP_TRIGGER_PRICE,
    sessionEndMinutes: parseSessionEnd(config.SESSION_END_UTC),
    routing: venueSetup.routing,
    commandLimits: {
      commandThrottle: { perSecond: config.COMMAND_RATE_PER_S, burst: config.COMMAND_BURST },
      refusalJournal: { perWindow: config.REFUSAL_JOURNAL_PER_WINDOW, windowMs: config.REFUSAL_JOURNAL_WINDOW_MS },
      gtdMaxHorizonDays: config.GTD_MAX_HORIZON_DAYS,
    },
  });
  journalVenueAlerts(venues, journal, log, (orderId) => orders.get(orderId)?.accountId ?? null);
  const positionsWiring = setUpPositions({ config, orders, reference, feed, pool, clock, log, sessionEndUtc: config.SESSION_END_UTC });
  countLiveOrders(metrics, orders);
  const referenceAdmin = new ReferenceService({
    store: new ReferenceStore(pool),
    journal,
    log,
    reference,
    accountIds,
    setup: venueSetup,
    feed,
    orders,
  });
  const recon = wireReconciliation({ orders, risk, positions, journal, venues, clock, log });
  const corporateActions = wireCorporateActions({ journal, clock, log, orders, positions, live: positionsWiring.live, reference });
  const quality = wireQuality(
    { orders, journal, pool, quote: (s) => feed.quote(s), clock, log },
    { projectionThread: { databaseUrl: config.DATABASE_URL, logLevel: config.LOG_LEVEL } },
  );
  countMarkouts(metrics, quality.sampler);
  const emergency = setUpEmergency({
    orders,
    journal,
    clock,
    log,
    live: positionsWiring.live,
    feed,
    sessionEndMinutes: parseSessionEnd(config.SESSION_END_UTC),
  });

  // 3. Replay, then settle with the venues
  const projector = new Projector(pool, log);
  const replayed = await replayJournal(pool, orders, risk, projector);
  journal.onCommit((entries) => projector.enqueue(entries));
  await positionsWiring.afterReplay((listener) => journal.onCommit(listener));
  const alerts = await wireAlerts({ config, journal, pool, clock, log, orders });
  referenceAdmin.start(alerts);
  quality.start(alerts);
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
  await recon.start();
  corporateActions.start();

  // 4. Event stream, API, clockwork, strategy
  const hub = new EventHub(journal.stats().committedSeq, config.STREAM_BACKLOG_EVENTS);
  // Counted per batch and type: prom-client hashes the labels on every call, six calls an order.
  const eventsByType = new Map<string, number>();
  journal.onCommit((entries) => {
    hub.publish(entries);
    for (const e of entries) {
      monitor.observe(e.event);
      if (e.event.orderId) eventsByType.set(e.event.type, (eventsByType.get(e.event.type) ?? 0) + 1);
    }
    for (const [type, n] of eventsByType) metrics.ordersByType.inc({ type }, n);
    eventsByType.clear();
  });
  const controls = wireControls({
    risk,
    orders,
    positions,
    journal,
    clock,
    log,
    pool,
    venues,
    routing: venueSetup.routing,
    quote: (s) => feed.quote(s),
  });
  emergency.start(controls);
  const api = await startApi({
    breakers: emergency.breakers,
    deadman: emergency.deadman,
    alerts,
    corporateActions,
    referenceAdmin,
    controls,
    config,
    orders,
    risk,
    positions,
    livePositions: positionsWiring.live,
    reconciliation: recon,
    journal,
    venueSetup,
    reference,
    feed,
    hub,
    pool,
    registry: metrics.registry,
    log,
  });
  feed.onQuote((quote) => orders.onQuote(quote));
  positionsWiring.start();
  const stopTimers = startTimers({ orders, monitor, journal, clock, log });
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
  log.info({ url: api.url, replayed, liveOrders: orders.working().length }, "engine ready");

  let stopping: Promise<void> | undefined;
  return {
    url: api.url,
    orders,
    risk,
    positions,
    livePositions: positionsWiring.live,
    positionsProjection: positionsWiring.projection,
    journal,
    projector,
    feed,
    venues,
    controls,
    breakers: emergency.breakers,
    deadman: emergency.deadman,
    stop() {
      stopping ??= (async () => {
        strategy.stop();
        emergency.stop();
        recon.stop();
        corporateActions.stop();
        quality.stop();
        feed.stop();
        stopTimers();
        alerts.stop();
        for (const venue of venues.values()) await venue.disconnect();
        await api.close();
        await endAuditThread(pool);
        await journal.close();
        await writer.stop();
        integrity.close();
        await projector.idle();
        await positionsWiring.stop();
        await pool.end();
        // prom-client's default metrics keep the registry for good (a GC observer); its gauges read
        // the engine, which would outlive its stop in a process that goes on (tests, benchmarks).
        metrics.registry.clear();
      })();
      return stopping;
    },
  };
}

/** Markout samples still due (each fill's +1 s, +5 s, +60 s), and those dropped at the pending cap. */
function countMarkouts(metrics: Metrics, sampler: MarkoutSampler): void {
  metrics.registry.registerMetric(
    new Gauge({
      name: "fillmore_markouts_pending",
      help: "Markout samples scheduled and not yet taken",
      registers: [],
      collect() {
        this.set(sampler.pending);
      },
    }),
  );
  metrics.registry.registerMetric(
    new Gauge({
      name: "fillmore_markouts_dropped",
      help: "Markout samples not scheduled because the pending cap was reached (since start)",
      registers: [],
      collect() {
        this.set(sampler.dropped);
      },
    }),
  );
}

function countLiveOrders(metrics: Metrics, orders: OrderManager): void {
  metrics.registry.registerMetric(
    new Gauge({
      name: "fillmore_live_orders",
      help: "Orders not in a terminal state",
      registers: [],
      collect() {
        this.set(orders.working().length);
      },
    }),
  );
}
