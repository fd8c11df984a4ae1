// `npm run bench -- order-history [--orders N] [--quick]`
//
// The order history page (apps/web/src/server/reports/order-history.ts orderHistoryPage, the
// console's own query) over an orders projection of N rows (default 1,000,000; --quick 100,000),
// generated in SQL over 3 accounts, 6 symbols, 4 statuses, quantities 1-1000: the first page (50) and
// a page deep in the result (keyset cursor at the middle) of every sort, both directions, unfiltered
// and filtered by account. p50 of 5 runs after 1 warm-up, on embedded Postgres with the migrations'
// indexes: (created_at, id) and (updated_at, id) serve their sorts; the other sorts have no
// (column, id) index and sort every matching row for each page. Results: bench/results/order-history.json.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, createPrisma, findFreePort, migrate, startEmbeddedPostgres } from "@fillmore/db";
import pg from "pg";
import { ORDER_SORTS, type OrderSort, orderHistoryInput, orderHistoryPage } from "../apps/web/src/server/reports/order-history";
import { machineInfo } from "./lib/machine";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const ordersArg = argv.indexOf("--orders");
const ORDERS = ordersArg >= 0 ? Number(argv[ordersArg + 1]) : QUICK ? 100_000 : 1_000_000;
const RUNS = 5;
const root = path.resolve(import.meta.dirname, "..");

const dir = mkdtempSync(path.join(os.tmpdir(), "fillmore-history-bench-"));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await findFreePort() });
try {
  const url = await createDatabase(server.adminUrl, "history_bench");
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let t0 = performance.now();
  await pool.query(
    `INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, ord_status, cum_qty,
       leaves_qty, avg_px, strategy, created_by, created_at, updated_at, last_seq)
     SELECT 'O' || s, 'C-' || s, (ARRAY['ACC-ALPHA','ACC-BETA','ACC-GAMMA'])[s % 3 + 1],
       (ARRAY['AAPL','MSFT','NVDA','TSLA','SPY','EURUSD'])[s % 6 + 1], CASE WHEN s % 2 = 0 THEN 'Buy' ELSE 'Sell' END,
       'Market', 'DAY', (s * 7919) % 1000 + 1, (ARRAY['Filled','Cancelled','Rejected','Accepted'])[s % 4 + 1],
       CASE WHEN s % 4 = 0 THEN (s * 7919) % 1000 + 1 ELSE 0 END, 0, 189.5, NULL, 'user:t@x',
       timestamptz '2026-01-01T00:00:00Z' + s * interval '10 milliseconds',
       timestamptz '2026-01-01T00:00:00Z' + s * interval '10 milliseconds' + (s % 97) * interval '1 second', s
     FROM generate_series(1, $1::bigint) s`,
    [ORDERS],
  );
  await pool.query("VACUUM ANALYZE orders");
  const loadS = (performance.now() - t0) / 1000;
  console.log(`orders: ${ORDERS.toLocaleString("en-US")} rows loaded in ${loadS.toFixed(1)} s`);
  const prisma = createPrisma(url);
  const results: Record<string, { first_ms: number; deep_ms: number }> = {};
  const p50 = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      t0 = performance.now();
      await run();
      if (i > 0) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10;
  };
  for (const filters of [{}, { accountId: "ACC-BETA" }]) {
    for (const sort of Object.keys(ORDER_SORTS) as OrderSort[]) {
      for (const dir of ["desc", "asc"] as const) {
        const input = orderHistoryInput.parse({ filters, sort, dir, limit: 50 });
        // The cursor of a page in the middle: the row there, as the page before it would have ended.
        const column = ORDER_SORTS[sort];
        const value =
          sort === "createdAt" || sort === "updatedAt"
            ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
            : `${column}::text`;
        const { rows } = await pool.query<{ v: string; id: string }>(
          `SELECT ${value} AS v, id FROM orders ${"accountId" in filters ? "WHERE account_id = 'ACC-BETA'" : ""}
           ORDER BY ${column} ${dir}, id ${dir} OFFSET ${Math.floor(("accountId" in filters ? ORDERS / 3 : ORDERS) / 2)} LIMIT 1`,
        );
        const mid = rows[0];
        const cursor = mid ? Buffer.from(JSON.stringify([mid.v, mid.id])).toString("base64url") : undefined;
        const name = `${sort} ${dir}${"accountId" in filters ? " (account)" : ""}`;
        const first = await p50(() => orderHistoryPage(prisma, input, null));
        const deep = await p50(() => orderHistoryPage(prisma, { ...input, cursor }, null));
        results[name] = { first_ms: first, deep_ms: deep };
        console.log(`${name.padEnd(28)} first page ${first.toFixed(1).padStart(8)} ms   mid-result page ${deep.toFixed(1).padStart(8)} ms`);
      }
    }
  }
  await prisma.$disconnect();
  await pool.end();
  const out = {
    benchmark: "order-history",
    orders: ORDERS,
    page: 50,
    runs: RUNS,
    load_s: Math.round(loadS * 10) / 10,
    cases: results,
    machine: machineInfo(),
    at: new Date().toISOString(),
  };
  if (!QUICK) writeFileSync(path.join(root, "bench/results/order-history.json"), `${JSON.stringify(out, null, 2)}\n`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
