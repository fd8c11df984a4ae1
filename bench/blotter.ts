// `npm run bench -- blotter [--quick]`
//
// The live blotter in a real browser: the whole stack (Postgres, engine, console) on 127.0.0.1,
// 10,000 resting orders loaded, Debian's Chromium driven by Playwright signed in as the demo trader.
// Then, with the engine's order updates paced by this script:
//   1. idle: 1 order update/s for 20 s: main-thread busy % (CDP Performance.TaskDuration over wall time);
//   2. burst: 100 order updates/s for 30 s: frames per second in 1 s windows (requestAnimationFrame),
//      long tasks (PerformanceObserver 'longtask'), main-thread busy %.
// Updates are cancels of resting orders (each a PendingCancel and a Cancelled update) and new market
// orders (their whole lifecycle, at the top of the newest-first blotter); the mix is calibrated on the
// engine's stream first and the updates the page received are counted on its WebSocket.
//
// `--profile` also records where the page's main thread spends the burst: a V8 CPU profile of the
// whole burst (self time per function) and a Chromium trace of its last 5 s (self time per event:
// script, style, layout, paint, GC), printed and written to bench/results/blotter-burst.*.tmp. A
// profiled run pays for the profiling; quote the figures of a run without it.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { findFreePort } from "@fillmore/db";
import { type Browser, type CDPSession, chromium, type Page } from "playwright-core";
import { root, type Stack, startStack } from "../scripts/lib/stack";
import { type CpuProfile, cpuProfileSelfTimes, type SelfTime, traceMainThreadSelfTimes } from "./lib/browser-profile";
import { cpuMeter, machineInfo } from "./lib/machine";
import { sourceState } from "./lib/source";
import { fmt, percentile } from "./lib/stats";

const QUICK = process.argv.slice(2).includes("--quick");
const PROFILE = process.argv.slice(2).includes("--profile");
const TRACE_SECONDS = 5;
const P = {
  resting_orders: QUICK ? 2_000 : 10_000,
  load_concurrency: 32,
  idle_rate_per_s: 1,
  idle_seconds: QUICK ? 8 : 20,
  burst_rate_per_s: 100,
  burst_seconds: QUICK ? 10 : 30,
  market_orders_per_s_in_burst: 10,
  viewport: { width: 1440, height: 900 },
  goals: { fps_p5_min: 50, long_tasks_ms_max: 1000, idle_busy_pct_max: 5 },
};
const SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA", "SPY"] as const;
const ACCOUNTS = ["ACC-ALPHA", "ACC-BETA", "ACC-GAMMA"] as const;
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[bench] ${line}`);

interface Engine {
  url: string;
  auth: { authorization: string; "content-type": string };
}

/**
 * One engine API call; an overloaded engine (503) is retried after a pause, at most 30 times. A
 * connection the engine closed before answering (shedding load) is retried once the same way when
 * `retryClosed` (the caller can tell a repeat from a first answer).
 */
async function engineCall<T>(engine: Engine, method: string, route: string, body?: unknown, retryClosed = false): Promise<T> {
  let response: Response;
  let text: string;
  for (let attempt = 0; ; attempt += 1) {
    try {
      response = await fetch(`${engine.url}${route}`, {
        method,
        headers: engine.auth,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      text = await response.text();
    } catch (error) {
      if (!retryClosed || attempt >= 30) throw error;
      await sleep(200);
      continue;
    }
    if (response.status !== 503 || attempt >= 30) break;
    await sleep(Math.min(2000, Math.max(100, Number(response.headers.get("retry-after") ?? "0.2") * 1000)));
  }
  if (!response.ok) throw new Error(`${method} ${route} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

type Quotes = Map<string, { bid: number; ask: number }>;

