import { randomBytes } from "node:crypto";
import { seedReference } from "@fillmore/db";
import { type FreshDatabase, freshDatabase } from "@fillmore/db/testing";
import { type AnyEvent, type Order, type SubmitOrderInput, submitOrderInput } from "@fillmore/shared";
import pg from "pg";
import { systemClock } from "../src/clock";
import { type EngineConfig, loadConfig } from "../src/config";
import { type RunningEngine, startEngine } from "../src/engine";
import { Journal } from "../src/journal/journal";
import { createLogger } from "../src/log";
import type { Quote } from "../src/marketdata/quotes";
import { parseSessionEnd } from "../src/orders/expiry";
import { OrderManager } from "../src/orders/order-manager";
import { Positions } from "../src/positions/positions";
import type { InstrumentRule } from "../src/risk/checks";
import { RiskSettings } from "../src/risk/risk-settings";
import { VenueMonitor } from "../src/routing/venue-monitor";
import type { BrokerAdapter, OrderChanges, VenueCapabilities, VenueOrderStatus, VenuePosition, VenueReport } from "../src/venues/adapter";

/** The engine's JSON answers, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary response fields
type ApiBody = any;

export interface Harness {
  db: FreshDatabase;
  config: EngineConfig;
  pool: pg.Pool;
  start(): Promise<RunningEngine>;
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<{ status: number; json: ApiBody }>;
  engine: RunningEngine | undefined;
  close(): Promise<void>;
}

/**
 * A migrated, seeded database and an engine on a free loopback port, with zero venue latency and no
 * random venue rejects: the demo's SIM-CHEAP refuses 3 % of new orders (a seeded sequence, so which
 * order depends on what went there before), and a test that routes an order and waits for its fill
 * or cancel would wait in vain for that one. A test about rejects sets its venue's rate itself.
 */
export async function createHarness(overrides: Partial<EngineConfig> = {}): Promise<Harness> {
  const db = await freshDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on("error", () => undefined); // the database is dropped at the end; idle clients may see it go
  await seedReference(pool);
  await pool.query(`UPDATE venue SET config = config || '{"rejectRate": 0}'::jsonb WHERE kind = 'sim'`);
  const config: EngineConfig = {
    ...loadConfig({
      DATABASE_URL: db.url,
      ENGINE_PORT: "0",
      ENGINE_SERVICE_TOKEN: randomBytes(16).toString("hex"),
      LOG_LEVEL: "silent",
      SIM_LATENCY_MS: "0",
      SIM_TICK_MS: "60000",
    }),
    ...overrides,
  };

  const harness: Harness = {
    db,
    config,
    pool,
    engine: undefined,
    async start() {
      harness.engine = await startEngine(config, createLogger(process.env.HARNESS_LOG ?? "silent"));
      return harness.engine;
    },
    async api(path, init = {}) {
      if (!harness.engine) throw new Error("engine not started");
      const token = init.token === undefined ? config.ENGINE_SERVICE_TOKEN : init.token;
      const response = await fetch(`${harness.engine.url}${path}`, {
        method: init.method ?? (init.body ? "POST" : "GET"),
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
        body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
      });
      return { status: response.status, json: await response.json() };
    },
    async close() {
      await harness.engine?.stop();
      await pool.end();
      await db.cleanup();
    },
  };
  return harness;
}

/**
 * Events journaled because of requests: leaves out what arrives in the background, the engine's own
 * events (venue health, alerts) and late venue reports for earlier orders.
 */
export async function journalCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM journal WHERE actor <> 'engine' AND actor NOT LIKE 'venue:%'",
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * What the engine's event stream (`/v1/stream?<query>`) sends until `done` holds for the text so far
 * or the engine ends the stream.
 */
