// `npm run bench -- order-path [--profile] [--quick] [--no-api] [--no-tune-host]`
//
// The order path end to end, with the journal on (embedded Postgres, durable commits):
//   1. paced 100 then 1,000 orders/s at the engine boundary: due → venue-acknowledged (OrderAccepted applied);
//   2. closed loop of full lifecycles (submit → OrderFilled committed), a short concurrency sweep then 30 s sustained;
//   3. paced 50 then 500 orders/s through the public HTTP API (the REST door; tRPC at 50/s alongside) → response, and → ack seen on
//      the engine's event stream;
//   4. the streaming door (socket.io /trading) paced at 1,000 orders/s: send → acknowledgement, send → OrderAccepted execution report;
//   5. api_max_rps: a stepped search for the highest rate the public API sustains for 30 s with p99 ≤ 50 ms.
// Everything it needs (Postgres, engine, console) it starts itself, on 127.0.0.1, and stops at the end.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createDatabase, type EmbeddedPostgresHandle, findFreePort, migrate, seedReference, startEmbeddedPostgres } from "@fillmore/db";
import type { SubmitOrder } from "@fillmore/shared";
import pg from "pg";
import { io as connectSocket, type Socket } from "socket.io-client";
import { loadConfig } from "../apps/engine/src/config";
import { type RunningEngine, startEngine } from "../apps/engine/src/engine";
import { createLogger } from "../apps/engine/src/log";
import { readWriteback, tuneWriteback, writebackAdvice } from "../scripts/lib/host-writeback.mjs";
import { root, type Stack, startStack } from "../scripts/lib/stack";
import { type GcSeen, gcMeter } from "./lib/gc";
import { type CpuUse, cpuMeter, machineInfo } from "./lib/machine";
import { confirmationLadder } from "./lib/max-rps";
import { describeMaintenance, type MaintenanceSeen, maintenanceMeter } from "./lib/pg-maintenance";
import { startProfiler, summarizeProfile } from "./lib/profile";
import { type EngineGcFigures, engineGcFigures, journalFigures, scrape } from "./lib/prom";
import { sourceState } from "./lib/source";
import { fmt, type Summary, summarize } from "./lib/stats";

const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
const PROFILE = args.has("--profile");
const API = !args.has("--no-api");
// The host's write-back as docs/OPERATIONS.md ("Host settings") recommends, for the run only, where allowed.
const TUNE_HOST = !args.has("--no-tune-host");