/** A resting limit 4 % away from the touch (inside the 10 % price collar; quotes move once a minute: SIM_TICK_MS). */
function restingOrder(quotes: Quotes, i: number) {
  const symbol = SYMBOLS[i % SYMBOLS.length] ?? "AAPL";
  const side = Math.floor(i / SYMBOLS.length) % 2 === 0 ? "Buy" : "Sell";
  const q = quotes.get(symbol);
  if (!q) throw new Error(`no quote for ${symbol}`);
  const price = side === "Buy" ? (q.bid * 0.96).toFixed(2) : (q.ask * 1.04).toFixed(2);
  return {
    clOrdId: `rest-${i}`,
    accountId: ACCOUNTS[i % ACCOUNTS.length] ?? "ACC-ALPHA",
    symbol,
    side,
    ordType: "Limit",
    timeInForce: "GTC",
    orderQty: String(1 + (i % 9)),
    price,
    strategy: "bench-rest",
  };
}

function marketOrder(i: number) {
  return {
    clOrdId: `mkt-${i}`,
    accountId: ACCOUNTS[i % ACCOUNTS.length] ?? "ACC-ALPHA",
    symbol: SYMBOLS[i % SYMBOLS.length] ?? "AAPL",
    side: i % 2 === 0 ? "Buy" : "Sell",
    ordType: "Market",
    timeInForce: "DAY",
    orderQty: "1",
    strategy: "bench-burst",
  };
}

/** Counts order updates on the engine's event stream (each becomes one browser update). */
async function countStream(engine: Engine, signal: AbortSignal): Promise<{ count: () => number }> {
  const response = await fetch(`${engine.url}/v1/stream`, { headers: { authorization: engine.auth.authorization }, signal });
  if (!response.ok || !response.body) throw new Error(`engine stream answered HTTP ${response.status}`);
  let n = 0;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const chunk = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (chunk.includes("data: ") && !chunk.includes('"order":null')) n += 1;
      }
    }
  })().catch(() => undefined);
  return { count: () => n };
}

/** Runs `count` tasks with at most `concurrency` in flight; bounded by a deadline. */
async function pool(count: number, concurrency: number, deadlineMs: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let done = 0;
  const deadline = performance.now() + deadlineMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++;
        await task(i);
        done += 1;
      }
    }),
  );
  return done;
}

/**
 * Paces actions so the engine emits `rate` order updates per second: market orders at a fixed
 * rate, cancels of resting orders for the rest. Open loop (each action fires when due), bounded.
 */
async function drive(
  engine: Engine,
  resting: string[],
  seconds: number,
  rate: number,
  marketsPerS: number,
  perCancel: number,
  perMarket: number,
  marketSeq: { next: number },
): Promise<{ cancels: number; markets: number; errors: number }> {
  const cancelsPerS = Math.max(0, (rate - marketsPerS * perMarket) / perCancel);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let cancels = 0;
  let markets = 0;
  let errors = 0;
  const fail = () => {
    errors += 1;
  };
  while (performance.now() < end) {
    const elapsed = (performance.now() - t0) / 1000;
    while (cancels < Math.floor(elapsed * cancelsPerS) + 1 && cancels < cancelsPerS * seconds && resting.length > 0) {
      const orderId = resting.pop() as string;
      cancels += 1;
      engineCall(engine, "POST", `/v1/orders/${encodeURIComponent(orderId)}/cancel`, { actor: "bench:blotter" }).catch(fail);
    }
    while (markets < Math.floor(elapsed * marketsPerS) + 1 && markets < marketsPerS * seconds) {
      markets += 1;
      engineCall(engine, "POST", "/v1/orders", { actor: "bench:blotter", order: marketOrder(marketSeq.next++) }).catch(fail);
    }
    await sleep(5);
  }
  return { cancels, markets, errors };
}

async function signIn(page: Page, stack: Stack): Promise<void> {
  const trader = stack.logins.find((l) => l.role === "trader");
  if (!trader) throw new Error("no demo trader login");
  await page.goto(`${stack.webUrl}/login`);
  await page.getByLabel("Email").fill(trader.email);
  await page.getByLabel("Password").fill(trader.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/$/, { timeout: 30_000 });
}

