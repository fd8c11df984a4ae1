// `npm run bench -- audit-search [--events N] [--quick]`
//
// The console's audit search (apps/web/src/server/routers/audit.ts searchQuery, the same SQL) over a
// journal of N events (default 1,000,000; --quick 100,000): the first page (50 events, newest first)
// of each filter, and a page deep in the result (keyset cursor in the middle), p50/p99 over 20 runs
// each after 3 warm-up runs (the unindexed text search: 5 after 1 past 2,000,000 events), on embedded
// Postgres with the migrations' indexes. `--events 10000000` gives the export benchmark its
// audit_search_10m_ms (the account + types case; bench/export.ts reads this file's result).
// The events are GENERATED IN SQL (generate_series), shaped like the engine's: per order
// OrderReceived, RouteDecided, OrderSubmitted, OrderAccepted, OrderFilled, over 3 accounts,
// 6 symbols, 4 strategies and 5 actors; one event in 50 an AlertRaised of no order. Their hashes are
// placeholders (the chain is not verified here); the load drops the secondary indexes and builds them
// again after (bench/lib/generated-journal.ts). Results: bench/results/audit-search.json.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, findFreePort, migrate, startEmbeddedPostgres } from "@fillmore/db";
import pg from "pg";
import { auditSearchInput, resolveOrders, searchQuery } from "../apps/web/src/server/routers/audit";
import { loadGeneratedJournal } from "./lib/generated-journal";
import { machineInfo } from "./lib/machine";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const eventsArg = argv.indexOf("--events");
const EVENTS = eventsArg >= 0 ? Number(argv[eventsArg + 1]) : QUICK ? 100_000 : 1_000_000;
const RUNS = 20;
const EXPLAIN = argv.includes("--explain");
const GOAL_MS = 100;
const root = path.resolve(import.meta.dirname, "..");

const dir = mkdtempSync(path.join(os.tmpdir(), "fillmore-audit-bench-"));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await findFreePort() });
try {
  const url = await createDatabase(server.adminUrl, "audit_bench");
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const orders = Math.floor(EVENTS / 5);
  const t0 = performance.now();
  // Event i of order o: seq = o*5 + i + 1; every 50th seq an alert of no order instead.
  await loadGeneratedJournal(pool, EVENTS, { log: console.log });
  await pool.query("VACUUM ANALYZE journal");
  const loadS = (performance.now() - t0) / 1000;
  console.log(
    `journal: ${EVENTS.toLocaleString("en-US")} events (${orders.toLocaleString("en-US")} orders) loaded and indexed in ${loadS.toFixed(1)} s`,
  );

  const mid = Math.floor(orders / 2);
  const cases: [string, Record<string, unknown>][] = [
    ["unfiltered", {}],
    ["orderId", { orderId: `O${mid}` }],
    ["clOrdId", { clOrdId: `C-${mid}` }],
    ["venueOrderId", { venueOrderId: `V-${mid}` }],
    ["actor", { actor: "key:k2" }],
    ["accountId", { accountId: "ACC-BETA" }],
    ["strategy", { strategy: "S-PAIRS" }],
    ["symbol", { symbol: "NVDA" }],
    ["types", { types: ["OrderFilled"] }],
    ["account+types", { accountId: "ACC-GAMMA", types: ["OrderFilled", "OrderAccepted"] }],
    // A minute in the middle of the journal (one event per millisecond).
    [
      "time range",
      {
        from: new Date(Date.parse("2026-01-01T00:00:00Z") + EVENTS / 2).toISOString(),
        to: new Date(Date.parse("2026-01-01T00:00:00Z") + EVENTS / 2 + 60_000).toISOString(),
      },
    ],
    ["deep page (cursor mid-journal)", { accountId: "ACC-ALPHA", cursor: Math.floor(EVENTS / 2) }],
    ["text + account (not indexed)", { accountId: "ACC-ALPHA", text: "lowest cost" }],
  ];
  const results: Record<string, { p50_ms: number; p99_ms: number; rows: number }> = {};
  for (const [name, filter] of cases) {
    const input = auditSearchInput.parse({ ...filter, limit: 50 });
    const run = async (text: string, values: unknown[]) => (await pool.query(text, values)).rows;
    const { text, values } = searchQuery(input, null, await resolveOrders(run, input));
    if (EXPLAIN) {
      const plan = await pool.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${text}`, values);
      console.log(`-- ${name}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
    }
    const times: number[] = [];
    let rows = 0;
    // The unindexed text search reads every event of the account: seconds a run past 2,000,000 events,
    // so 1 warm-up and 5 runs there (its p99 is then the slowest run).
    const [warm, runs] = name.startsWith("text") && EVENTS > 2_000_000 ? [1, 5] : [3, RUNS];
    for (let i = 0; i < warm + runs; i++) {
      const started = performance.now();
      const again = searchQuery(input, null, await resolveOrders(run, input));
      const r = await pool.query(again.text, again.values);
      if (i >= warm) times.push(performance.now() - started);
      rows = r.rowCount ?? 0;
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => Math.round((times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? 0) * 100) / 100;
    results[name] = { p50_ms: pct(50), p99_ms: pct(99), rows };
    console.log(`${name.padEnd(34)} p50 ${pct(50).toFixed(2).padStart(8)} ms  p99 ${pct(99).toFixed(2).padStart(8)} ms  (${rows} rows)`);
  }
  await pool.end();
  const worstIndexed = Math.max(
    ...Object.entries(results)
      .filter(([n]) => !n.startsWith("text"))
      .map(([, r]) => r.p99_ms),
  );
  const out = {
    benchmark: "audit-search",
    events: EVENTS,
    page: 50,
    runs: RUNS,
    load_s: Math.round(loadS * 10) / 10,
    goal_ms: GOAL_MS,
    worst_indexed_p99_ms: worstIndexed,
    meets_goal: worstIndexed <= GOAL_MS,
    cases: results,
    machine: machineInfo(),
    at: new Date().toISOString(),
  };
  if (!QUICK) writeFileSync(path.join(root, "bench/results/audit-search.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`worst indexed first page p99: ${worstIndexed} ms (goal ≤ ${GOAL_MS} ms)${QUICK ? " (quick: not written)" : ""}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
