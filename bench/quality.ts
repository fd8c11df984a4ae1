// `npm run bench -- quality [--quick] [--orders N] [--overhead-only]` (--overhead-only keeps the last comparison figures)
//
// Execution quality, two figures (goals: issue 13):
//   comparison_1m_orders_s: the console's broker comparison (apps/web/src/server/routers/quality-aggregates.ts
//     comparison(), the same SQL) over N orders (default 1,000,000) in the execution_metrics projection, no
//     filter (every order, every venue × order type × size bucket). Also timed: aggregates by venue, the
//     time series, the slippage histogram and the comparison over one day, for docs/EXECUTION-QUALITY.md.
//     The rows are GENERATED IN SQL (generate_series): 3 venues with different latency, slippage and
//     reject characters, 6 symbols, 4 strategies, 3 accounts, 30 days. Goal ≤ 2 s.
//   metrics_overhead_pct: the order path (engine boundary: submit → OrderAccepted applied, marketable IOC
//     orders to the simulated venues, real Postgres journal) at a paced rate, p99 with live metric
//     collection (the markout sampler taking 1 s/5 s samples, the projection following commits, the
//     quality policy's figures refreshed) versus without, in alternating rounds; the median p99 of each.
//     Goal ≤ 5 %.
// Results: bench/results/quality.json (not written with --quick).
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, findFreePort, migrate, seedReference, startEmbeddedPostgres } from "@fillmore/db";
import { type SubmitOrder, submitOrderInput } from "@fillmore/shared";
import pg from "pg";
import { systemClock } from "../apps/engine/src/clock";
import { loadConfig } from "../apps/engine/src/config";
import { Journal } from "../apps/engine/src/journal/journal";
import { createLogger } from "../apps/engine/src/log";
import { RandomWalkFeed } from "../apps/engine/src/marketdata/quotes";
import { parseSessionEnd } from "../apps/engine/src/orders/expiry";
import { OrderManager } from "../apps/engine/src/orders/order-manager";
import { Positions } from "../apps/engine/src/positions/positions";
import { loadReference } from "../apps/engine/src/reference";
import { RiskSettings } from "../apps/engine/src/risk/risk-settings";
import { wireQuality } from "../apps/engine/src/wiring/quality";
import { setUpVenues } from "../apps/engine/src/wiring/venue-setup";
import { aggregates, comparison, type Run, slippageDistribution, timeseries } from "../apps/web/src/server/routers/quality-aggregates";
import { machineInfo } from "./lib/machine";
import { summarize } from "./lib/stats";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
/** Re-measure only the order-path overhead; the comparison figures are kept from the last results file. */
const OVERHEAD_ONLY = argv.includes("--overhead-only");
const ordersArg = argv.indexOf("--orders");
const ORDERS = ordersArg >= 0 ? Number(argv[ordersArg + 1]) : QUICK ? 100_000 : 1_000_000;
const RUNS = QUICK ? 3 : 5;
const OVERHEAD = { rate_per_s: 200, seconds: QUICK ? 5 : 15, rounds: QUICK ? 2 : 3 };
const GOALS = { comparison_1m_orders_s: 2, metrics_overhead_pct: 5 };
const root = path.resolve(import.meta.dirname, "..");
const log = (s: string) => console.log(s);

