// `npm run bench -- fix-roundtrip [--quick]`
//
// Round trip of a LIMIT order to QuickFIX's executor and back as a fill, sequential, one at a time:
//   engine  — engine.orders.submit() (journal on, embedded Postgres) → the fill report from the FIX venue
//             reaching the engine (the order is sent while its journal entry commits); `engine_durable`
//             runs on until the caller's answer and the journaled fill;
//   adapter — FixVenue.submitOrder() alone (durable FIX store, no engine) → its fill report;
//   bare    — a bare socket FIX client (codec only: no store, no fsync) → the ExecutionReport;
//   durable bare — the same client writing each outgoing message to a file and fdatasync'ing it
//             before sending: the physical limit of any client that keeps what it sent.
// The executor listens on every interface, so the whole run re-executes itself inside a network
// namespace with only loopback (unshare -n). Results: bench/results/fix-roundtrip.json.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, findFreePort, migrate, seedReference, startEmbeddedPostgres } from "@fillmore/db";
import { newOrder, type Order, submitOrderInput } from "@fillmore/shared";
import pg from "pg";
import { loadConfig } from "../apps/engine/src/config";
import { type RunningEngine, startEngine } from "../apps/engine/src/engine";
import { createLogger } from "../apps/engine/src/log";
import { encode, FixFramer, Tag, utcTimestamp } from "../apps/engine/src/venues/fix/codec";
import { FixVenue } from "../apps/engine/src/venues/fix/fix-venue";
import { startAcceptor } from "../apps/engine/test/fix/quickfix";
import { root } from "../scripts/lib/stack";
import { machineInfo } from "./lib/machine";
import { fmt, summarize } from "./lib/stats";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const N = QUICK ? 300 : 2000;
const WARMUP = QUICK ? 50 : 200;
/** `--os-durability`: the FIX store write()s without fdatasync (survives a process crash, not a machine crash). */
const DURABILITY = args.includes("--os-durability") ? ("os" as const) : ("fsync" as const);
const log = (line: string) => console.log(`[bench] ${line}`);

if (Object.keys(os.networkInterfaces()).some((n) => n !== "lo")) {
  const tsx = path.join(root, "node_modules/.bin/tsx");
  const unshare = process.getuid?.() === 0 ? ["-n"] : ["-r", "-n"];
  const inner = `ip link set lo up && exec '${tsx}' bench/fix-roundtrip.ts ${args.map((a) => `'${a}'`).join(" ")}`;
  const result = spawnSync("unshare", [...unshare, "--", "bash", "-c", inner], { cwd: root, stdio: "inherit" });
  process.exit(result.status ?? 1);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "fix-bench-"));
mkdirSync(path.join(tmp, "executor"), { recursive: true });
const acceptor = await startAcceptor("executor", {
  beginString: "FIX.4.4",
  senderCompId: "EXECUTOR",
  clients: ["ENGINE", "ADAPTER", "BARE", "DURABLE"],
  dir: path.join(tmp, "executor"),
});
const session = (senderCompId: string) => ({
  host: "127.0.0.1",
  port: acceptor.port,
  beginString: "FIX.4.4" as const,
  senderCompId,
  targetCompId: "EXECUTOR",
  heartBtInt: 30,
  storeDir: path.join(tmp, `store-${senderCompId}`),
  ordTypes: ["Limit" as const],
  timeInForces: ["DAY" as const],
  durability: DURABILITY,
});

/** Sequential round trips: `one(i)` resolves when order i is back filled. */
async function measure(label: string, one: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await one(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    await one(i);
    samples.push(performance.now() - start);
  }
  const s = summarize(samples);
  log(`${label}: p50 ${fmt(s.p50_ms, 3)} p99 ${fmt(s.p99_ms, 3)} max ${fmt(s.max_ms, 3)} ms (n=${s.n})`);
  return samples;
}

