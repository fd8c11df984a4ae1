// `npm run bench -- positions [--quick] [--profile]`
//
// Positions and P&L. Today one part:
//   rebuild_1m_fills_s: rebuilding every position from 1,000,000 fills through the pure book
//   (apps/engine/src/positions/book): a fresh PositionBook, every fill applied in order (average cost and
//   FIFO, fees, FX), then every position's view and the roll-ups read out at one mark each.
//   The fills are GENERATED IN MEMORY (seeded, deterministic) before the clock starts: this measures the
//   book's arithmetic, not reading the journal from Postgres (the engine's replay adds that when it is wired).
//   update_p99_ms: a venue fill (a fill report handed to the engine as its venue adapter would) → the updated
//   position received by a client subscribed to the ENGINE's positions stream (GET /v1/positions/stream, SSE
//   over loopback HTTP), p99, at 1,000 fills/s paced, for `update_seconds`. A real engine on embedded Postgres
//   (journal durable, projections on). NOT through the console's socket.io door: that door (apps/web) was
//   still being built when this was written; the console adds its own hop on top of this figure.
//   Skip with --no-update.
import { randomBytes } from "node:crypto";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, findFreePort, migrate, seedReference, startEmbeddedPostgres } from "@fillmore/db";
import { money, type PositionChanged, submitOrderInput } from "@fillmore/shared";
import pg from "pg";
import { loadConfig } from "../apps/engine/src/config";
import { startEngine } from "../apps/engine/src/engine";
import { createLogger } from "../apps/engine/src/log";
import { type BookFill, PositionBook } from "../apps/engine/src/positions/book";
import { machineInfo } from "./lib/machine";
import { startProfiler, summarizeProfile } from "./lib/profile";
import { sourceState } from "./lib/source";
import { summarize } from "./lib/stats";

const root = path.resolve(import.meta.dirname, "..");
const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
const PROFILE = args.has("--profile");
const UPDATE = !args.has("--no-update");
const UPDATE_RATE = 1000;
const UPDATE_SECONDS = QUICK ? 3 : 10;
const UPDATE_GOAL_MS = 50;
/** The first second at the same rate warms the path up (JIT, pools) and is not counted. */
const WARMUP = UPDATE_RATE;
const GOAL_S = 10;

const INSTRUMENTS = [
  { symbol: "AAPL", ref: 189.5, tick: 2, lot: 1, quote: "USD" },
  { symbol: "MSFT", ref: 415.2, tick: 2, lot: 1, quote: "USD" },
  { symbol: "NVDA", ref: 121.75, tick: 2, lot: 1, quote: "USD" },
  { symbol: "TSLA", ref: 244.1, tick: 2, lot: 1, quote: "USD" },
  { symbol: "SPY", ref: 571.3, tick: 2, lot: 1, quote: "USD" },
  { symbol: "EURUSD", ref: 1.08425, tick: 5, lot: 1000, quote: "USD" },
  // a EUR-quoted instrument, so the FX conversion is on the path
  { symbol: "SAP", ref: 212.4, tick: 2, lot: 1, quote: "EUR" },
] as const;
const ACCOUNTS = ["ACC-ALPHA", "ACC-BETA", "ACC-GAMMA"] as const;
const STRATEGIES = [null, "momentum", "meanrev", "hedge"] as const;

const P = {
  fills: QUICK ? 100_000 : 1_000_000,
  goal_s: GOAL_S,
  keys: INSTRUMENTS.length * ACCOUNTS.length * STRATEGIES.length,
  fills_source: "generated in memory (seeded PRNG), not read from the journal",
  fill: "Buy/Sell 50/50 with a drift back to flat, qty 1–100 lots, price a random walk in ticks around the reference, fee 0.0035/share (min 0.35) in USD; SAP quoted in EUR with EURUSD marks every 1,000 fills",
  methods: "average cost and FIFO kept side by side (both computed for every fill)",
};