const P = {
  paced_rate_per_s: 1000,
  paced_orders: QUICK ? 3000 : 20_000,
  light_rate_per_s: 100,
  light_orders: QUICK ? 200 : 500,
  sweep_concurrency: QUICK ? [64, 256] : [64, 256, 512],
  sweep_seconds: QUICK ? 2 : 5,
  sustained_seconds: QUICK ? 5 : 30,
  profile_seconds: QUICK ? 3 : 10,
  api_rate_per_s: 500,
  api_orders: QUICK ? 1500 : 7500,
  api_max_in_flight: 1000,
  api_light_rate_per_s: 50,
  api_light_orders: QUICK ? 100 : 250,
  stream_rate_per_s: 1000,
  stream_orders: QUICK ? 3000 : 20_000,
  max_rps_p99_ms: 50,
  // From 100/s: below the goal too, so the figure says what the API does sustain rather than 0.
  max_rps_screen_rates: [100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000],
  max_rps_screen_seconds: QUICK ? 2 : 5,
  max_rps_confirm_seconds: QUICK ? 5 : 30,
  max_rps_max_confirms: 3,
  max_rps_max_error_pct: 1,
  warmup_seconds: QUICK ? 1 : 3,
  max_orders_per_phase: 1_000_000,
  journal_max_batch: 1000,
  sim_latency_ms: 0,
  sim_tick_ms: 60_000,
  venue_config: { latencyMs: 0, jitterMs: 0, partialFillRate: 0, rejectRate: 0 },
  order: "Limit DAY, price 5% through the touch, qty 1–100, AAPL/MSFT/NVDA/TSLA/SPY, ACC-ALPHA/BETA/GAMMA, Buy/Sell alternating",
};

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA", "SPY"] as const;
const ACCOUNTS = ["ACC-ALPHA", "ACC-BETA", "ACC-GAMMA"] as const;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[bench] ${line}`);
let postmasterPid: number | undefined;
let pgAdminUrl = "";
const ENGINE_DB = "bench_engine";

/** Event-loop delay of this process (the engine shares it) over a phase, in ms. */
function loopDelayMeter() {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return () => {
    h.disable();
    const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
    return { p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max) };
  };
}
type LoopDelay = ReturnType<ReturnType<typeof loopDelayMeter>>;

/** What every in-process phase reports besides its latencies: event loop, CPU, journal commits. */
async function measureWindow(metricsUrl: string, postmasterPid: number | undefined) {
  const before = await scrape(metricsUrl);
  const elu0 = performance.eventLoopUtilization();
  const loopDelay = loopDelayMeter();
  const cpu = cpuMeter(postmasterPid);
  const maintenance = await maintenanceMeter(pgAdminUrl);
  const gc = gcMeter();
  return {
    async finish() {
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const event_loop_delay = loopDelay();
      const gc_in_this_process = gc.stop();
      const cpuUse = cpu.stop();
      const postgres_maintenance = await maintenance.stop();
      const after = await scrape(metricsUrl);
      return {
        event_loop_utilization: Number(elu.toFixed(3)),
        event_loop_delay,
        gc_in_this_process,
        cpu: cpuUse,
        postgres_maintenance,
        journal: journalFigures(before, after),
      };
    },
  };
}

/** Why orders were refused (risk denials carry the rule's code first). */
type Refusals = Record<string, number>;
function countRefusal(refusals: Refusals, reason: string | null | undefined): void {
  const code = (reason ?? "unknown").split(":")[0]?.slice(0, 60) ?? "unknown";
  refusals[code] = (refusals[code] ?? 0) + 1;
}

// ---------------------------------------------------------------------------------------------
// Orders

type Quotes = Map<string, { bid: string; ask: string }>;

function makeOrder(quotes: Quotes, prefix: string, i: number): SubmitOrder & { clOrdId: string } {
  const symbol = SYMBOLS[i % SYMBOLS.length] ?? "AAPL";
  const side = Math.floor(i / SYMBOLS.length) % 2 === 0 ? "Buy" : "Sell";
  const q = quotes.get(symbol);
  if (!q) throw new Error(`no quote for ${symbol}`);
  // Marketable: far through the touch (quotes do not move during the run: SIM_TICK_MS is a minute).
  const price = side === "Buy" ? (Number(q.ask) * 1.05).toFixed(2) : (Number(q.bid) * 0.95).toFixed(2);
  return {
    clOrdId: `${prefix}-${i}`,
    accountId: ACCOUNTS[i % ACCOUNTS.length] ?? "ACC-ALPHA",
    symbol,
    side,
    ordType: "Limit",
    timeInForce: "DAY",
    orderQty: String(1 + ((i * 7) % 100)),
    price,
  };
}

// ---------------------------------------------------------------------------------------------
// Open-loop pacing: order i is due at t0 + i/rate, whatever happened to the ones before it.

async function pace(rate: number, count: number, fire: (i: number, due: number) => void): Promise<number> {
  const t0 = performance.now();
  const hardStop = t0 + (count / rate) * 1000 + 10_000;
  let i = 0;
  while (i < count) {
    const wake = performance.now();
    if (wake > hardStop) break;
    // Fire what is due, but yield after 2 ms: requests arrive as separate events in a real server,
    // and a catch-up burst in one task would stall the engine's event loop (it shares this one).
    while (i < count && t0 + (i * 1000) / rate <= performance.now() && performance.now() - wake < 2) {
      fire(i, t0 + (i * 1000) / rate);
      i += 1;
    }
    if (i < count && t0 + (i * 1000) / rate <= performance.now()) await new Promise<void>((r) => setImmediate(r));
    else await sleep(1);
  }
  return i;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Hooks on the running engine, without changing engine code: a second listener on every venue's
// report stream (it runs right after the order manager's, so OrderAccepted is already applied),
// and a journal commit listener (entries carry the order after the event, hence its clOrdId).

type Waiters = Map<string, (t: number) => void>;

interface Hooks {
  accepted: Waiters;
  acceptedCommitted: Waiters;
  filledCommitted: Waiters;
  statusAtAck: string | undefined;
}

function hook(engine: RunningEngine): Hooks {
  const hooks: Hooks = { accepted: new Map(), acceptedCommitted: new Map(), filledCommitted: new Map(), statusAtAck: undefined };
  const take = (waiters: Waiters, clOrdId: string | undefined, t: number) => {
    if (clOrdId === undefined) return;
    const cb = waiters.get(clOrdId);
    if (!cb) return;
    waiters.delete(clOrdId);
    cb(t);
  };
  for (const venue of engine.venues.values()) {
    venue.onReport((report) => {
      if (report.kind !== "accepted") return;
      const t = performance.now();
      const order = engine.orders.get(report.orderId);
      hooks.statusAtAck ??= order?.ordStatus;
      take(hooks.accepted, order?.clOrdId, t);
    });
  }
  engine.journal.onCommit((entries) => {
    const t = performance.now();
    for (const entry of entries) {
      if (entry.event.type === "OrderAccepted") take(hooks.acceptedCommitted, entry.orderAfter?.clOrdId, t);
      else if (entry.event.type === "OrderFilled") take(hooks.filledCommitted, entry.orderAfter?.clOrdId, t);
    }
  });
  return hooks;
}

// ---------------------------------------------------------------------------------------------
// Phase 1: paced submits at the engine boundary.

interface PacedResult {
  rate_per_s: number;
  orders: number;
  sent: number;
  errors: number;
  refusals: Refusals;
  incomplete: number;
  seconds: number;
  submit_to_ack_applied: Summary;
  submit_to_ack_applied_from_schedule: Summary;
  submit_to_commit: Summary;
  submit_to_ack_committed: Summary;
  submit_to_filled_committed: Summary;
  event_loop_utilization: number;
  event_loop_delay: LoopDelay;
  gc_in_this_process: GcSeen;
  cpu: CpuUse;
  journal: ReturnType<typeof journalFigures>;
}

async function pacedEngine(
  engine: RunningEngine,
  hooks: Hooks,
  quotes: Quotes,
  metricsUrl: string,
  rate: number,
  count: number,
  prefix: string,
): Promise<PacedResult> {
  const ack: number[] = [];
  const ackSched: number[] = [];
  const commit: number[] = [];
  const ackDurable: number[] = [];
  const filled: number[] = [];
  let errors = 0;
  const refusals: Refusals = {};
  const window = await measureWindow(metricsUrl, postmasterPid);
  const t0 = performance.now();
  const sent = await pace(rate, count, (i, due) => {
    const order = makeOrder(quotes, prefix, i);
    const start = performance.now();
    hooks.accepted.set(order.clOrdId, (t) => {
      ack.push(t - start);
      ackSched.push(t - due);
    });
    hooks.acceptedCommitted.set(order.clOrdId, (t) => ackDurable.push(t - start));
    hooks.filledCommitted.set(order.clOrdId, (t) => filled.push(t - start));
    engine.orders.submit(order, "bench:order-path").then(
      (r) => {
        commit.push(performance.now() - start);
        if (r.order.ordStatus === "Rejected" || r.duplicate) {
          errors += 1;
          countRefusal(refusals, r.duplicate ? "DUPLICATE" : r.order.rejectReason);
        }
      },
      (error: unknown) => {
        errors += 1;
        countRefusal(refusals, `THROWN ${String(error)}`);
      },
    );
  });
  const complete = await waitUntil(() => filled.length + errors >= sent, 15_000);
  const seconds = (performance.now() - t0) / 1000;
  const measured = await window.finish();
  hooks.accepted.clear();
  hooks.acceptedCommitted.clear();
  hooks.filledCommitted.clear();
  return {
    rate_per_s: rate,
    orders: count,
    sent,
    errors,
    refusals,
    incomplete: complete ? 0 : sent - filled.length - errors,
    seconds: Number(seconds.toFixed(1)),
    submit_to_ack_applied: summarize(ack),
    submit_to_ack_applied_from_schedule: summarize(ackSched),
    submit_to_commit: summarize(commit),
    submit_to_ack_committed: summarize(ackDurable),
    submit_to_filled_committed: summarize(filled),
    ...measured,
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 2: closed loop, `concurrency` orders in flight, each waits for its OrderFilled commit.

interface ClosedResult {
  concurrency: number;
  orders_in_engine_at_start: number;
  seconds: number;
  completed: number;
  errors: number;
  refusals: Refusals;
  stuck: number;
  orders_per_s: number;
  submit_to_filled_committed: Summary;
  event_loop_utilization: number;
  event_loop_delay: LoopDelay;
  gc_in_this_process: GcSeen;
  cpu: CpuUse;
  journal: ReturnType<typeof journalFigures>;
}

let closedRun = 0;

async function closedLoop(
  engine: RunningEngine,
  hooks: Hooks,
  quotes: Quotes,
  metricsUrl: string,
  concurrency: number,
  seconds: number,
): Promise<ClosedResult> {
  closedRun += 1;
  const prefix = `closed${closedRun}`;
  const inEngine = engine.orders.all().length;
  const lat: number[] = [];
  let started = 0;
  let errors = 0;
  const refusals: Refusals = {};
  const window = await measureWindow(metricsUrl, postmasterPid);
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let lastDone = t0;
  const worker = async () => {
    while (started < P.max_orders_per_phase && performance.now() < deadline) {
      const order = makeOrder(quotes, prefix, started);
      started += 1;
      const start = performance.now();
      const filled = new Promise<number>((resolve) => hooks.filledCommitted.set(order.clOrdId, resolve));
      try {
        const r = await engine.orders.submit(order, "bench:order-path");
        if (r.order.ordStatus === "Rejected" || r.duplicate) throw new Error(r.order.rejectReason ?? "duplicate");
      } catch (error) {
        hooks.filledCommitted.delete(order.clOrdId);
        errors += 1;
        countRefusal(refusals, error instanceof Error ? error.message : String(error));
        continue;
      }
      const t = await filled;
      lat.push(t - start);
      lastDone = t;
    }
  };
  await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), sleep(seconds * 1000 + 15_000)]);
  const measured = await window.finish();
  const stuck = started - lat.length - errors;
  hooks.filledCommitted.clear();
  const elapsed = (lastDone - t0) / 1000;
  return {
    concurrency,
    orders_in_engine_at_start: inEngine,
    seconds: Number(elapsed.toFixed(2)),
    completed: lat.length,
    errors,
    refusals,
    stuck,
    orders_per_s: Math.round(lat.length / elapsed),
    submit_to_filled_committed: summarize(lat),
    ...measured,
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 3: the public API (console → engine over loopback HTTP), paced.

interface ApiResult {
  door: ApiDoor;
  rate_per_s: number;
  orders: number;
  sent: number;
  skipped_over_in_flight_cap: number;
  ok: number;
  errors: number;
  /** 503 OVERLOADED answers (backpressure), counted apart from errors; their latency below. */
  overloaded: number;
  overloaded_response: Summary;
  first_error?: string;
  seconds: number;
  send_to_response: Summary;
  send_to_response_from_schedule: Summary;
  send_to_ack_on_engine_stream: Summary;
  cpu: CpuUse;
  postgres_maintenance: MaintenanceSeen;
  /** This load generator's own event-loop delay over the phase: how far its clock can be trusted. */
  generator_loop_delay: LoopDelay;
  journal: ReturnType<typeof journalFigures>;
  /** The engine child's full collections in the phase (its event loop's heap; the console's are not recorded). */
  engine_gc: EngineGcFigures;
}

async function signIn(stack: Stack): Promise<string> {
  const trader = stack.logins.find((l) => l.role === "trader");
  if (!trader) throw new Error("no demo trader login");
  const response = await fetch(`${stack.webUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: stack.webUrl },
    body: JSON.stringify({ email: trader.email, password: trader.password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`sign-in answered HTTP ${response.status}: ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  if (!cookie.includes("session_token")) throw new Error("sign-in set no session cookie");
  return cookie;
}

/** Follows the engine's committed-event stream (SSE) and reports OrderAccepted by clOrdId. */
async function followStream(stack: Stack, acks: Waiters, signal: AbortSignal): Promise<void> {
  // Only the acknowledgements: following every event cost the engine and this generator about 0.2
  // cores at 500/s between them, a consumer the API's clients do not have.
  const response = await fetch(`${stack.engineUrl}/v1/stream?types=OrderAccepted`, {
    headers: { authorization: `Bearer ${stack.secrets.engineToken}` },
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`engine stream answered HTTP ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const t = performance.now();
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const chunk = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!chunk.includes('"OrderAccepted"')) continue;
        for (const line of chunk.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const item = JSON.parse(line.slice(6)) as { event: { type: string }; order: { clOrdId: string } | null };
          const clOrdId = item.order?.clOrdId;
          const cb = clOrdId === undefined ? undefined : acks.get(clOrdId);
          if (clOrdId !== undefined && cb) {
            acks.delete(clOrdId);
            cb(t);
          }
        }
      }
    }
  })().catch(() => undefined);
}

