// `npm run bench -- export [--fills N] [--events N (default 0: the 10,000,000-event search figure from audit-search.json)] [--formats csv,xlsx,pdf] [--profile] [--quick]`
//
// Trade report exports exactly as the console runs them: exportInChild (apps/web/src/server/exports/
// export-process.ts) starts the export process, which reads the fills with pg and writes the file; CSV
// and XLSX of N fills (default 1,000,000; --quick 100,000), PDF of 10,000 fills. The process reports
// its own figures: CPU of the job, peak RSS (getrusage maxrss: the whole export process, its Node,
// tsx and modules included), RSS at start, heap + external peak. The audit search's first page over
// 10,000,000 events (audit_search_10m_ms, account + types filter) is taken from
// bench/results/audit-search.json, written by `npm run bench -- audit-search --events 10000000` (about
// 10 minutes here, most of it generating and indexing the journal), with its event count and date;
// `--events N` measures it here instead over a generated journal of N events. Fills are generated in
// SQL over 3 accounts x 4 strategies x 6 symbols, one every 2.592 s through March 2026. Results:
// bench/results/export.json.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, findFreePort, migrate, startEmbeddedPostgres } from "@fillmore/db";
import pg from "pg";
import { type ExportProcessStats, exportInChild } from "../apps/web/src/server/exports/export-process";
import { SOURCES } from "../apps/web/src/server/exports/sources";
import type { ExportFormat } from "../apps/web/src/server/exports/writers";
import { auditSearchInput, resolveOrders, searchQuery } from "../apps/web/src/server/routers/audit";
import { loadGeneratedJournal } from "./lib/generated-journal";
import { machineInfo } from "./lib/machine";

const argv = process.argv.slice(2);
const root = path.resolve(import.meta.dirname, "..");
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

const MARCH = "2026-03-01T00:00:00.000Z";
const STEP_MS = 2592; // 1,000,000 fills over the 30 days of March

interface ChildResult {
  format: ExportFormat;
  rows: number;
  bytes: number;
  /** Wall time from starting the export process to its result, as the console waits for it. */
  seconds: number;
  /** CPU time of the export process's job (user + system, all its threads): less sensitive than wall time to a loaded machine. */
  cpuSeconds: number;
  /** Peak RSS of the export process (getrusage maxrss). */
  peakMb: number;
  /** Peak V8 heap in use plus external memory (buffers): what the export holds, without the heap's free room. */
  heapPeakMb: number;
  /** RSS of the export process when the job arrived (Node, tsx, pg, the modules): the peak includes it. */
  baselineMb: number;
}

/**
 * One export of the trade report as the console runs it: exportInChild (apps/web/src/server/exports/
 * export-process.ts) starts the export process, which reads the fills with pg and writes the file.
 */
async function runChild(format: ExportFormat, url: string, rows: number, dir: string): Promise<ChildResult> {
  const file = path.join(dir, `export.${format}`);
  // --profile: the export process writes its CPU profiles (one per thread: tsx's loader runs in its
  // own) into bench/results/export-<format>-profile.tmp/.
  const flags = argv.includes("--profile")
    ? ["--cpu-prof", "--cpu-prof-dir", path.join(root, `bench/results/export-${format}-profile.tmp`)]
    : [];
  const to = new Date(Date.parse(MARCH) + rows * STEP_MS).toISOString();
  const input = SOURCES.trades.input.parse({ reportType: "regulatory", dateRange: { from: MARCH, to } });
  let stats: ExportProcessStats | undefined;
  const started = performance.now();
  const r = await exportInChild(
    {
      databaseUrl: url,
      format,
      input,
      heading: { title: "Trade report", producedBy: "bench", producedAt: new Date().toISOString(), filters: input },
      accountIds: null,
      file,
    },
    { flags, onStats: (s) => (stats = s) },
  );
  const seconds = (performance.now() - started) / 1000;
  if (!stats) throw new Error("the export process sent no figures");
  const result: ChildResult = {
    format,
    rows: r.rows,
    bytes: r.bytes,
    seconds,
    cpuSeconds: stats.cpuSeconds,
    peakMb: stats.peakRssMb,
    heapPeakMb: stats.heapPeakMb,
    baselineMb: stats.startRssMb,
  };
  console.log(
    `${format.toUpperCase().padEnd(5)} ${result.rows.toLocaleString("en-US").padStart(10)} rows  ${result.seconds.toFixed(2).padStart(7)} s (CPU ${result.cpuSeconds.toFixed(2)} s)  peak RSS ${result.peakMb.toFixed(0).padStart(4)} MB (${result.baselineMb.toFixed(0)} MB at start; heap + external peak ${result.heapPeakMb.toFixed(0)} MB)  ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB file`,
  );
  rmSync(file, { force: true });
  return result;
}