/** xorshift32: deterministic fills. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

type Step = { kind: "fill"; fill: BookFill } | { kind: "fx"; px: string };

function generate(n: number): Step[] {
  const r = rng(20261125);
  const steps: Step[] = [];
  const pos = new Map<string, number>();
  const price = INSTRUMENTS.map((i) => Math.round(i.ref * 10 ** i.tick));
  let eurusd = 108425;
  const t0 = Date.parse("2026-11-25T14:30:00.000Z");
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0) {
      eurusd += Math.round((r() - 0.5) * 20);
      steps.push({ kind: "fx", px: (eurusd / 1e5).toFixed(5) });
    }
    const k = Math.floor(r() * INSTRUMENTS.length);
    const inst = INSTRUMENTS[k] as (typeof INSTRUMENTS)[number];
    const accountId = ACCOUNTS[Math.floor(r() * ACCOUNTS.length)] as string;
    const strategy = STRATEGIES[Math.floor(r() * STRATEGIES.length)] ?? null;
    const id = `${accountId}|${strategy}|${inst.symbol}`;
    const q = pos.get(id) ?? 0;
    // lean against the position so it crosses zero often (flips are on the path)
    const buy = r() < 0.5 - Math.max(-0.3, Math.min(0.3, q / 5000));
    const lots = 1 + Math.floor(r() * 100);
    const qty = lots * inst.lot;
    pos.set(id, q + (buy ? qty : -qty));
    const p = (price[k] ?? 0) + Math.round((r() - 0.5) * 10);
    price[k] = p;
    const fee = Math.max(0.35, qty * 0.0035);
    steps.push({
      kind: "fill",
      fill: {
        fillId: `F${i}`,
        orderId: `O${i >> 1}`,
        accountId,
        strategy,
        symbol: inst.symbol,
        side: buy ? "Buy" : "Sell",
        qty: String(qty),
        px: (p / 10 ** inst.tick).toFixed(inst.tick),
        fees: [{ amount: fee.toFixed(4), currency: "USD" }],
        ts: new Date(t0 + i).toISOString(),
        quoteCurrency: inst.quote,
      },
    });
  }
  return steps;
}

function rebuild(steps: Step[]): { book: PositionBook; applyS: number; readS: number; views: number; firmNet: string } {
  const t0 = performance.now();
  const book = new PositionBook({ markMaxAgeMs: 60_000 });
  for (const s of steps) {
    if (s.kind === "fill") book.applyFill(s.fill);
    else book.setFxMark("EURUSD", { px: s.px, source: "mid", ts: "2026-11-25T21:00:00.000Z" });
  }
  const t1 = performance.now();
  for (const inst of INSTRUMENTS)
    book.setMark(inst.symbol, { px: inst.ref.toFixed(inst.tick), source: "mid", ts: "2026-11-25T21:00:00.000Z" });
  const now = Date.parse("2026-11-25T21:00:00.000Z");
  const views = book.positions(now);
  book.rollup("account", now);
  book.rollup("strategy", now);
  const [firm] = book.rollup("firm", now);
  const t2 = performance.now();
  return { book, applyS: (t1 - t0) / 1000, readS: (t2 - t1) / 1000, views: views.length, firmNet: firm?.net ?? "?" };
}

/**
 * update_p99_ms: fills at UPDATE_RATE/s into two resting orders (a buy and a sell, alternating, so the
 * position stays small and FIFO has few lots), each timed from the report handed to the engine to the
 * PositionChanged (cause "fill") read by an SSE client of /v1/positions/stream. One message per fill, in order.
 */