/**
 * The public API's doors for a submit: the REST door programs use (`POST /api/v1/orders`), or the
 * console's own tRPC procedure (`POST /api/trpc/orders.submit`), for comparison.
 */
type ApiDoor = "rest" | "trpc";
const DOOR_PATH: Record<ApiDoor, string> = { rest: "/api/v1/orders", trpc: "/api/trpc/orders.submit" };

/**
 * The load generator's client: node:http with kept-alive connections. It shares the two cores with
 * what it measures, and `fetch` (undici) costs it several times the CPU per request.
 */
function httpPoster(baseUrl: string, path: string, headers: Record<string, string>) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: P.api_max_in_flight });
  const post = (body: string) =>
    new Promise<{ status: number; retryAfter: boolean; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: "POST",
          agent,
          timeout: 15_000,
          headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] !== undefined, text }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out after 15 s")));
      req.on("error", reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

async function apiPaced(
  stack: Stack,
  quotes: Quotes,
  cookie: string,
  rate: number,
  count: number,
  prefix: string,
  door: ApiDoor = "rest",
): Promise<ApiResult> {
  const acks: Waiters = new Map();
  const streamAbort = new AbortController();
  await followStream(stack, acks, streamAbort.signal);
  const client = httpPoster(stack.webUrl, DOOR_PATH[door], { cookie, origin: stack.webUrl });
  const submit = (order: SubmitOrder) => client.post(JSON.stringify(order));

  const lat: number[] = [];
  const latSched: number[] = [];
  const ackLat: number[] = [];
  const overloadedLat: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const before = await scrape(`${stack.engineUrl}/metrics`);
  const cpu = cpuMeter(postmasterPid);
  const maintenance = await maintenanceMeter(pgAdminUrl);
  const generatorLoop = loopDelayMeter();
  const t0 = performance.now();
  let inFlight = 0;
  let skipped = 0;
  const sent = await pace(rate, count, (i, due) => {
    // Open loop, but bounded: past the cap the system is overloaded and sending more says nothing new.
    if (inFlight >= P.api_max_in_flight) {
      skipped += 1;
      return;
    }
    inFlight += 1;
    const order = makeOrder(quotes, prefix, i);
    const start = performance.now();
    acks.set(order.clOrdId, (t) => ackLat.push(t - start));
    submit(order)
      .then(({ status, retryAfter, text }) => {
        const t = performance.now();
        if (status === 503 && retryAfter) {
          overloadedLat.push(t - start);
          acks.delete(order.clOrdId);
          return;
        }
        if (status !== 200 || !text.includes('"ordStatus"') || text.includes('"ordStatus":"Rejected"')) {
          errors += 1;
          firstError ??= `HTTP ${status}: ${text.slice(0, 300)}`;
          return;
        }
        lat.push(t - start);
        latSched.push(t - due);
      })
      .catch((error: unknown) => {
        errors += 1;
        firstError ??= `${String(error)} (${String((error as { cause?: unknown }).cause)})`;
      })
      .finally(() => {
        inFlight -= 1;
      });
  });
  await waitUntil(() => lat.length + errors + overloadedLat.length + skipped >= sent && ackLat.length >= lat.length, 15_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpuUse = cpu.stop();
  const postgresMaintenance = await maintenance.stop();
  const generatorLoopDelay = generatorLoop();
  const after = await scrape(`${stack.engineUrl}/metrics`);
  streamAbort.abort();
  client.close();
  return {
    door,
    rate_per_s: rate,
    orders: count,
    sent,
    skipped_over_in_flight_cap: skipped,
    ok: lat.length,
    errors,
    overloaded: overloadedLat.length,
    overloaded_response: summarize(overloadedLat),
    first_error: firstError,
    seconds: Number(seconds.toFixed(1)),
    send_to_response: summarize(lat),
    send_to_response_from_schedule: summarize(latSched),
    send_to_ack_on_engine_stream: summarize(ackLat),
    cpu: cpuUse,
    postgres_maintenance: postgresMaintenance,
    generator_loop_delay: generatorLoopDelay,
    journal: journalFigures(before, after),
    engine_gc: engineGcFigures(before, after),
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 4: the streaming door (socket.io namespace /trading), paced.

interface StreamResult {
  rate_per_s: number;
  orders: number;
  sent: number;
  ok: number;
  errors: number;
  first_error?: string;
  seconds: number;
  send_to_ack: Summary;
  send_to_accepted_report: Summary;
  send_to_accepted_report_from_schedule: Summary;
  cpu: CpuUse;
  postgres_maintenance: MaintenanceSeen;
  journal: ReturnType<typeof journalFigures>;
  engine_gc: EngineGcFigures;
}

async function openDoor(stack: Stack, cookie: string): Promise<Socket> {
  const socket = connectSocket(`${stack.webUrl}/trading`, {
    transports: ["websocket"],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("streaming door: no connection within 10 s")), 10_000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (e) => reject(e));
  });
  return socket;
}

async function streamPaced(
  stack: Stack,
  quotes: Quotes,
  cookie: string,
  rate: number,
  count: number,
  prefix: string,
): Promise<StreamResult> {
  const socket = await openDoor(stack, cookie);
  const reports: Waiters = new Map();
  socket.on("execution", (r: { type: string; clOrdId: string }) => {
    if (r.type !== "OrderAccepted") return;
    const cb = reports.get(r.clOrdId);
    if (cb) {
      reports.delete(r.clOrdId);
      cb(performance.now());
    }
  });
  const ackLat: number[] = [];
  const reportLat: number[] = [];
  const reportSched: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const before = await scrape(`${stack.engineUrl}/metrics`);
  const cpu = cpuMeter(postmasterPid);
  const maintenance = await maintenanceMeter(pgAdminUrl);
  const t0 = performance.now();
  const sent = await pace(rate, count, (i, due) => {
    const order = makeOrder(quotes, prefix, i);
    const start = performance.now();
    reports.set(order.clOrdId, (t) => {
      reportLat.push(t - start);
      reportSched.push(t - due);
    });
    socket.emit("order:submit", order, (ack: { ok: boolean; order?: { ordStatus: string }; error?: { code: string; message: string } }) => {
      if (ack.ok && ack.order?.ordStatus !== "Rejected") ackLat.push(performance.now() - start);
      else {
        errors += 1;
        reports.delete(order.clOrdId);
        firstError ??= JSON.stringify(ack.error ?? ack.order).slice(0, 300);
      }
    });
  });
  await waitUntil(() => ackLat.length + errors >= sent && reportLat.length >= ackLat.length, 15_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpuUse = cpu.stop();
  const postgresMaintenance = await maintenance.stop();
  const after = await scrape(`${stack.engineUrl}/metrics`);
  socket.disconnect();
  return {
    rate_per_s: rate,
    orders: count,
    sent,
    ok: ackLat.length,
    errors,
    first_error: firstError,
    seconds: Number(seconds.toFixed(1)),
    send_to_ack: summarize(ackLat),
    send_to_accepted_report: summarize(reportLat),
    send_to_accepted_report_from_schedule: summarize(reportSched),
    cpu: cpuUse,
    postgres_maintenance: postgresMaintenance,
    journal: journalFigures(before, after),
    engine_gc: engineGcFigures(before, after),
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 5: api_max_rps, a stepped search bounded in time: short screening steps up the rate ladder
// until a step fails, then confirmation runs of max_rps_confirm_seconds from the best screened rate
// down (confirmationLadder) until one holds. A step holds when p99 (send → response, OK answers) ≤ max_rps_p99_ms, at most
// max_rps_max_error_pct % of sent orders were refused (503) or failed, and the generator sent ≥ 95 %.

interface MaxRpsStep {
  rate_per_s: number;
  seconds: number;
  kind: "screen" | "confirm";
  holds: boolean;
  p99_ms: number;
  ok: number;
  overloaded: number;
  errors: number;
  first_error?: string;
  sent_of: [number, number];
  postgres_maintenance: MaintenanceSeen;
  engine_gc: EngineGcFigures;
}

function stepHolds(r: ApiResult): boolean {
  const bad = r.errors + r.overloaded + r.skipped_over_in_flight_cap;
  return (
    r.ok > 0 &&
    r.send_to_response.p99_ms <= P.max_rps_p99_ms &&
    (bad * 100) / Math.max(1, r.sent) <= P.max_rps_max_error_pct &&
    r.sent >= 0.95 * r.orders
  );
}

/**
 * Waits until the stack's start-up work (projections catching up, the day's scheduled report, JIT)
 * and the earlier phases' deferred work are over: the engine, the console and Postgres together under
 * 0.15 cores for two 1 s windows in a row, and at most SETTLE_MARKOUTS markout samples still due (each
 * fill's last markout is journaled 60 s after it: a phase at 1,000/s leaves 1,000 events a second for
 * the phase that follows a minute later). 90 s at most. Without it a phase measured the work of the
 * ones before it, not its own.
 */
const SETTLE_MARKOUTS = 1000;
async function settle(stack: Stack): Promise<void> {
  const started = performance.now();
  let quiet = 0;
  let last: CpuUse | undefined;
  let markouts = Number.NaN;
  while ((quiet < 2 || !(markouts <= SETTLE_MARKOUTS)) && performance.now() - started < 90_000) {
    const meter = cpuMeter(postmasterPid);
    await new Promise((r) => setTimeout(r, 1000));
    last = meter.stop();
    quiet = last.bench_children_cores + last.postgres_cores < 0.15 ? quiet + 1 : 0;
    markouts = await markoutsPending(stack);
  }
  log(
    `stack settled in ${((performance.now() - started) / 1000).toFixed(1)} s (last second: children ${last?.bench_children_cores} cores, Postgres ${last?.postgres_cores}; ${markouts} markout samples due) at ${stack.webUrl}`,
  );
}

/** The engine's markout samples still due (its /metrics gauge); NaN when it cannot be read. */
async function markoutsPending(stack: Stack): Promise<number> {
  try {
    const text = await (await fetch(`${stack.engineUrl}/metrics`)).text();
    return Number(/^fillmore_markouts_pending (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

async function apiMaxRps(stack: Stack, quotes: Quotes, cookie: string): Promise<{ api_max_rps: number; steps: MaxRpsStep[] }> {
  const steps: MaxRpsStep[] = [];
  let run = 0;
  const step = async (rate: number, seconds: number, kind: MaxRpsStep["kind"]) => {
    run += 1;
    const r = await apiPaced(stack, quotes, cookie, rate, Math.round(rate * seconds), `maxrps${run}`);
    const s: MaxRpsStep = {
      rate_per_s: rate,
      seconds,
      kind,
      holds: stepHolds(r),
      p99_ms: r.send_to_response.p99_ms,
      ok: r.ok,
      overloaded: r.overloaded,
      errors: r.errors,
      ...(r.first_error === undefined ? {} : { first_error: r.first_error }),
      sent_of: [r.sent, r.orders],
      postgres_maintenance: r.postgres_maintenance,
      engine_gc: r.engine_gc,
    };
    steps.push(s);
    log(
      `  ${kind} ${rate}/s for ${seconds} s: p99 ${fmt(s.p99_ms)} ms, ${s.ok} ok, ${s.overloaded} 503, ${s.errors} errors${s.first_error ? ` (first: ${s.first_error})` : ""}, engine full collections ${s.engine_gc.full} → ${s.holds ? "holds" : "fails"}`,
    );
    await sleep(1000); // let the backlog drain before the next step
    return s.holds;
  };
  const held: number[] = [];
  await settle(stack);
  // After the quiet minute, 5 s at the first rate, not measured (a run's first screen at 100/s, cold, gave 102 ms).
  const firstRate = P.max_rps_screen_rates[0] ?? 100;
  await apiPaced(stack, quotes, cookie, firstRate, firstRate * 5, "maxrpswarm");
  for (const rate of P.max_rps_screen_rates) {
    if (!(await step(rate, P.max_rps_screen_seconds, "screen"))) break;
    held.push(rate);
  }
  for (const rate of confirmationLadder(held, P.max_rps_max_confirms)) {
    await settle(stack);
    // As for the 500/s phase: the rate held for 30 s, not the first seconds after a quiet minute.
    await apiPaced(stack, quotes, cookie, rate, rate * 5, `maxrpswarm${rate}`);
    if (await step(rate, P.max_rps_confirm_seconds, "confirm")) return { api_max_rps: rate, steps };
  }
  return { api_max_rps: 0, steps };
}

// ---------------------------------------------------------------------------------------------
// Setup and teardown

/**
 * The engine phases' database goes once they are over: its journal (hundreds of thousands of rows)
 * was otherwise vacuumed by autovacuum in the middle of an API phase (seen: 6.75 s of `VACUUM ANALYZE
 * public.journal` during the 500/s phase), work that belongs to no phase the API measures.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A Postgres CHECKPOINT, then the kernel's own dirty pages (`sync`): the disk is idle afterwards. */
async function flushToDisk(adminUrl: string): Promise<void> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query("CHECKPOINT");
  } finally {
    await client.end();
  }
  execFileSync("sync");
  log(`checkpoint and sync in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function prepareDatabase(adminUrl: string, name: string): Promise<{ url: string; settings: Record<string, string> }> {
  const url = await createDatabase(adminUrl, name);
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await seedReference(pool);
    // Zero venue latency and no partial fills: each venue's own config wins over SIM_LATENCY_MS.
    await pool.query("UPDATE venue SET config = config || $1::jsonb WHERE kind = 'sim'", [JSON.stringify(P.venue_config)]);
    const settings: Record<string, string> = {};
    for (const s of ["server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers"]) {
      const { rows } = await pool.query<Record<string, string>>(`SHOW ${s}`);
      settings[s] = Object.values(rows[0] ?? {})[0] ?? "?";
    }
    return { url, settings };
  } finally {
    await pool.end();
  }
}

/** The floor under every durable figure: one INSERT + COMMIT (WAL flush) at a time, on this disk. */
async function probeCommit(url: string): Promise<Summary> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("CREATE TABLE IF NOT EXISTS bench_commit_probe (id bigint PRIMARY KEY, at timestamptz NOT NULL)");
    const lat: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const t = performance.now();
      await client.query("INSERT INTO bench_commit_probe VALUES ($1, now())", [i]);
      lat.push(performance.now() - t);
    }
    return summarize(lat);
  } finally {
    await client.end();
  }
}

function quotesOf(engine: RunningEngine): Quotes {
  const quotes: Quotes = new Map();
  for (const s of SYMBOLS) {
    const q = engine.feed.quote(s);
    if (q) quotes.set(s, { bid: q.bid, ask: q.ask });
  }
  return quotes;
}

/** Which code was measured: the engine is edited concurrently, so the commit alone does not say. */
function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] ?? 10) : String(c).padStart(widths[i] ?? 10))).join("  ");
}

function latencyRow(label: string, s: Summary | undefined): string {
  const w = [52, 8, 8, 8, 8, 8, 8];
  return row([label, s?.n ?? 0, fmt(s?.p50_ms), fmt(s?.p90_ms), fmt(s?.p99_ms), fmt(s?.p999_ms), fmt(s?.max_ms)], w);
}

async function main(): Promise<void> {
  const started = new Date();
  const machine = machineInfo();
  const hostTuning = TUNE_HOST ? tuneWriteback() : undefined;
  const writebackBefore = hostTuning?.before ?? readWriteback();
  let hostRestored = false;
  const restoreHost = () => {
    if (hostRestored) return;
    hostRestored = true;
    try {
      hostTuning?.restore();
    } catch (error) {
      console.error(`could not put the host's write-back setting back: ${String(error)}`);
    }
  };
  process.once("exit", restoreHost);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "fillmore-bench-"));
  let postgres: EmbeddedPostgresHandle | undefined;
  let engine: RunningEngine | undefined;
  let stack: Stack | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await engine?.stop().catch(() => undefined);
      await stack?.stop().catch(() => undefined);
      await postgres?.stop().catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
      restoreHost();
    })();
    return cleaning;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      void cleanup().finally(() => process.exit(130));
    });

  try {
    log(
      `machine: ${machine.nproc} × ${machine.cpu_model}, node ${machine.node} (${machine.node_flags.join(" ")}), load ${machine.loadavg_at_start.join(" ")}`,
    );
    if (hostTuning) {
      const { dirty_background_bytes: bytes, dirty_background_ratio: ratio } = hostTuning.before;
      log(
        `host: vm.dirty_background_bytes=${hostTuning.bytes} for this run (was ${bytes > 0 ? `bytes ${bytes}` : `ratio ${ratio}`}); --no-tune-host measures the host as it is`,
      );
    } else {
      const advice = writebackAdvice(writebackBefore);
      log(`host: write-back as it is${advice ? `: ${advice}` : ""}`);
    }
    log("starting embedded Postgres…");
    postgres = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: await findFreePort() });
    postmasterPid = Number(readFileSync(path.join(tmp, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    pgAdminUrl = postgres.adminUrl;
    const engineDb = await prepareDatabase(postgres.adminUrl, ENGINE_DB);
    const fsyncProbe = await probeCommit(engineDb.url);
    log(`durable single-row commit: p50 ${fmt(fsyncProbe.p50_ms)} p99 ${fmt(fsyncProbe.p99_ms)} ms (n=${fsyncProbe.n})`);
    log(
      `Postgres ${engineDb.settings.server_version}: fsync=${engineDb.settings.fsync} synchronous_commit=${engineDb.settings.synchronous_commit}`,
    );

    // Through the engine's own config parser, so settings added later get their defaults.
    const config = loadConfig({
      DATABASE_URL: engineDb.url,
      ENGINE_HOST: "127.0.0.1",
      ENGINE_PORT: "0",
      ENGINE_SERVICE_TOKEN: randomBytes(24).toString("hex"),
      LOG_LEVEL: "warn",
      DEMO_STRATEGY: "0",
      DEMO_STRATEGY_ORDERS_PER_S: "0",
      SIM_LATENCY_MS: String(P.sim_latency_ms),
      SIM_TICK_MS: String(P.sim_tick_ms),
      JOURNAL_MAX_BATCH: String(P.journal_max_batch),
    });
    engine = await startEngine(config, createLogger(config.LOG_LEVEL));
    const riskLimits = engine.risk.effectiveLimits("ACC-ALPHA");
    const metricsUrl = `${engine.url}/metrics`;
    const hooks = hook(engine);
    const quotes = quotesOf(engine);

    log(`warm-up: ${P.warmup_seconds} s of lifecycles…`);
    await closedLoop(engine, hooks, quotes, metricsUrl, 64, P.warmup_seconds);

    log(`light load: ${P.light_orders} orders at ${P.light_rate_per_s}/s (engine boundary)…`);
    const light = await pacedEngine(engine, hooks, quotes, metricsUrl, P.light_rate_per_s, P.light_orders, "light");
    log(`  ack p50 ${fmt(light.submit_to_ack_applied.p50_ms)} p99 ${fmt(light.submit_to_ack_applied.p99_ms)} ms`);
    log(`paced: ${P.paced_orders} orders at ${P.paced_rate_per_s}/s (engine boundary)…`);
    const paced = await pacedEngine(engine, hooks, quotes, metricsUrl, P.paced_rate_per_s, P.paced_orders, "paced");
    log(`  ack p50 ${fmt(paced.submit_to_ack_applied.p50_ms)} p99 ${fmt(paced.submit_to_ack_applied.p99_ms)} ms`);
    log(
      `  caller p99 ${fmt(paced.submit_to_commit.p99_ms)} ms; full collections of this process's heap in the phase: ${paced.gc_in_this_process.full} (longest pause ${fmt(paced.gc_in_this_process.full_pause_ms_max)} ms); event-loop delay max ${fmt(paced.event_loop_delay.max_ms)} ms; cores stolen by the hypervisor ${fmt(paced.cpu.stolen_cores)}; host probe ${fmt(paced.cpu.host_probe_ms)} ms (fastest ${fmt(paced.cpu.host_probe_min_ms)})`,
    );

    const sweep: ClosedResult[] = [];
    for (const c of P.sweep_concurrency) {
      const r = await closedLoop(engine, hooks, quotes, metricsUrl, c, P.sweep_seconds);
      log(`sweep: concurrency ${c}: ${r.orders_per_s} lifecycles/s, p99 ${fmt(r.submit_to_filled_committed.p99_ms)} ms`);
      sweep.push(r);
    }
    const best = sweep.reduce((a, b) => (b.orders_per_s > a.orders_per_s ? b : a));
    log(`sustained: ${P.sustained_seconds} s closed loop at concurrency ${best.concurrency}…`);
    const sustained = await closedLoop(engine, hooks, quotes, metricsUrl, best.concurrency, P.sustained_seconds);
    log(`  ${sustained.orders_per_s} lifecycles/s, p99 ${fmt(sustained.submit_to_filled_committed.p99_ms)} ms`);

    let profile: ReturnType<typeof summarizeProfile> | undefined;
    if (PROFILE) {
      log(`profile: ${P.profile_seconds} s closed loop at concurrency ${best.concurrency} under the V8 sampling profiler…`);
      const stop = await startProfiler();
      const profiled = await closedLoop(engine, hooks, quotes, metricsUrl, best.concurrency, P.profile_seconds);
      const raw = await stop();
      const file = path.join(root, "bench/results/order-path.cpuprofile.tmp");
      writeFileSync(file, JSON.stringify(raw));
      profile = summarizeProfile(raw, root);
      log(`  ${profiled.orders_per_s} lifecycles/s while profiled; raw profile in ${path.relative(root, file)} (open in Chrome DevTools)`);
    }
    const statusAtAck = hooks.statusAtAck;
    await engine.stop();
    engine = undefined;

    let api: ApiResult | undefined;
    let apiLight: ApiResult | undefined;
    let apiTrpcLight: ApiResult | undefined;
    let apiAfterQuiet: ApiResult | undefined;
    let stream: StreamResult | undefined;
    let maxRps: Awaited<ReturnType<typeof apiMaxRps>> | undefined;
    if (API) {
      // The engine phases leave hundreds of MB of dirty buffers and WAL: written out now, not by a
      // checkpoint in the middle of an API phase (their commits waited behind it: 29 ms a commit at 500/s).
      await dropDatabase(postgres.adminUrl, ENGINE_DB);
      await flushToDisk(postgres.adminUrl);
      log("starting the whole stack (engine + console) for the public API…");
      const apiDb = await prepareDatabase(postgres.adminUrl, "bench_api");
      process.env.LOG_LEVEL = "warn";
      stack = await startStack({
        dataDir: path.join(tmp, "stack"),
        databaseUrl: apiDb.url,
        webPort: await findFreePort(),
        enginePort: await findFreePort(),
        demo: true,
        demoStrategy: false,
        log,
        childStdio: "inherit",
        extraEngineEnv: {
          SIM_LATENCY_MS: String(P.sim_latency_ms),
          SIM_TICK_MS: String(P.sim_tick_ms),
          DEMO_STRATEGY_ORDERS_PER_S: "0",
          JOURNAL_MAX_BATCH: String(P.journal_max_batch),
        },
      });
      const reference = (await (
        await fetch(`${stack.engineUrl}/v1/reference`, { headers: { authorization: `Bearer ${stack.secrets.engineToken}` } })
      ).json()) as { quotes: { symbol: string; bid: string; ask: string }[] };
      const apiQuotes: Quotes = new Map(reference.quotes.map((q) => [q.symbol, { bid: q.bid, ask: q.ask }]));
      const cookie = await signIn(stack);
      // Warm-up (JIT, connection pools, session lookups), then a light load for the floor.
      await apiPaced(stack, apiQuotes, cookie, 100, 200, "apiwarm");
      await apiPaced(stack, apiQuotes, cookie, 100, 200, "apiwarmtrpc", "trpc");
      await settle(stack);
      log(`public API (REST door), light load: ${P.api_light_orders} orders at ${P.api_light_rate_per_s}/s…`);
      apiLight = await apiPaced(stack, apiQuotes, cookie, P.api_light_rate_per_s, P.api_light_orders, "apilight");
      log(`  response p50 ${fmt(apiLight.send_to_response.p50_ms)} p99 ${fmt(apiLight.send_to_response.p99_ms)} ms`);
      log(`public API (tRPC orders.submit), light load: ${P.api_light_orders} orders at ${P.api_light_rate_per_s}/s…`);
      apiTrpcLight = await apiPaced(stack, apiQuotes, cookie, P.api_light_rate_per_s, P.api_light_orders, "apitrpc", "trpc");
      log(`  response p50 ${fmt(apiTrpcLight.send_to_response.p50_ms)} p99 ${fmt(apiTrpcLight.send_to_response.p99_ms)} ms`);
      log(`public API: ${P.api_orders} orders at ${P.api_rate_per_s}/s through the REST door (POST /api/v1/orders)…`);
      // The stack is quiet first (settle), then 5 s at the rate are reported on their own: the first
      // seconds after a quiet minute answer slower (scratch: per-second p99 2-4 times the rest of
      // the phase). The phase measured follows at once, so it is the steady rate, not that start.
      await settle(stack);
      apiAfterQuiet = await apiPaced(stack, apiQuotes, cookie, P.api_rate_per_s, P.api_rate_per_s * 5, "apiafterquiet");
      log(
        `  after a quiet minute, first 5 s: response p50 ${fmt(apiAfterQuiet.send_to_response.p50_ms)} p99 ${fmt(apiAfterQuiet.send_to_response.p99_ms)} ms`,
      );
      api = await apiPaced(stack, apiQuotes, cookie, P.api_rate_per_s, P.api_orders, "api");
      log(
        `  response p50 ${fmt(api.send_to_response.p50_ms)} p99 ${fmt(api.send_to_response.p99_ms)} ms, ${api.errors} errors${api.first_error ? ` (first: ${api.first_error})` : ""}, ${api.overloaded} answered 503 OVERLOADED, ${api.skipped_over_in_flight_cap} not sent (in-flight cap); this generator's loop delay p99 ${fmt(api.generator_loop_delay.p99_ms)} max ${fmt(api.generator_loop_delay.max_ms)} ms`,
      );
      log(`  Postgres meanwhile: ${describeMaintenance(api.postgres_maintenance)}; the engine's full collections: ${api.engine_gc.full}`);
      log(`streaming door: ${P.stream_orders} orders at ${P.stream_rate_per_s}/s over socket.io /trading…`);
      await settle(stack);
      // 5 s at the rate first, not measured, as for the API phase.
      await streamPaced(stack, apiQuotes, cookie, P.stream_rate_per_s, P.stream_rate_per_s * 5, "streamwarm");
      stream = await streamPaced(stack, apiQuotes, cookie, P.stream_rate_per_s, P.stream_orders, "stream");
      log(
        `  ack p99 ${fmt(stream.send_to_ack.p99_ms)} ms, OrderAccepted report p50 ${fmt(stream.send_to_accepted_report.p50_ms)} p99 ${fmt(stream.send_to_accepted_report.p99_ms)} ms, ${stream.errors} errors${stream.first_error ? ` (first: ${stream.first_error})` : ""}`,
      );
      log("api_max_rps: stepped search…");
      maxRps = await apiMaxRps(stack, apiQuotes, cookie);
      log(`  api_max_rps ${maxRps.api_max_rps}/s`);
    }

    const result = {
      benchmark: "order-path",
      date: started.toISOString(),
      command: `npm run bench -- order-path${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`,
      machine,
      host_writeback: { before: writebackBefore ?? null, during: readWriteback() ?? null, tuned_by_bench: hostTuning !== undefined },
      postgres: { ...engineDb.settings, single_row_commit: fsyncProbe },
      source: sourceState(),
      params: {
        ...P,
        quick: QUICK,
        engine_config: { ...config, DATABASE_URL: "(embedded)", ENGINE_SERVICE_TOKEN: "(random)" },
        risk_limits: riskLimits,
      },
      // Open loop: latency counts from when each order was due, so queueing behind a stalled engine
      // is included (no coordinated omission). The figures from the actual submit call follow.
      p50_ms: paced.submit_to_ack_applied_from_schedule.p50_ms,
      p99_ms: paced.submit_to_ack_applied_from_schedule.p99_ms,
      p999_ms: paced.submit_to_ack_applied_from_schedule.p999_ms,
      p50_ms_from_call: paced.submit_to_ack_applied.p50_ms,
      p99_ms_from_call: paced.submit_to_ack_applied.p99_ms,
      p999_ms_from_call: paced.submit_to_ack_applied.p999_ms,
      paced_achieved_per_s: Math.round(paced.sent / paced.seconds),
      paced_sent_of: [paced.sent, paced.orders],
      light_p50_ms: light.submit_to_ack_applied_from_schedule.p50_ms,
      light_p99_ms: light.submit_to_ack_applied_from_schedule.p99_ms,
      api_light_p50_ms: apiLight?.send_to_response.p50_ms,
      api_light_p99_ms: apiLight?.send_to_response.p99_ms,
      api_trpc_light_p50_ms: apiTrpcLight?.send_to_response.p50_ms,
      api_trpc_light_p99_ms: apiTrpcLight?.send_to_response.p99_ms,
      max_orders_per_s: sustained.orders_per_s,
      lifecycle_concurrency: sustained.concurrency,
      lifecycle_p50_ms: sustained.submit_to_filled_committed.p50_ms,
      lifecycle_p99_ms: sustained.submit_to_filled_committed.p99_ms,
      // The caller's answer at the engine boundary: submit → promise resolved (journal committed), at 1,000/s.
      caller_p50_ms: paced.submit_to_commit.p50_ms,
      caller_p99_ms: paced.submit_to_commit.p99_ms,
      caller_p999_ms: paced.submit_to_commit.p999_ms,
      // Full collections of the (in-process) engine's heap during that phase: what its tail depends on.
      caller_phase_full_collections: paced.gc_in_this_process.full,
      // How fast the host was just before that phase (bench/lib/host-probe.ts): less is faster.
      caller_phase_host_probe_ms: paced.cpu.host_probe_ms,
      api_overloaded_503: api?.overloaded,
      api_max_rps: maxRps?.api_max_rps,
      stream_ack_p99_ms: stream?.send_to_ack.p99_ms,
      stream_p50_ms: stream?.send_to_accepted_report.p50_ms,
      stream_p99_ms: stream?.send_to_accepted_report.p99_ms,
      stream_p999_ms: stream?.send_to_accepted_report.p999_ms,
      api_p50_ms: api?.send_to_response.p50_ms,
      api_p99_ms: api?.send_to_response.p99_ms,
      api_p999_ms: api?.send_to_response.p999_ms,
      api_ack_p50_ms: api?.send_to_ack_on_engine_stream.p50_ms,
      api_ack_p99_ms: api?.send_to_ack_on_engine_stream.p99_ms,
      api_ack_p999_ms: api?.send_to_ack_on_engine_stream.p999_ms,
      // The first 5 s at 500/s after a quiet minute (not steady state; reported, not a goal).
      api_after_quiet_p99_ms: apiAfterQuiet?.send_to_response.p99_ms,
      goals: {
        customer_p99_le_50ms_engine: paced.submit_to_ack_applied_from_schedule.p99_ms <= 50,
        customer_p99_le_50ms_api: api ? api.send_to_response.p99_ms <= 50 : null,
        engine_p99_le_1ms: paced.submit_to_ack_applied_from_schedule.p99_ms <= 1,
        lifecycles_ge_10000_per_s: sustained.orders_per_s >= 10_000,
        api_p99_le_10ms: api ? api.send_to_response.p99_ms <= 10 : null,
        customer_p99_le_50ms_caller: paced.submit_to_commit.p99_ms <= 50,
        caller_p99_le_5ms: paced.submit_to_commit.p99_ms <= 5,
        api_max_rps_ge_2000: maxRps ? maxRps.api_max_rps >= 2000 : null,
        stream_p99_le_5ms: stream ? stream.send_to_accepted_report.p99_ms <= 5 : null,
      },
      status_when_ack_hook_ran: statusAtAck,
      phases: {
        light,
        paced,
        sweep,
        sustained,
        api_light: apiLight,
        api_trpc_light: apiTrpcLight,
        api_after_quiet: apiAfterQuiet,
        api,
        stream,
        api_max_rps: maxRps,
      },
      profile,
    };
    const out = path.join(root, `bench/results/order-path${QUICK ? "-quick.json.tmp" : ".json"}`);
    writeFileSync(`${out}.partial.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(`${out}.partial.tmp`, out);

    const w = [52, 8, 8, 8, 8, 8, 8];
    console.log("");
    console.log(`order-path · ${result.date} · ${machine.nproc} × ${machine.cpu_model} · node ${machine.node}${QUICK ? " · QUICK" : ""}`);
    console.log(row(["latency (ms)", "n", "p50", "p90", "p99", "p99.9", "max"], w));
    console.log(latencyRow(`engine @${P.light_rate_per_s}/s: due → ack applied`, light.submit_to_ack_applied_from_schedule));
    console.log(latencyRow("  submit → promise resolved (journal commit)", light.submit_to_commit));
    console.log(latencyRow(`engine @${P.paced_rate_per_s}/s: due → ack applied (headline)`, paced.submit_to_ack_applied_from_schedule));
    console.log(latencyRow(`  submit call → ack applied (${paced.sent} of ${paced.orders} sent)`, paced.submit_to_ack_applied));
    console.log(latencyRow("  submit → promise resolved (journal commit)", paced.submit_to_commit));
    console.log(latencyRow("  submit → OrderFilled committed", paced.submit_to_filled_committed));
    console.log(
      latencyRow(`lifecycle @${sustained.concurrency} in flight: submit → Filled committed`, sustained.submit_to_filled_committed),
    );
    if (apiLight) {
      console.log(latencyRow(`API @${P.api_light_rate_per_s}/s: send → HTTP response`, apiLight.send_to_response));
      console.log(latencyRow("  send → OrderAccepted on engine stream", apiLight.send_to_ack_on_engine_stream));
    }
    if (apiTrpcLight) {
      console.log(latencyRow(`tRPC orders.submit @${P.api_light_rate_per_s}/s: send → response`, apiTrpcLight.send_to_response));
    }
    if (api) {
      console.log(latencyRow(`API @${P.api_rate_per_s}/s: send → HTTP response`, api.send_to_response));
      console.log(latencyRow("  send → OrderAccepted on engine stream", api.send_to_ack_on_engine_stream));
      if (api.overloaded > 0) console.log(latencyRow("  send → 503 OVERLOADED (backpressure)", api.overloaded_response));
    }
    if (apiAfterQuiet) {
      console.log(latencyRow(`  first 5 s @${P.api_rate_per_s}/s after a quiet minute`, apiAfterQuiet.send_to_response));
    }
    if (stream) {
      console.log(latencyRow(`stream door @${P.stream_rate_per_s}/s: send → ack`, stream.send_to_ack));
      console.log(latencyRow("  send → OrderAccepted execution report", stream.send_to_accepted_report));
    }
    if (maxRps) console.log(`api_max_rps (p99 ≤ ${P.max_rps_p99_ms} ms for ${P.max_rps_confirm_seconds} s): ${maxRps.api_max_rps}/s`);
    console.log("");
    const w2 = [34, 9, 6, 8, 6, 6, 6, 6, 6, 6, 8, 8, 9];
    console.log(
      row(
        [
          "throughput",
          "orders/s",
          "ELU",
          "machine",
          "bench",
          "pg",
          "child",
          "stolen",
          "other",
          "probe",
          "commits",
          "ev/commit",
          "commit ms",
        ],
        w2,
      ),
    );
    const tp = (label: string, r: { orders_per_s?: number; event_loop_utilization?: number } & Pick<ClosedResult, "cpu" | "journal">) =>
      console.log(
        row(
          [
            label,
            r.orders_per_s ?? "–",
            fmt(r.event_loop_utilization),
            fmt(r.cpu.machine_busy_cores),
            fmt(r.cpu.bench_process_cores),
            fmt(r.cpu.postgres_cores),
            fmt(r.cpu.bench_children_cores),
            fmt(r.cpu.stolen_cores),
            fmt(r.cpu.other_processes_cores),
            fmt(r.cpu.host_probe_ms),
            r.journal.commits,
            fmt(r.journal.mean_batch_events, 1),
            fmt(r.journal.mean_commit_ms, 2),
          ],
          w2,
        ),
      );
    tp(`paced ${P.light_rate_per_s}/s`, { ...light, orders_per_s: P.light_rate_per_s });
    tp(`paced ${P.paced_rate_per_s}/s`, { ...paced, orders_per_s: P.paced_rate_per_s });
    for (const x of sweep) tp(`sweep ${x.concurrency} in flight, ${Math.round(x.orders_in_engine_at_start / 1000)}k in mem`, x);
    tp(
      `SUSTAINED ${sustained.concurrency}, ${P.sustained_seconds} s, ${Math.round(sustained.orders_in_engine_at_start / 1000)}k in mem`,
      sustained,
    );
    if (apiLight) tp(`API ${P.api_light_rate_per_s}/s (engine in child)`, { ...apiLight, orders_per_s: P.api_light_rate_per_s });
    if (api) tp(`API ${P.api_rate_per_s}/s (engine in child)`, { ...api, orders_per_s: P.api_rate_per_s });
    if (stream) tp(`stream door ${P.stream_rate_per_s}/s (engine in child)`, { ...stream, orders_per_s: P.stream_rate_per_s });
    console.log(
      "(CPU in cores busy: whole machine, this process (load + in-process engine), our Postgres, our children (stack engine + console),\n other processes on the machine; probe: ms for a fixed piece of work just before the phase, bench/lib/host-probe.ts, less is a faster host;\n ELU: event-loop utilisation of this process; commits: journal group commits, from /metrics)",
    );
    const refused = (label: string, r: Refusals) => {
      if (Object.keys(r).length > 0) console.log(`refused in ${label}: ${JSON.stringify(r)}`);
    };
    refused(`paced ${P.light_rate_per_s}/s`, light.refusals);
    refused(`paced ${P.paced_rate_per_s}/s`, paced.refusals);
    for (const x of [...sweep, sustained]) refused(`closed loop ${x.concurrency}`, x.refusals);
    if (profile) {
      console.log("");
      console.log("CPU profile, self time by area:");
      for (const a of profile.by_area_self) console.log(`  ${a.area.padEnd(34)} ${String(a.pct).padStart(5)} %`);
      console.log("top self time:");
      for (const r of profile.top_self.slice(0, 12)) console.log(`  ${String(r.pct).padStart(5)} %  ${r.fn}  ${r.where}`);
      console.log("top inclusive (engine code and pg):");
      for (const r of profile.top_inclusive.slice(0, 12)) console.log(`  ${String(r.pct).padStart(5)} %  ${r.fn}  ${r.where}`);
    }
    console.log("");
    console.log(
      `goals: caller p99 ${fmt(result.caller_p99_ms)} ms (≤ 5 ${result.goals.caller_p99_le_5ms ? "MET" : "MISSED"}, ≤ 50 ${result.goals.customer_p99_le_50ms_caller ? "MET" : "MISSED"}); stream p99 ≤ 5 ms ${result.goals.stream_p99_le_5ms === null ? "not run" : result.goals.stream_p99_le_5ms ? "MET" : "MISSED"}; api_max_rps ≥ 2,000 ${result.goals.api_max_rps_ge_2000 === null ? "not run" : result.goals.api_max_rps_ge_2000 ? "MET" : "MISSED"}; engine p99 ≤ 1 ms ${result.goals.engine_p99_le_1ms ? "MET" : "MISSED"}; ≥ 10,000 lifecycles/s ${result.goals.lifecycles_ge_10000_per_s ? "MET" : "MISSED"}; API p99 ≤ 10 ms ${result.goals.api_p99_le_10ms === null ? "not run" : result.goals.api_p99_le_10ms ? "MET" : "MISSED"}; customer p99 ≤ 50 ms ${result.goals.customer_p99_le_50ms_engine && result.goals.customer_p99_le_50ms_api !== false ? "MET" : "MISSED"}`,
    );
    console.log(`wrote ${path.relative(root, out)}`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