async function loadFills(pool: pg.Pool, fills: number): Promise<void> {
  const orders = Math.ceil(fills / 10);
  await pool.query(
    `INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, ord_status, cum_qty, leaves_qty,
       strategy, created_by, created_at, updated_at, last_seq)
     SELECT 'O' || o, 'C-' || o, (ARRAY['ACC-ALPHA','ACC-BETA','ACC-GAMMA'])[o % 3 + 1], (ARRAY['AAPL','MSFT','NVDA','TSLA','SPY','QQQ'])[o % 6 + 1],
       CASE WHEN o % 2 = 0 THEN 'Buy' ELSE 'Sell' END, 'Market', 'DAY', 1000, 'Filled', 1000, 0,
       (ARRAY['S-MOM','S-MR','S-PAIRS','S-VWAP'])[o % 4 + 1], 'user:t@x', $2::timestamptz, $2::timestamptz, o
     FROM generate_series(0, $1::bigint - 1) o`,
    [orders, MARCH],
  );
  await pool.query(
    `INSERT INTO fill (exec_id, order_id, venue_id, last_qty, last_px, ts, account_id, strategy, symbol, side, fees, currency, liquidity, seq)
     SELECT 'SIM-FAST:E' || s, 'O' || o, (ARRAY['SIM-FAST','SIM-DEEP','SIM-SLOW'])[s % 3 + 1], 100, 100 + (s % 997) / 100.0,
       $2::timestamptz + ((s - 1) * interval '2592 microseconds') * 1000,
       (ARRAY['ACC-ALPHA','ACC-BETA','ACC-GAMMA'])[o % 3 + 1], (ARRAY['S-MOM','S-MR','S-PAIRS','S-VWAP'])[o % 4 + 1],
       (ARRAY['AAPL','MSFT','NVDA','TSLA','SPY','QQQ'])[o % 6 + 1], CASE WHEN o % 2 = 0 THEN 'Buy' ELSE 'Sell' END, 0.35, 'USD', 'taker', s
     FROM (SELECT s, (s - 1) / 10 AS o FROM generate_series(1, $1::bigint) s) g`,
    [fills, MARCH],
  );
  await pool.query("VACUUM ANALYZE fill");
  await pool.query("VACUUM ANALYZE orders");
}

async function searchFirstPage(pool: pg.Pool, runs: number): Promise<{ p50: number; p99: number }> {
  const input = auditSearchInput.parse({ accountId: "ACC-GAMMA", types: ["OrderFilled", "OrderAccepted"], limit: 50 });
  const run = async (text: string, values: unknown[]) => (await pool.query(text, values)).rows;
  const times: number[] = [];
  for (let i = 0; i < 3 + runs; i++) {
    const started = performance.now();
    const { text, values } = searchQuery(input, null, await resolveOrders(run, input));
    await pool.query(text, values);
    if (i >= 3) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round((times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? 0) * 100) / 100;
  return { p50: pct(50), p99: pct(99) };
}

/** The audit search's figure of record: the account + types case of bench/results/audit-search.json. */
function searchOfRecord(): { p50: number; p99: number; events: number; source: string } {
  const file = path.join(root, "bench/results/audit-search.json");
  const none = { p50: Number.NaN, p99: Number.NaN, events: 0, source: "none: run npm run bench -- audit-search --events 10000000" };
  if (!existsSync(file)) return none;
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    events: number;
    at: string;
    cases: Record<string, { p50_ms: number; p99_ms: number }>;
  };
  const c = r.cases["account+types"];
  if (!c) return none;
  return { p50: c.p50_ms, p99: c.p99_ms, events: r.events, source: `bench/results/audit-search.json (${r.at})` };
}