async function measureUpdate(): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "fillmore-bench-positions-"));
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: await findFreePort() });
  let engine: Awaited<ReturnType<typeof startEngine>> | undefined;
  try {
    const url = await createDatabase(postgres.adminUrl, "bench_positions");
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await seedReference(pool);
    await pool.query(`UPDATE venue SET config = config || '{"rejectRate":0,"partialFillRate":0,"latencyMs":0,"jitterMs":0}'`);
    await pool.end();
    const config = loadConfig({
      DATABASE_URL: url,
      ENGINE_HOST: "127.0.0.1",
      ENGINE_PORT: "0",
      ENGINE_SERVICE_TOKEN: randomBytes(24).toString("hex"),
      LOG_LEVEL: "warn",
      DEMO_STRATEGY: "0",
      SIM_LATENCY_MS: "0",
      SIM_TICK_MS: "60000",
    });
    engine = await startEngine(config, createLogger("warn"));
    const e = engine;
    await e.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "bench");
    const q = e.feed.quote("AAPL");
    if (!q) throw new Error("no AAPL quote");
    const low = money.round(money.mul(q.bid, "0.6"), 2);
    const high = money.round(money.mul(q.ask, "1.4"), 2);
    const working = async (side: "Buy" | "Sell", price: string) => {
      const input = submitOrderInput.parse({
        clOrdId: `bench-${side}`,
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side,
        ordType: "Limit",
        price,
        orderQty: "10000",
        timeInForce: "GTC",
        venueId: "SIM-DEEP",
        strategy: "bench",
      });
      const { order } = await e.orders.submit(input, "bench");
      for (let i = 0; i < 500 && e.orders.get(order.orderId)?.ordStatus !== "Accepted"; i++) await new Promise((r) => setTimeout(r, 10));
      const now = e.orders.get(order.orderId);
      if (now?.ordStatus !== "Accepted") throw new Error(`bench order ${order.orderId} is ${now?.ordStatus}: ${now?.rejectReason}`);
      return order.orderId;
    };
    const buyId = await working("Buy", low);
    const sellId = await working("Sell", high);

    const sent: number[] = [];
    const latencies: number[] = [];
    let received = 0;
    const streamUrl = new URL(`${e.url}/v1/positions/stream?accountId=ACC-ALPHA`);
    const req = http.get(streamUrl, { headers: { authorization: `Bearer ${config.ENGINE_SERVICE_TOKEN}` } });
    const connected = new Promise<void>((resolve, reject) => {
      req.on("error", reject);
      req.on("response", (res) => {
        res.setEncoding("utf8");
        let buffer = "";
        res.on("data", (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let i = buffer.indexOf("\n\n");
          while (i >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            if (block.startsWith("data: ")) {
              const change = JSON.parse(block.slice(6)) as PositionChanged;
              if (change.cause === "fill") {
                const t = sent[received];
                received += 1;
                if (t !== undefined && received > WARMUP) latencies.push(at - t);
              }
            }
            i = buffer.indexOf("\n\n");
          }
        });
        resolve();
      });
    });
    await connected;
    await new Promise((r) => setTimeout(r, 50));

    const total = UPDATE_RATE * (UPDATE_SECONDS + 1);
    const start = performance.now();
    const intervalMs = 1000 / UPDATE_RATE;
    for (let k = 0; k < total; k++) {
      const due = start + k * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      else if (k % 50 === 0) await new Promise((r) => setImmediate(r));
      const buy = k % 2 === 0;
      sent.push(performance.now());
      e.orders.onVenueReport("SIM-DEEP", {
        kind: "fill",
        orderId: buy ? buyId : sellId,
        execId: `B-${k}`,
        lastQty: "1",
        lastPx: buy ? low : high,
        liquidity: "maker",
      });
    }
    const elapsedS = (performance.now() - start) / 1000;
    for (let i = 0; i < 500 && received < total; i++) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    const s = summarize(latencies);
    return {
      update_p99_ms: Number(s.p99_ms.toFixed(2)),
      detail: {
        measured_at: "engine stream GET /v1/positions/stream (SSE, loopback), not the console's socket.io door",
        fills: total,
        counted: latencies.length,
        warmup_fills_not_counted: WARMUP,
        received,
        offered_rate_per_s: UPDATE_RATE,
        achieved_rate_per_s: Math.round(total / elapsedS),
        p50_ms: Number(s.p50_ms.toFixed(2)),
        p99_ms: Number(s.p99_ms.toFixed(2)),
        max_ms: Number(s.max_ms.toFixed(2)),
        goal_ms: UPDATE_GOAL_MS,
        met: s.p99_ms <= UPDATE_GOAL_MS && received === total,
      },
    };
  } finally {
    await engine?.stop().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const machine = machineInfo();
  console.log(`[bench] positions: generating ${P.fills.toLocaleString("en")} fills in memory`);
  const g0 = performance.now();
  const steps = generate(P.fills);
  const generateS = (performance.now() - g0) / 1000;

  // a short warm-up on a slice, so the figure is the steady state of an engine start, not the JIT's first minutes
  rebuild(steps.slice(0, Math.min(steps.length, 50_000)));
  const stopProfiler = PROFILE ? await startProfiler() : undefined;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const run = rebuild(steps);
  const totalS = (performance.now() - t0) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const profile = stopProfiler ? summarizeProfile(await stopProfiler(), root) : undefined;

  // a cross-check that the figures are the book's and not nothing: FIFO and average cost agree in total
  let disagree = 0;
  for (const v of run.book.positions(Date.parse("2026-11-25T21:00:00.000Z"))) {
    const a = money.add(v.realizedBy.avgCost, v.unrealizedBy.avgCost ?? "0");
    const f = money.add(v.realizedBy.fifo, v.unrealizedBy.fifo ?? "0");
    if (!money.eq(a, f)) disagree++;
  }
  if (disagree > 0) throw new Error(`${disagree} positions where average cost and FIFO disagree in total`);

  let update: Record<string, unknown> | undefined;
  if (UPDATE) {
    console.log(`[bench] positions: update latency, ${UPDATE_RATE} fills/s for ${UPDATE_SECONDS} s through a real engine…`);
    update = await measureUpdate();
  }

  const result = {
    benchmark: "positions",
    date: new Date().toISOString(),
    command: `npm run bench -- positions${QUICK ? " --quick" : ""}${PROFILE ? " --profile" : ""}`,
    machine,
    source: sourceState(),
    params: P,
    results: {
      rebuild_1m_fills_s: QUICK ? undefined : Number(totalS.toFixed(3)),
      rebuild: {
        fills: P.fills,
        total_s: Number(totalS.toFixed(3)),
        apply_s: Number(run.applyS.toFixed(3)),
        read_views_and_rollups_s: Number(run.readS.toFixed(3)),
        fills_per_s: Math.round(P.fills / run.applyS),
        positions: run.views,
        heap_growth_mb: Number(heapMb.toFixed(1)),
        firm_net_usd: run.firmNet,
        goal_s: GOAL_S,
        met: totalS <= GOAL_S,
      },
      generate_fills_s: Number(generateS.toFixed(3)),
      ...(update ? { update_p99_ms: update.update_p99_ms, update: update.detail } : {}),
    },
    ...(profile ? { profile } : {}),
  };
  const out = path.join(root, `bench/results/positions${QUICK ? "-quick.json.tmp" : ".json"}`);
  writeFileSync(`${out}.partial.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${out}.partial.tmp`, out);

  const r = result.results.rebuild;
  console.log(`\npositions · ${result.date} · ${machine.nproc} × ${machine.cpu_model} · node ${machine.node}${QUICK ? " · QUICK" : ""}`);
  console.log(`fills generated in memory (${generateS.toFixed(1)} s, not timed); ${r.positions} positions`);
  const rows: [string, string, string][] = [
    ["figure", "value", "goal"],
    [`rebuild_${QUICK ? "100k" : "1m"}_fills_s`, r.total_s.toFixed(2), `≤ ${GOAL_S}`],
    ["  apply fills (s)", r.apply_s.toFixed(2), ""],
    ["  read views + roll-ups (s)", r.read_views_and_rollups_s.toFixed(3), ""],
    ["  fills/s", r.fills_per_s.toLocaleString("en"), ""],
    ["  heap growth (MB)", r.heap_growth_mb.toFixed(0), ""],
    ["update_p99_ms (engine stream)", update ? String(update.update_p99_ms) : "skipped (--no-update)", `≤ ${UPDATE_GOAL_MS}`],
  ];
  for (const [a, b, c] of rows) console.log(`${a.padEnd(30)} ${b.padStart(34)}  ${c}`);
  if (profile) for (const row of profile.top_self.slice(0, 15)) console.log(`  ${String(row.pct).padStart(5)} %  ${row.fn}  ${row.where}`);
  console.log(`\nwrote ${path.relative(root, out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