/** Main-thread task time of the page's renderer (seconds, cumulative), from the CDP Performance domain. */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === "TaskDuration")?.value ?? Number.NaN;
}

/** Installs the in-page meters: long tasks always; a rAF frame counter when started. */
const PAGE_METERS = `(() => {
  const m = { longTasks: [], fps: [], running: false };
  window.__bench = m;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) m.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  m.startFrames = () => {
    m.fps = [];
    m.running = true;
    let count = 0;
    let windowStart = performance.now();
    const tick = (t) => {
      count += 1;
      if (t - windowStart >= 1000) {
        m.fps.push((count * 1000) / (t - windowStart));
        count = 0;
        windowStart = t;
      }
      if (m.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  m.stopFrames = () => { m.running = false; return m.fps; };
  m.longTaskMs = (from, to) => m.longTasks.filter(([s]) => s >= from && s < to).reduce((a, [, d]) => a + d, 0);
  m.longTaskCount = (from, to) => m.longTasks.filter(([s]) => s >= from && s < to).length;
})()`;

interface PageBench {
  startFrames(): void;
  stopFrames(): number[];
  longTaskMs(from: number, to: number): number;
  longTaskCount(from: number, to: number): number;
}

async function main(): Promise<void> {
  const started = new Date();
  const machine = machineInfo();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "fillmore-bench-blotter-"));
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const abort = new AbortController();
  const cleanup = async () => {
    abort.abort();
    await browser?.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      void cleanup().finally(() => process.exit(130));
    });

  try {
    log(`machine: ${machine.nproc} × ${machine.cpu_model}, node ${machine.node}, load ${machine.loadavg_at_start.join(" ")}`);
    process.env.LOG_LEVEL = "warn";
    stack = await startStack({
      dataDir: path.join(tmp, "stack"),
      webPort: await findFreePort(),
      enginePort: await findFreePort(),
      demo: true,
      demoStrategy: false,
      log,
      childStdio: "inherit",
      extraEngineEnv: { SIM_TICK_MS: "60000", DEMO_STRATEGY_ORDERS_PER_S: "0", LOG_LEVEL: "warn" },
    });
    const engine: Engine = {
      url: stack.engineUrl,
      auth: { authorization: `Bearer ${stack.secrets.engineToken}`, "content-type": "application/json" },
    };
    // Room for 10,000 resting orders (the default allows 500 open per account).
    await engineCall(engine, "POST", "/v1/risk/limits", {
      actor: "bench:blotter",
      scope: "default",
      limits: { maxOpenOrders: 100_000, buyingPower: "100000000000" },
    });
    const reference = await engineCall<{ quotes: { symbol: string; bid: string; ask: string }[] }>(engine, "GET", "/v1/reference");
    const quotes: Quotes = new Map(reference.quotes.map((q) => [q.symbol, { bid: Number(q.bid), ask: Number(q.ask) }]));

    log(`loading ${P.resting_orders} resting orders…`);
    const resting: string[] = [];
    let refused = 0;
    let failed = 0;
    let firstRefusal: string | undefined;
    const tLoad = performance.now();
    await pool(P.resting_orders, P.load_concurrency, 360_000, async (i) => {
      // A repeat of a submit the engine did take is refused as a duplicate clOrdId: counted, not fatal.
      const r = await engineCall<{ order: { orderId: string; ordStatus: string; rejectReason: string | null } }>(
        engine,
        "POST",
        "/v1/orders",
        { actor: "bench:blotter", order: restingOrder(quotes, i) },
        true,
      ).catch((error: unknown) => {
        failed += 1;
        firstRefusal ??= error instanceof Error ? error.message : String(error);
        return undefined;
      });
      if (!r) return;
      if (r.order.ordStatus === "Rejected") {
        refused += 1;
        firstRefusal ??= r.order.rejectReason ?? "rejected";
      } else resting.push(r.order.orderId);
    });
    log(
      `  ${resting.length} resting, ${refused} refused, ${failed} failed${firstRefusal ? ` (first: ${firstRefusal})` : ""}, ${fmt((performance.now() - tLoad) / 1000, 1)} s`,
    );
    // Cancel in random order, so changed rows are spread over the book.
    for (let i = resting.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [resting[i], resting[j]] = [resting[j] as string, resting[i] as string];
    }

    // Calibrate: updates per cancel and per market order, on the engine's stream.
    const stream = await countStream(engine, abort.signal);
    const marketSeq = { next: 0 };
    const c0 = stream.count();
    for (let i = 0; i < 20; i += 1)
      await engineCall(engine, "POST", `/v1/orders/${encodeURIComponent(resting.pop() as string)}/cancel`, { actor: "bench:blotter" });
    await sleep(500);
    const perCancel = (stream.count() - c0) / 20;
    const m0 = stream.count();
    for (let i = 0; i < 20; i += 1)
      await engineCall(engine, "POST", "/v1/orders", { actor: "bench:blotter", order: marketOrder(marketSeq.next++) });
    await sleep(500);
    const perMarket = (stream.count() - m0) / 20;
    log(`calibration: ${perCancel} updates per cancel, ${perMarket} per market order`);

    log("opening the console in Chromium…");
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: P.viewport });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await cdp.send("Network.enable");
    let wsUpdates = 0;
    cdp.on("Network.webSocketFrameReceived", (e: { response: { payloadData: string } }) => {
      if (e.response.payloadData.includes('"orders:update"')) wsUpdates += 1;
    });
    await page.addInitScript(PAGE_METERS);
    await signIn(page, stack);
    const counter = page.getByRole("region", { name: "Blotter" }).locator(".toolbar .muted");
    const tSnap = performance.now();
    let total = 0;
    while (performance.now() - tSnap < 60_000) {
      const text = (await counter.textContent({ timeout: 30_000 }).catch(() => "")) ?? "";
      total = Number(text.split(" of ")[1] ?? 0);
      if (total >= resting.length) break;
      await sleep(250);
    }
    log(`blotter shows ${await counter.textContent()} orders (snapshot in ${fmt((performance.now() - tSnap) / 1000, 1)} s)`);
    await sleep(3000);

    // 1. Idle: 1 update/s.
    log(`idle: ${P.idle_rate_per_s} update/s for ${P.idle_seconds} s…`);
    const cpuIdle = cpuMeter();
    const idleWs0 = wsUpdates;
    const idleTask0 = await taskSeconds(cdp);
    const idleT0 = performance.now();
    const idlePageT0 = await page.evaluate(() => performance.now());
    const idleDrive = await drive(engine, resting, P.idle_seconds, P.idle_rate_per_s, 0, perCancel, perMarket, marketSeq);
    const idleTask1 = await taskSeconds(cdp);
    const idleWall = (performance.now() - idleT0) / 1000;
    const idlePageT1 = await page.evaluate(() => performance.now());
    const idleBusyPct = ((idleTask1 - idleTask0) / idleWall) * 100;
    const idleLong = await page.evaluate(([a, b]) => (globalThis as unknown as { __bench: PageBench }).__bench.longTaskMs(a, b), [
      idlePageT0,
      idlePageT1,
    ] as const);
    const idleCpu = cpuIdle.stop();
    const idleUpdates = wsUpdates - idleWs0;
    log(`  busy ${fmt(idleBusyPct)} % of the main thread, ${idleUpdates} updates received, long tasks ${fmt(idleLong, 0)} ms`);
    await sleep(1500);

    // 2. Burst: 100 updates/s.
    log(`burst: ${P.burst_rate_per_s} updates/s for ${P.burst_seconds} s…`);
    const cpuBurst = cpuMeter();
    const burstWs0 = wsUpdates;
    await page.evaluate(() => (globalThis as unknown as { __bench: PageBench }).__bench.startFrames());
    const burstPageT0 = await page.evaluate(() => performance.now());
    const burstTask0 = await taskSeconds(cdp);
    const burstT0 = performance.now();
    if (PROFILE) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
      // The trace covers the burst's last seconds (tracing is heavier than sampling).
      setTimeout(
        () =>
          void browser
            ?.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute"] })
            .catch(() => undefined),
        (P.burst_seconds - TRACE_SECONDS - 1) * 1000,
      );
    }
    const burstDrive = await drive(
      engine,
      resting,
      P.burst_seconds,
      P.burst_rate_per_s,
      P.market_orders_per_s_in_burst,
      perCancel,
      perMarket,
      marketSeq,
    );
    const burstTask1 = await taskSeconds(cdp);
    const burstWall = (performance.now() - burstT0) / 1000;
    const burstPageT1 = await page.evaluate(() => performance.now());
    const fps = await page.evaluate(() => (globalThis as unknown as { __bench: PageBench }).__bench.stopFrames());
    const longTasksMs = await page.evaluate(([a, b]) => (globalThis as unknown as { __bench: PageBench }).__bench.longTaskMs(a, b), [
      burstPageT0,
      burstPageT1,
    ] as const);
    const longTaskCount = await page.evaluate(([a, b]) => (globalThis as unknown as { __bench: PageBench }).__bench.longTaskCount(a, b), [
      burstPageT0,
      burstPageT1,
    ] as const);
    const burstCpu = cpuBurst.stop();
    const profile = PROFILE ? await saveProfile(cdp, browser) : undefined;
    const burstUpdates = wsUpdates - burstWs0;
    const burstBusyPct = ((burstTask1 - burstTask0) / burstWall) * 100;
    const sortedFps = [...fps].sort((a, b) => a - b);
    const fpsP5 = percentile(sortedFps, 0.05);
    const fpsP50 = percentile(sortedFps, 0.5);
    const rowsInDom = await page.locator("tbody tr[data-order-id]").count();
    const shown = (await counter.textContent()) ?? "";
    await page.screenshot({ path: path.join(tmp, "blotter-bench.png") }).catch(() => undefined);

    const result = {
      benchmark: "blotter",
      date: started.toISOString(),
      command: `npm run bench -- blotter${QUICK ? " --quick" : ""}`,
      machine,
      source: sourceState(),
      params: { ...P, quick: QUICK, updates_per_cancel: perCancel, updates_per_market_order: perMarket },
      orders_loaded: resting.length + idleDrive.cancels + burstDrive.cancels + 20,
      load_failed: failed,
      orders_in_browser: shown,
      fps_p5: Number(fmt(fpsP5, 1)),
      fps_p50: Number(fmt(fpsP50, 1)),
      fps_min: Number(fmt(sortedFps[0], 1)),
      fps_windows: fps.map((f) => Number(f.toFixed(1))),
      long_tasks_ms: Math.round(longTasksMs),
      long_task_count: longTaskCount,
      idle_busy_pct: Number(fmt(idleBusyPct, 2)),
      burst_busy_pct: Number(fmt(burstBusyPct, 1)),
      idle_long_tasks_ms: Math.round(idleLong),
      updates_per_s_idle: Number(fmt(idleUpdates / idleWall, 2)),
      updates_per_s_burst: Number(fmt(burstUpdates / burstWall, 1)),
      rows_in_document: rowsInDom,
      actions: { idle: idleDrive, burst: burstDrive },
      cpu: { idle: idleCpu, burst: burstCpu },
      ...(profile ? { profiled: true, profile } : {}),
      goals: {
        fps_p5_ge_50: fpsP5 >= P.goals.fps_p5_min,
        long_tasks_le_1s: longTasksMs <= P.goals.long_tasks_ms_max,
        idle_busy_le_5pct: idleBusyPct <= P.goals.idle_busy_pct_max,
      },
    };
    const out = path.join(root, `bench/results/blotter${QUICK || PROFILE ? "-quick.json.tmp" : ".json"}`);
    writeFileSync(`${out}.partial.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(`${out}.partial.tmp`, out);

    const w = [44, 12, 12];
    const row = (cells: (string | number)[]) =>
      cells.map((c, i) => (i === 0 ? String(c).padEnd(w[i] ?? 10) : String(c).padStart(w[i] ?? 10))).join("  ");
    console.log("");
    console.log(
      `blotter · ${result.date} · ${machine.nproc} × ${machine.cpu_model} · Chromium ${browser.version()}${QUICK ? " · QUICK" : ""}${PROFILE ? " · PROFILED" : ""}`,
    );
    console.log(`orders in the browser: ${shown}; rows in the document: ${rowsInDom}`);
    console.log(row(["figure", "value", "goal"]));
    console.log(row([`fps_p5 (burst ${P.burst_rate_per_s}/s, 1 s windows)`, fmt(fpsP5, 1), `≥ ${P.goals.fps_p5_min}`]));
    console.log(row(["fps p50 / min", `${fmt(fpsP50, 1)} / ${fmt(sortedFps[0], 1)}`, ""]));
    console.log(row([`long_tasks_ms (over ${P.burst_seconds} s)`, Math.round(longTasksMs), `≤ ${P.goals.long_tasks_ms_max}`]));
    console.log(row(["long tasks (count)", longTaskCount, ""]));
    console.log(row([`idle_busy_pct (at ${P.idle_rate_per_s} update/s)`, fmt(idleBusyPct, 2), `≤ ${P.goals.idle_busy_pct_max}`]));
    console.log(row(["main thread busy % in the burst", fmt(burstBusyPct, 1), ""]));
    console.log(row(["updates received/s: idle / burst", `${fmt(idleUpdates / idleWall, 2)} / ${fmt(burstUpdates / burstWall, 1)}`, ""]));
    console.log(row(["machine busy cores: idle / burst", `${fmt(idleCpu.machine_busy_cores)} / ${fmt(burstCpu.machine_busy_cores)}`, ""]));
    if (idleDrive.errors + burstDrive.errors > 0) console.log(`action errors: idle ${idleDrive.errors}, burst ${burstDrive.errors}`);
    console.log("");
    const met = (ok: boolean) => (ok ? "MET" : "MISSED");
    console.log(
      `goals: fps_p5 ≥ 50 ${met(result.goals.fps_p5_ge_50)}; long tasks ≤ 1 s ${met(result.goals.long_tasks_le_1s)}; idle busy ≤ 5 % ${met(result.goals.idle_busy_le_5pct)}`,
    );
    console.log(`wrote ${path.relative(root, out)}`);
  } finally {
    await cleanup();
  }
}

const tableOf = (title: string, rows: SelfTime[]) =>
  [
    title,
    ...rows.map(
      (r) =>
        `  ${String(r.ms).padStart(9)} ms ${String(r.pct).padStart(5)} %${r.cpu_ms === undefined ? "" : ` (CPU ${String(r.cpu_ms).padStart(8)} ms)`}  ${r.name}`,
    ),
  ].join("\n");

/** Stops the CPU profile and the trace, writes both next to the results and prints their top entries. */
async function saveProfile(cdp: CDPSession, browser: Browser) {
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: CpuProfile };
  writeFileSync(path.join(root, "bench/results/blotter-burst.cpuprofile.tmp"), JSON.stringify(profile));
  const functions = cpuProfileSelfTimes(profile, 30);
  console.log(tableOf("burst CPU profile, self time by function:", functions));
  let trace: ReturnType<typeof traceMainThreadSelfTimes> | undefined;
  try {
    const buffer = await browser.stopTracing();
    writeFileSync(path.join(root, "bench/results/blotter-burst.trace.json.tmp"), buffer);
    trace = traceMainThreadSelfTimes(JSON.parse(buffer.toString("utf8")), 25);
    console.log(
      tableOf(
        `burst trace (last ${TRACE_SECONDS} s), renderer main thread ${trace.busyPct} % busy (on a core: ${trace.cpuPct} %), self time by event:`,
        trace.top,
      ),
    );
  } catch (error) {
    console.log(`no trace: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { functions, trace };
}

await main();
process.exit(0);