/** The bare client; `durable`: each outgoing message written and fdatasync'ed to a file first. */
async function bare(durable: boolean): Promise<number[]> {
  const senderCompId = durable ? "DURABLE" : "BARE";
  const store = durable ? openSync(path.join(tmp, "durable-bare.log"), "a") : undefined;
  const socket = net.connect({ host: "127.0.0.1", port: acceptor.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const framer = new FixFramer();
  let waiting: ((type: string) => void) | undefined;
  socket.on("data", (chunk) => {
    for (const m of framer.push(chunk)) waiting?.(m.msgType);
  });
  let seq = 1;
  const send = (type: string, body: [number, string][]) => {
    const message = encode("FIX.4.4", [
      [35, type],
      [49, senderCompId],
      [56, "EXECUTOR"],
      [34, String(seq++)],
      [52, utcTimestamp()],
      ...body,
    ]);
    if (store !== undefined) {
      writeSync(store, message);
      fdatasyncSync(store);
    }
    socket.write(message);
  };
  const next = (type: string) =>
    new Promise<void>((resolve) => {
      waiting = (t) => {
        if (t === type) resolve();
      };
    });
  const logon = next("A");
  send("A", [
    [98, "0"],
    [108, "30"],
    [141, "Y"],
  ]);
  await logon;
  const samples = await measure(durable ? "durable bare client (fdatasync per message)" : "bare socket client", async (i) => {
    const er = next("8");
    send("D", [
      [Tag.ClOrdID, `${durable ? "D" : "B"}${i}`],
      [Tag.Symbol, "AAPL"],
      [Tag.Side, "1"],
      [Tag.TransactTime, utcTimestamp()],
      [Tag.OrderQty, "100"],
      [Tag.OrdType, "2"],
      [Tag.Price, "10"],
      [Tag.TimeInForce, "0"],
    ]);
    await er;
  });
  socket.destroy();
  if (store !== undefined) closeSync(store);
  return samples;
}

async function adapter(): Promise<number[]> {
  const venue = new FixVenue("ADAPTER", session("ADAPTER"));
  const waiters = new Map<string, () => void>();
  venue.onReport((r) => {
    if (r.kind === "fill") waiters.get(r.orderId)?.();
  });
  await venue.connect();
  const input = submitOrderInput.parse({
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    price: "10",
    orderQty: "100",
  });
  const samples = await measure("FIX adapter alone", async (i) => {
    const orderId = `A${i}`;
    const order: Order = {
      ...newOrder(input, { orderId, clOrdId: orderId, actor: "bench", now: new Date().toISOString() }),
      ordStatus: "Submitted",
    };
    const filled = new Promise<void>((resolve) => waiters.set(orderId, resolve));
    await venue.submitOrder(order);
    await filled;
  });
  await venue.disconnect();
  return samples;
}

async function engineRoundTrip(): Promise<{ fills: number[]; durables: number[] }> {
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: await findFreePort() });
  let engine: RunningEngine | undefined;
  try {
    const url = await createDatabase(postgres.adminUrl, "bench_fix");
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await seedReference(pool);
    await pool.query("UPDATE venue SET enabled = false");
    await pool.query("INSERT INTO venue (id, name, kind, config) VALUES ('QF-EXEC', 'QuickFIX executor', 'fix', $1)", [
      JSON.stringify(session("ENGINE")),
    ]);
    await pool.end();
    const config = loadConfig({
      DATABASE_URL: url,
      ENGINE_HOST: "127.0.0.1",
      ENGINE_PORT: "0",
      ENGINE_SERVICE_TOKEN: randomBytes(24).toString("hex"),
      LOG_LEVEL: "warn",
      DEMO_STRATEGY: "0",
      SIM_TICK_MS: "60000",
    });
    const running = await startEngine(config, createLogger(config.LOG_LEVEL));
    engine = running;
    const venue = running.venues.get("QF-EXEC");
    if (!venue?.isHealthy()) throw new Error("FIX venue did not log on");
    // The clock stops when the fill report reaches the engine (applied to the order), which happens
    // while the order's own journal commit may still be in flight; `durable` stops once the caller has
    // its answer (submit resolved: the order journaled) and the fill is journaled too.
    const filledAt = new Map<string, (t: number) => void>();
    venue.onReport((r) => {
      if (r.kind !== "fill") return;
      const t = performance.now();
      const clOrdId = running.orders.get(r.orderId)?.clOrdId;
      if (clOrdId) filledAt.get(clOrdId)?.(t);
    });
    const fillCommitted = new Map<string, (t: number) => void>();
    running.journal.onCommit((entries) => {
      const t = performance.now();
      for (const e of entries) if (e.event.type === "OrderFilled" && e.orderAfter) fillCommitted.get(e.orderAfter.clOrdId)?.(t);
    });
    const quote = running.feed.quote("AAPL");
    if (!quote) throw new Error("no AAPL quote");
    const when = (waiters: Map<string, (t: number) => void>, key: string) =>
      new Promise<number>((resolve) => {
        waiters.set(key, (t) => {
          waiters.delete(key);
          resolve(t);
        });
      });
    const fills: number[] = [];
    const durables: number[] = [];
    for (let i = -WARMUP; i < N; i++) {
      const clOrdId = `E${i}`;
      const filled = when(filledAt, clOrdId);
      const committed = when(fillCommitted, clOrdId);
      const start = performance.now();
      const result = await running.orders.submit(
        {
          clOrdId,
          accountId: "ACC-ALPHA",
          symbol: "AAPL",
          side: "Buy",
          ordType: "Limit",
          timeInForce: "DAY",
          orderQty: "1",
          price: quote.ask,
        },
        "bench:fix-roundtrip",
      );
      const answered = performance.now();
      if (result.order.ordStatus === "Rejected") throw new Error(`engine refused an order: ${result.order.rejectReason}`);
      const [fillT, commitT] = await Promise.all([filled, committed]);
      if (i < 0) continue;
      fills.push(fillT - start);
      durables.push(Math.max(answered, commitT) - start);
    }
    const f = summarize(fills);
    const d = summarize(durables);
    log(`engine → FIX venue → fill report: p50 ${fmt(f.p50_ms, 3)} p99 ${fmt(f.p99_ms, 3)} ms (n=${f.n})`);
    log(`engine → … → order and fill journaled: p50 ${fmt(d.p50_ms, 3)} p99 ${fmt(d.p99_ms, 3)} ms`);
    const samples = { fills, durables };
    return samples;
  } finally {
    await engine?.stop().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
  }
}