async function main(): Promise<void> {
  const quick = argv.includes("--quick");
  const fills = Number(arg("--fills") ?? (quick ? 100_000 : 1_000_000));
  const events = Number(arg("--events") ?? 0);
  const pdfRows = Math.min(10_000, fills);
  const formats = (arg("--formats") ?? "csv,xlsx,pdf").split(",");
  const dir = mkdtempSync(path.join(os.tmpdir(), "fillmore-export-bench-"));
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await findFreePort() });
  try {
    const url = await createDatabase(server.adminUrl, "export_bench");
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    let t0 = performance.now();
    await loadFills(pool, fills);
    console.log(`fills: ${fills.toLocaleString("en-US")} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const skipped: ChildResult = {
      format: "csv",
      rows: 0,
      bytes: 0,
      seconds: Number.NaN,
      cpuSeconds: Number.NaN,
      peakMb: Number.NaN,
      heapPeakMb: Number.NaN,
      baselineMb: Number.NaN,
    };
    const only = async (format: ExportFormat, rows: number) => (formats.includes(format) ? runChild(format, url, rows, dir) : skipped);
    const csv = await only("csv", fills);
    const xlsx = await only("xlsx", fills);
    const pdf = await only("pdf", pdfRows);
    let loadS = 0;
    let search = { p50: Number.NaN, p99: Number.NaN, events, source: "bench/export.ts --events" };
    if (events === 0) search = searchOfRecord();
    else {
      t0 = performance.now();
      await loadGeneratedJournal(pool, events, { log: console.log });
      await pool.query("VACUUM ANALYZE journal");
      loadS = (performance.now() - t0) / 1000;
      console.log(`journal: ${events.toLocaleString("en-US")} events loaded and indexed in ${loadS.toFixed(1)} s`);
      search = { ...search, ...(await searchFirstPage(pool, 20)) };
    }
    console.log(
      `audit search first page (account + types) over ${search.events.toLocaleString("en-US")} events: p50 ${search.p50} ms, p99 ${search.p99} ms (${search.source})`,
    );
    await pool.end();
    const round = (n: number) => Math.round(n * 100) / 100;
    const out = {
      benchmark: "export",
      fills,
      pdf_rows: pdf.rows,
      csv_1m_s: round(csv.seconds),
      csv_rows_per_s: Math.round(csv.rows / csv.seconds),
      xlsx_rows_per_s: Math.round(xlsx.rows / xlsx.seconds),
      pdf_rows_per_s: Math.round(pdf.rows / pdf.seconds),
      cpu_s: { csv: round(csv.cpuSeconds), xlsx: round(xlsx.cpuSeconds), pdf: round(pdf.cpuSeconds) },
      heap_peak_mb: { csv: Math.round(csv.heapPeakMb), xlsx: Math.round(xlsx.heapPeakMb), pdf: Math.round(pdf.heapPeakMb) },
      baseline_mb: { csv: Math.round(csv.baselineMb), xlsx: Math.round(xlsx.baselineMb), pdf: Math.round(pdf.baselineMb) },
      xlsx_1m_s: round(xlsx.seconds),
      pdf_10k_s: round(pdf.seconds),
      csv_peak_mb: Math.round(csv.peakMb),
      xlsx_peak_mb: Math.round(xlsx.peakMb),
      pdf_peak_mb: Math.round(pdf.peakMb),
      audit_search_10m_ms: search.p50,
      audit_search_p99_ms: search.p99,
      audit_search_events: search.events,
      audit_search_source: search.source,
      audit_search_note: search.events < 10_000_000 ? `measured at ${search.events.toLocaleString("en-US")} events, not 10,000,000` : null,
      journal_load_s: round(loadS),
      goals: { csv_1m_s: 10, xlsx_1m_s: 60, pdf_10k_s: 10, peak_mb: 300, audit_search_ms: 100 },
      machine: machineInfo(),
      at: new Date().toISOString(),
    };
    // Only the full size (1,000,000 fills, every format) is the figure of record; smaller runs print their rates.
    if (!quick && fills === 1_000_000 && formats.length === 3)
      writeFileSync(path.join(root, "bench/results/export.json"), `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