const dir = mkdtempSync(path.join(os.tmpdir(), "fillmore-quality-bench-"));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await findFreePort() });
const pools: pg.Pool[] = [];
try {
  // ---------------------------------------------------------------------------------------------
  // 1. Broker comparison over N orders in the projection
  const previous = OVERHEAD_ONLY
    ? (JSON.parse(readFileSync(path.join(root, "bench/results/quality.json"), "utf8")) as {
        at: string;
        comparison_1m_orders_s: number;
        comparison_cells: number;
        queries: Record<string, { median_s: number; max_s: number; runs: number }>;
      })
    : undefined;
  const url = await createDatabase(server.adminUrl, "quality_bench");
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pools.push(pool);
  const t0 = performance.now();
  await pool.query("SELECT setseed(0.42)");
  if (!previous)
    await pool.query(
      `INSERT INTO execution_metrics (order_id, account_id, symbol, side, order_type, venue, strategy, status, size_bucket,
       received_at, submitted_at, first_fill_at, completed_at, sent, rejected, denied, cancelled_unfilled, fully_filled,
       order_qty, filled_qty, notional, order_notional, arrival_mid, avg_px, latency_ms, first_fill_ms,
       slippage_cost, slippage_bench, slippage_bps, effective_spread_bps, markout_1s, markout_5s, markout_60s, fees, updated_seq)
     SELECT 'B-' || i, acc, sym, side, otype, venue, strat,
       CASE WHEN rej THEN 'OrderRejected' WHEN fill < 1 THEN 'OrderCancelled' ELSE 'OrderFilled' END,
       bucket, ts, ts + interval '200 microseconds', CASE WHEN rej THEN NULL ELSE ts + interval '5 milliseconds' END, ts + interval '10 milliseconds',
       true, rej, false, NOT rej AND fill < 1, NOT rej AND fill = 1,
       qty, CASE WHEN rej THEN 0 ELSE qty * fill END, CASE WHEN rej THEN 0 ELSE qty * fill * px END, qty * mid, mid,
       CASE WHEN rej THEN NULL ELSE px END, lat, CASE WHEN rej THEN NULL ELSE lat + 1 END,
       CASE WHEN rej THEN NULL ELSE qty * fill * (px - mid) * s END, CASE WHEN rej THEN NULL ELSE qty * fill * mid END,
       CASE WHEN rej THEN NULL ELSE ((px - mid) * s / mid * 10000)::float8 END, NULL,
       CASE WHEN rej THEN NULL ELSE qty * fill * mid * mk / 10000 END, CASE WHEN rej THEN NULL ELSE qty * fill * mid * mk * 1.5 / 10000 END,
       CASE WHEN rej THEN NULL ELSE qty * fill * mid * mk * 2 / 10000 END, CASE WHEN rej THEN 0 ELSE round(qty * fill * px * fee / 10000, 6) END, i
     FROM (
       SELECT i, acc, sym, side, otype, venue, strat, bucket, ts, qty, mid, s, rej, fill, lat, fee, mk,
         round(mid * (1 + s * slip / 10000), 4) AS px
       FROM (
         SELECT i,
           (ARRAY['ACC-ALPHA','ACC-BETA','ACC-GAMMA'])[i % 3 + 1] AS acc,
           (ARRAY['AAPL','MSFT','NVDA','AMZN','GOOG','TSLA'])[(i / 3) % 6 + 1] AS sym,
           CASE WHEN i % 2 = 0 THEN 'Buy' ELSE 'Sell' END AS side,
           CASE WHEN s2 < 0.6 THEN 'MARKET' WHEN s2 < 0.95 THEN 'LIMIT' ELSE 'STOP' END AS otype,
           (ARRAY['SIM-FAST','SIM-DEEP','SIM-CHEAP'])[v] AS venue,
           (ARRAY['S-MOM','S-MR','S-PAIRS','S-VWAP'])[(i / 7) % 4 + 1] AS strat,
           (ARRAY['lt250','250-1k','1k-5k','5k-20k','20k-50k','50k-200k','ge200k'])[1 + floor(power(s3, 2) * 7)::int] AS bucket,
           timestamptz '2026-01-01T00:00:00Z' + i * (interval '30 days' / $1::int) AS ts,
           (1 + floor(power(s3, 2) * 500)::int) * 10 AS qty,
           (100 + (i / 3) % 6 * 50)::numeric AS mid,
           CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END AS s,
           s4 < (ARRAY[0.01, 0.005, 0.03])[v] AS rej,
           CASE WHEN s5 < 0.8 THEN 1 ELSE 0.5 END AS fill,
           ((ARRAY[2, 15, 8])[v] * (0.5 + s6) + CASE WHEN s6 > 0.99 THEN 40 ELSE 0 END)::float8 AS lat,
           (ARRAY[3, 0.5, 1])[v]::numeric AS fee,
           round(((ARRAY[0.5, 1.5, 2.5])[v] + (s7 - 0.5) * 4)::numeric, 2) AS slip,
           round(((s8 - 0.55) * 4)::numeric, 2) AS mk
         FROM (SELECT i, 1 + (i / 5) % 3 AS v, random() AS s2, random() AS s3, random() AS s4, random() AS s5, random() AS s6,
                 random() AS s7, random() AS s8
               FROM generate_series(0, $1::int - 1) i) r
       ) g
     ) h`,
      [ORDERS],
    );
  if (!previous) await pool.query("VACUUM ANALYZE execution_metrics");
  if (!previous)
    log(
      `execution_metrics: ${ORDERS.toLocaleString("en-US")} orders generated and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

  const run: Run = async <T>(text: string, values: unknown[]) => (await pool.query(text, values)).rows as T[];
  const day = { from: "2026-01-15T00:00:00Z", to: "2026-01-16T00:00:00Z" };
  const cases: [string, () => Promise<unknown>][] = [
    ["comparison_all", () => comparison(run, {}, null)],
    ["comparison_one_day", () => comparison(run, day, null)],
    ["aggregates_by_venue_all", () => aggregates(run, {}, null, "venue")],
    ["aggregates_by_symbol_one_venue_all", () => aggregates(run, { venue: "SIM-DEEP" }, null, "symbol")],
    ["timeseries_all", () => timeseries(run, {}, null)],
    ["timeseries_one_day", () => timeseries(run, day, null)],
    ["slippage_histogram_all", () => slippageDistribution(run, {}, null)],
    ["comparison_one_account_all", () => comparison(run, {}, ["ACC-BETA"])],
  ];
  const queries: Record<string, { median_s: number; max_s: number; runs: number }> = previous?.queries ?? {};
  let comparisonRows = previous?.comparison_cells ?? 0;
  for (const [name, fn] of previous ? [] : cases) {
    const result = await fn(); // warm-up
    if (name === "comparison_all") comparisonRows = (result as { rows: unknown[] }).rows.length;
    const times: number[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const s = performance.now();
      await fn();
      times.push((performance.now() - s) / 1000);
    }
    times.sort((a, b) => a - b);
    queries[name] = {
      median_s: round(times[Math.floor(times.length / 2)] ?? Number.NaN),
      max_s: round(times[times.length - 1] ?? Number.NaN),
      runs: RUNS,
    };
    log(`  ${name.padEnd(36)} median ${queries[name]?.median_s.toFixed(3)} s  max ${queries[name]?.max_s.toFixed(3)} s`);
  }
  await pool.end();
  pools.pop();

  // ---------------------------------------------------------------------------------------------
  // 2. Order-path p99 with and without live metric collection
  const engineUrl = await createDatabase(server.adminUrl, "quality_bench_engine");
  await migrate(engineUrl);
  const epool = new pg.Pool({ connectionString: engineUrl, max: 4 });
  pools.push(epool);
  await seedReference(epool);
  const config = loadConfig({
    DATABASE_URL: engineUrl,
    ENGINE_PORT: "0",
    ENGINE_SERVICE_TOKEN: randomBytes(16).toString("hex"),
    LOG_LEVEL: "silent",
    SIM_LATENCY_MS: "0",
    SIM_TICK_MS: "1000",
  });
  const elog = createLogger("silent");
  const reference = await loadReference(epool);
  const journal = await Journal.open(epool, systemClock, elog, { maxBatch: config.JOURNAL_MAX_BATCH });
  const feed = new RandomWalkFeed([...reference.instruments.values()], config.SIM_TICK_MS, 7);
  const venueSetup = setUpVenues(reference, config, feed);
  const orders = new OrderManager({
    journal,
    clock: systemClock,
    log: elog,
    instruments: reference.instruments,
    accounts: new Set(reference.accounts.keys()),
    venues: venueSetup.venues,
    risk: new RiskSettings(journal),
    positions: new Positions(),
    quote: (symbol) => feed.quote(symbol),
    triggerPrice: config.STOP_TRIGGER_PRICE,
    sessionEndMinutes: parseSessionEnd(config.SESSION_END_UTC),
    routing: venueSetup.routing,
    commandLimits: {
      commandThrottle: { perSecond: 100_000, burst: 100_000 },
      refusalJournal: { perWindow: config.REFUSAL_JOURNAL_PER_WINDOW, windowMs: config.REFUSAL_JOURNAL_WINDOW_MS },
      gtdMaxHorizonDays: config.GTD_MAX_HORIZON_DAYS,
    },
  });
  feed.onQuote((q) => orders.onQuote(q));
  for (const v of venueSetup.venues.values()) await v.connect();
  feed.start();
  const sent = new Map<string, number>();
  const acks: number[] = [];
  orders.book.onRecorded((event) => {
    if (event.type === "OrderRejected" && event.orderId) sent.delete(event.orderId);
    if (event.type !== "OrderAccepted" || !event.orderId) return;
    const at = sent.get(event.orderId);
    if (at !== undefined) {
      acks.push(performance.now() - at);
      sent.delete(event.orderId);
    }
  });
  const symbols = [...reference.instruments.keys()].filter((s) => feed.quote(s));
  const simVenues = [...venueSetup.venues.keys()].filter((v) => v.startsWith("SIM-"));
  let n = 0;
  const order = (): SubmitOrder => {
    n += 1;
    return submitOrderInput.parse({
      clOrdId: `qb-${n}`,
      accountId: "ACC-ALPHA",
      symbol: symbols[n % symbols.length],
      side: Math.floor(n / symbols.length) % 2 === 0 ? "Buy" : "Sell",
      ordType: "Market",
      orderQty: "10",
      timeInForce: "IOC",
      venueId: simVenues[n % simVenues.length],
    });
  };
  async function measureRound(withMetrics: boolean): Promise<number> {
    const quality = withMetrics
      ? wireQuality(
          { orders, journal, pool: epool, quote: (s) => feed.quote(s), clock: systemClock, log: elog },
          { projectionThread: { databaseUrl: engineUrl, logLevel: "warn" } },
        )
      : undefined;
    quality?.start();
    acks.length = 0;
    const total = OVERHEAD.rate_per_s * OVERHEAD.seconds;
    const start = performance.now();
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / OVERHEAD.rate_per_s;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const input = order();
      const t = performance.now();
      const { order: o } = await orders.submit(input, "bench");
      sent.set(o.orderId, t);
    }
    const deadline = performance.now() + 5000;
    while (sent.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await journal.durable();
    quality?.stop();
    await quality?.projection?.idle();
    sent.clear();
    return summarize(acks).p99_ms;
  }
  log(`order path: ${OVERHEAD.rounds} rounds each of ${OVERHEAD.seconds} s at ${OVERHEAD.rate_per_s}/s, without / with metric collection…`);
  await measureRound(false); // warm-up
  const without: number[] = [];
  const withM: number[] = [];
  for (let r = 0; r < OVERHEAD.rounds; r += 1) {
    without.push(await measureRound(false));
    withM.push(await measureRound(true));
    log(`  round ${r + 1}: p99 without ${without[r]?.toFixed(3)} ms, with ${withM[r]?.toFixed(3)} ms`);
  }
  feed.stop();
  for (const v of venueSetup.venues.values()) await v.disconnect();
  await journal.close();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const p99Without = med(without);
  const p99With = med(withM);
  const overheadPct = round2(((p99With - p99Without) / p99Without) * 100);

  const comparisonS = queries.comparison_all?.median_s ?? Number.NaN;
  const out = {
    benchmark: "quality",
    at: new Date().toISOString(),
    machine: machineInfo(),
    orders: ORDERS,
    ...(previous ? { comparison_measured_at: previous.at } : {}),
    comparison_1m_orders_s: comparisonS,
    comparison_cells: comparisonRows,
    metrics_overhead_pct: overheadPct,
    order_path: {
      rate_per_s: OVERHEAD.rate_per_s,
      seconds_per_round: OVERHEAD.seconds,
      rounds: OVERHEAD.rounds,
      p99_without_ms: round2(p99Without),
      p99_with_ms: round2(p99With),
      rounds_p99_without_ms: without.map(round2),
      rounds_p99_with_ms: withM.map(round2),
    },
    queries,
    goals: GOALS,
    met: {
      comparison_1m_orders_s: comparisonS <= GOALS.comparison_1m_orders_s,
      metrics_overhead_pct: overheadPct <= GOALS.metrics_overhead_pct,
    },
  };
  console.table({
    comparison_1m_orders_s: { value: comparisonS, goal: `≤ ${GOALS.comparison_1m_orders_s}`, met: out.met.comparison_1m_orders_s },
    metrics_overhead_pct: { value: overheadPct, goal: `≤ ${GOALS.metrics_overhead_pct}`, met: out.met.metrics_overhead_pct },
  });
  if (!QUICK) writeFileSync(path.join(root, "bench/results/quality.json"), `${JSON.stringify(out, null, 2)}\n`);
} finally {
  for (const p of pools) await p.end().catch(() => undefined);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