try {
  const machine = machineInfo();
  log(`machine: ${machine.nproc} × ${machine.cpu_model}, node ${machine.node}`);
  const bareSamples = summarize(await bare(false));
  const durableBareSamples = summarize(await bare(true));
  const adapterSamples = summarize(await adapter());
  const engineRun = await engineRoundTrip();
  const engineSamples = summarize(engineRun.fills);
  const engineDurable = summarize(engineRun.durables);
  const result = {
    benchmark: "fix-roundtrip",
    at: new Date().toISOString(),
    machine,
    peer: "QuickFIX 1.15 executor (Debian libquickfix-doc), FIX.4.4, SocketNodelay=Y, file store, loopback-only netns",
    orders: N,
    fix_store_durability: DURABILITY,
    warmup: WARMUP,
    engine_p50_ms: engineSamples.p50_ms,
    engine_p99_ms: engineSamples.p99_ms,
    adapter_p50_ms: adapterSamples.p50_ms,
    adapter_p99_ms: adapterSamples.p99_ms,
    bare_p50_ms: bareSamples.p50_ms,
    bare_p99_ms: bareSamples.p99_ms,
    overhead_ratio_p99: Number((engineSamples.p99_ms / bareSamples.p99_ms).toFixed(2)),
    adapter_overhead_ratio_p99: Number((adapterSamples.p99_ms / bareSamples.p99_ms).toFixed(2)),
    engine_durable_p50_ms: engineDurable.p50_ms,
    engine_durable_p99_ms: engineDurable.p99_ms,
    durable_bare_p50_ms: durableBareSamples.p50_ms,
    durable_bare_p99_ms: durableBareSamples.p99_ms,
    /** The engine's round trip against a client that, like it, keeps what it sends: the goal is ≤ 1.5. */
    overhead_ratio_durable_p99: Number((engineSamples.p99_ms / durableBareSamples.p99_ms).toFixed(2)),
    adapter_overhead_ratio_durable_p99: Number((adapterSamples.p99_ms / durableBareSamples.p99_ms).toFixed(2)),
    engine: engineSamples,
    engine_durable: engineDurable,
    adapter: adapterSamples,
    bare: bareSamples,
    durable_bare: durableBareSamples,
  };
  const name = `fix-roundtrip${DURABILITY === "os" ? "-os-durability" : ""}${QUICK ? "-quick" : ""}.json`;
  const out = path.join(root, "bench/results", name);
  writeFileSync(`${out}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  log(
    `wrote ${path.relative(root, out)}: engine p99 ${result.engine_p99_ms} ms, bare p99 ${result.bare_p99_ms} ms, ratio ${result.overhead_ratio_p99}; durable bare p99 ${result.durable_bare_p99_ms} ms, ratio ${result.overhead_ratio_durable_p99}`,
  );
} finally {
  await acceptor.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