export async function streamText(h: Harness, query: string, done: (text: string) => boolean): Promise<string> {
  const controller = new AbortController();
  const response = await fetch(`${h.engine?.url}/v1/stream?${query}`, {
    headers: { authorization: `Bearer ${h.config.ENGINE_SERVICE_TOKEN}` },
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  let text = "";
  while (reader && !done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  return text;
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The application name of a test's own connections, which `holdJournalCommits` leaves alone. */
export const OBSERVER = "fillmore-test-observer";

/**
 * Holds every journal commit back with a table lock, to put a crash inside the window between an
 * order's send and its commit. `release` first ends every other session on the database but the test's own (`OBSERVER`) (the dead
 * engine's statements still wait on the lock, and must not commit after the crash), then unlocks.
 */
export async function holdJournalCommits(url: string): Promise<{ release(): Promise<void> }> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query("LOCK TABLE journal IN SHARE MODE");
  return {
    async release() {
      await locker.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> '${OBSERVER}'`,
      );
      await locker.query("ROLLBACK");
      await locker.end();
    },
  };
}

/** The alert codes journaled for one order. */
export async function alertCodes(pool: pg.Pool, orderId: string): Promise<string[]> {
  const { rows } = await pool.query("SELECT payload FROM journal WHERE type = 'AlertRaised' AND order_id = $1", [orderId]);
  return rows.map((r) => (r.payload as { data: { code: string } }).data.code);
}

// ---------------------------------------------------------------------------------------------
// In-process order manager against a scripted venue: the real OrderManager, book, state machine,
// positions and risk, with a journal whose database is a recorder (no Postgres). For venue-report
// scenarios and the model-based property test, where the test plays the venue.

/** What the engine asked the scripted venue to do. */
export type VenueRequest =
  | { kind: "submit"; order: Order }
  | { kind: "cancel"; orderId: string }
  | { kind: "modify"; orderId: string; changes: OrderChanges };

/** A venue the test scripts: it records requests and says only what the test makes it say. */
export class ScriptedVenue implements BrokerAdapter {
  readonly capabilities: VenueCapabilities = {
    ordTypes: ["Market", "Limit"],
    timeInForces: ["DAY", "GTC", "IOC", "FOK", "GTD"],
    nativeStops: false,
    modify: true,
    cancel: true,
  };
  readonly requests: VenueRequest[] = [];
  /** What the venue answers when asked about an order (reconciliation). */
  readonly status = new Map<string, VenueOrderStatus>();
  private readonly listeners: ((r: VenueReport) => void)[] = [];

  constructor(readonly name: string) {}

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async submitOrder(order: Order): Promise<void> {
    this.requests.push({ kind: "submit", order });
  }
  async cancelOrder(order: Order): Promise<void> {
    this.requests.push({ kind: "cancel", orderId: order.orderId });
  }
  async modifyOrder(order: Order, changes: OrderChanges): Promise<void> {
    this.requests.push({ kind: "modify", orderId: order.orderId, changes });
  }
  async getOrderStatus(orderId: string): Promise<VenueOrderStatus> {
    return this.status.get(orderId) ?? { orderId, known: false };
  }
  async recoverOrders(): Promise<Order[]> {
    return [];
  }
  async getPositions(): Promise<VenuePosition[]> {
    return [];
  }
  isHealthy(): boolean {
    return true;
  }
  onReport(listener: (report: VenueReport) => void): void {
    this.listeners.push(listener);
  }
  /** Sends a report to the engine, as the adapter's data handler would. */
  report(report: VenueReport): void {
    for (const listener of this.listeners) listener(report);
  }
}

export interface OrderManagerHarness {
  orders: OrderManager;
  venue: ScriptedVenue;
  positions: Positions;
  risk: RiskSettings;
  journal: Journal;
  quotes: Map<string, Quote>;
  /** Every event committed so far, in order. */
  events(): Promise<AnyEvent[]>;
  /** The alert codes journaled for one order. */
  alerts(orderId: string): Promise<string[]>;
  /** A limit order (by default a buy 100 AAPL @ 100) sent to the scripted venue, optionally acknowledged. */
  working(input?: Partial<SubmitOrderInput>, options?: { ack?: boolean }): Promise<Order>;
  get(orderId: string): Order;
  /** The instruments the order manager reads (AAPL, MSFT): a test may change a rule (e.g. trading hours). */
  instruments: Map<string, InstrumentRule>;
}

const harnessInstruments = (): Map<string, InstrumentRule> =>
  new Map(["AAPL", "MSFT"].map((symbol) => [symbol, { symbol, tickSize: "0.01", lotSize: "1", tradable: true }]));

/** The real order manager wired to one scripted venue and an in-memory journal; quotes at 100. */
export async function createOrderManagerHarness(): Promise<OrderManagerHarness> {
  const committed: AnyEvent[] = [];
  const instruments = harnessInstruments();
  // The journal's database: records every committed batch instead of writing it.
  const recorder = {
    async query(text: string, values?: unknown[]) {
      // One JSON parameter: the batch's rows, each with its event as `payload` (journal/projection.ts).
      if (text.includes("INSERT INTO journal") && values)
        for (const row of JSON.parse(values[0] as string) as { payload: AnyEvent }[]) committed.push(row.payload);
      return { rows: [] };
    },
  } as unknown as pg.Pool;
  const log = createLogger("silent");
  const journal = await Journal.open(recorder, systemClock, log, { maxBatch: 10_000 });
  const venue = new ScriptedVenue("SCRIPTED");
  const venues = new Map<string, BrokerAdapter>([[venue.name, venue]]);
  const quotes = new Map<string, Quote>(
    [...instruments.keys()].map((symbol) => [symbol, { symbol, bid: "99.99", ask: "100.01", last: "100", ts: 0 }]),
  );
  const risk = new RiskSettings(journal);
  const positions = new Positions();
  const orders = new OrderManager({
    journal,
    clock: systemClock,
    log,
    instruments,
    accounts: new Set(["ACC-1", "ACC-2"]),
    venues,
    risk,
    positions,
    quote: (symbol) => quotes.get(symbol),
    triggerPrice: "last",
    sessionEndMinutes: parseSessionEnd("21:00"),
    routing: {
      policy: "bestPrice",
      monitor: new VenueMonitor(venues),
      feeBps: () => "0",
      rateLimit: () => undefined,
      depth: () => "0",
    },
  });
  let n = 0;
  const get = (orderId: string): Order => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    return order;
  };
  const events = async () => {
    await journal.durable();
    return [...committed];
  };
  return {
    orders,
    instruments,
    venue,
    positions,
    risk,
    journal,
    quotes,
    events,
    get,
    async alerts(orderId) {
      return (await events()).flatMap((e) => (e.type === "AlertRaised" && e.orderId === orderId ? [e.data.code] : []));
    },
    async working(input = {}, options = {}) {
      n += 1;
      const parsed = submitOrderInput.parse({
        clOrdId: `H-${n}`,
        accountId: "ACC-1",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Limit",
        price: "100",
        orderQty: "100",
        timeInForce: "GTC",
        ...input,
      });
      const { order } = await orders.submit(parsed, "user:test");
      if (order.ordStatus !== "Submitted") throw new Error(`order ${order.orderId} is ${order.ordStatus}: ${order.rejectReason}`);
      if (options.ack !== false) venue.report({ kind: "accepted", orderId: order.orderId, venueOrderId: `V-${order.orderId}` });
      return get(order.orderId);
    },
  };
}
