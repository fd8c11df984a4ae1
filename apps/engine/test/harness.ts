import { randomBytes } from "node:crypto";
import { seedReference } from "@fillmore/db";
import { type FreshDatabase, freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { type EngineConfig, loadConfig } from "../src/config";
import { type RunningEngine, startEngine } from "../src/engine";
import { createLogger } from "../src/log";

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

/** A migrated, seeded database and an engine on a free loopback port, with zero venue latency. */
export async function createHarness(overrides: Partial<EngineConfig> = {}): Promise<Harness> {
  const db = await freshDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on("error", () => undefined); // the database is dropped at the end; idle clients may see it go
  await seedReference(pool);
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

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Holds every journal commit back with a table lock, to put a crash inside the window between an
 * order's send and its commit. `release` first ends every other session on the database (the dead
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
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
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
