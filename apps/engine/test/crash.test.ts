import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { findFreePort, seedReference } from "@fillmore/db";
import { type FreshDatabase, freshDatabase } from "@fillmore/db/testing";
import { newOrder, type Order, submitOrderInput } from "@fillmore/shared";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { Journal } from "../src/journal/journal";
import { verifyJournal } from "../src/journal/verify";
import { createLogger } from "../src/log";
import type { VenueOrderStatus } from "../src/venues/adapter";
import { type ExchangeStats, lineReader } from "../src/venues/sim/wire";
import { alertCodes, holdJournalCommits, OBSERVER, until } from "./harness";

// Crash test: the venues run in their own process (as a real exchange would), the engine is
// killed with SIGKILL in the middle of a load, restarted, and must come back with every
// acknowledged order, nothing sent twice, every state equal to the venue's, and an intact chain.

const root = path.resolve(import.meta.dirname, "../../..");
// One process per program (node with tsx's loader), so SIGKILL kills the engine itself, not a wrapper.
const runTs = (script: string) => [process.execPath, ["--import", "tsx", script]] as const;
const VENUES = ["SIM-FAST", "SIM-DEEP", "SIM-CHEAP"];

let db: FreshDatabase;
let pool: pg.Pool;
let exchange: ChildProcess;
let engine: ChildProcess | undefined;
let exchangePort: number;
const token = randomBytes(16).toString("hex");
let engineUrl: string;

function startEngine(port: number): ChildProcess {
  return spawn(...runTs("apps/engine/src/main.ts"), {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      ENGINE_PORT: String(port),
      ENGINE_SERVICE_TOKEN: token,
      LOG_LEVEL: "error",
      DEMO_STRATEGY: "0",
      SIM_TICK_MS: "100",
    },
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** SIGTERM, wait for the exit, and check the hash chain the run left behind. */
async function stopEngineCleanly(): Promise<void> {
  engine?.kill("SIGTERM");
  if (engine) await exited(engine);
  engine = undefined;
  expect(await verifyJournal(pool)).toMatchObject({ ok: true });
}

async function waitHealthy(): Promise<void> {
  await until(async () => ((await fetch(`${engineUrl}/health`).catch(() => undefined))?.ok ? true : undefined), 30_000);
}

/** One request to the exchange on a connection of its own (no hello, so the engine keeps its reports). */
function askExchange<T>(request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: exchangePort }, () => socket.write(`${JSON.stringify({ id: 1, ...request })}\n`));
    socket.on("error", reject);
    socket.on(
      "data",
      lineReader((value) => {
        socket.destroy();
        const answer = value as { ok: boolean; result: T; error?: string };
        if (answer.ok) resolve(answer.result);
        else reject(new Error(answer.error));
      }),
    );
  });
}

async function submit(order: object): Promise<Order | undefined> {
  const res = await fetch(`${engineUrl}/v1/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ actor: "user:crash-test", order }),
  });
  if (res.status !== 201 && res.status !== 200) return undefined;
  return ((await res.json()) as { order: Order }).order;
}

beforeAll(async () => {
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: OBSERVER });
  pool.on("error", () => undefined);
  await seedReference(pool);
  exchangePort = await findFreePort();
  await pool.query("UPDATE venue SET config = config || jsonb_build_object('remote', $1::text, 'latencyMs', 1)", [
    `127.0.0.1:${exchangePort}`,
  ]);
  exchange = spawn(...runTs("apps/engine/src/venues/sim/exchange-main.ts"), {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: db.url, EXCHANGE_PORT: String(exchangePort), SIM_TICK_MS: "50" },
  });
  await new Promise<void>((resolve) => exchange.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve()));
  engineUrl = `http://127.0.0.1:${await findFreePort()}`;
}, 60_000);

afterAll(async () => {
  engine?.kill("SIGTERM");
  exchange?.kill("SIGTERM");
  exchange?.stdout?.destroy();
  if (exchange) await exited(exchange);
  if (engine) await exited(engine);
  await pool?.end();
  await db?.cleanup();
});

it("survives SIGKILL mid-load: nothing lost, nothing sent twice, states equal the venue's, chain intact", async () => {
  const port = Number(new URL(engineUrl).port);
  engine = startEngine(port);
  await waitHealthy();

  const acknowledged = new Map<string, Order>();
  let stop = false;
  let n = 0;
  const deadline = Date.now() + 20_000;
  const worker = async (w: number) => {
    while (!stop && Date.now() < deadline && n < 5000) {
      n += 1;
      const marketable = n % 3 !== 0;
      const side = n % 2 === 0 ? "Buy" : "Sell";
      const price = marketable ? (side === "Buy" ? "199.00" : "180.00") : side === "Buy" ? "181.00" : "198.00";
      const order = await submit({
        clOrdId: `crash-${w}-${n}`,
        accountId: ["ACC-ALPHA", "ACC-BETA", "ACC-GAMMA"][n % 3],
        symbol: "AAPL",
        side,
        ordType: "Limit",
        orderQty: String(1 + (n % 50)),
        price,
        timeInForce: "GTC",
      }).catch(() => undefined);
      if (!order) continue;
      acknowledged.set(order.orderId, order);
      if (!marketable && n % 2 === 0) {
        await fetch(`${engineUrl}/v1/orders/${order.orderId}/cancel`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ actor: "user:crash-test" }),
        }).catch(() => undefined);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)));
  // Killed mid-load at a random moment once there is a book to lose (a loaded machine acknowledges slower).
  await until(() => (acknowledged.size > 20 ? true : undefined), 15_000);
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1000)));
  engine.kill("SIGKILL");
  stop = true;
  await load;
  await exited(engine);
  expect(acknowledged.size).toBeGreaterThan(20);

  engine = startEngine(port);
  await waitHealthy();

  const snapshot = async () => {
    const res = await fetch(`${engineUrl}/v1/snapshot`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { orders: Order[] }).orders;
  };
  // Every order's outcome is known again once nothing waits on a venue answer.
  const orders = await until(async () => {
    const all = await snapshot();
    return all.some((o) => ["Submitted", "PendingCancel", "PendingReplace"].includes(o.ordStatus)) ? undefined : all;
  }, 20_000);
  const byId = new Map(orders.map((o) => [o.orderId, o]));

  for (const id of acknowledged.keys()) expect(byId.has(id), `acknowledged order ${id} is missing`).toBe(true);

  for (const venue of VENUES) {
    const stats = await askExchange<ExchangeStats>({ op: "stats", venue });
    expect(stats.resent, `${venue} received these orders twice`).toEqual([]);
    for (const id of stats.known) expect(byId.has(id), `${venue} has ${id}, unknown to the engine`).toBe(true);
  }

  const expected: Record<string, string> = {
    Filled: "filled",
    Cancelled: "cancelled",
    Rejected: "rejected",
    Accepted: "working",
    PartiallyFilled: "working",
  };
  const engineOrder = async (orderId: string) => {
    const res = await fetch(`${engineUrl}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { order: Order }).order;
  };
  for (const { orderId, venueId } of orders.filter((o) => o.venueId !== null)) {
    // Working orders may still be filling: compare once engine and venue agree, or fail after a while.
    const [order, status] = await until(async () => {
      const venueStatus = await askExchange<VenueOrderStatus>({ op: "status", venue: venueId, orderId });
      const ours = await engineOrder(orderId);
      const same = venueStatus.known && venueStatus.cumQty === ours.cumQty && venueStatus.state === expected[ours.ordStatus];
      return same ? ([ours, venueStatus] as const) : undefined;
    }, 5000).catch(
      async () => [await engineOrder(orderId), await askExchange<VenueOrderStatus>({ op: "status", venue: venueId, orderId })] as const,
    );
    expect(status.known, `${orderId} unknown at ${venueId}`).toBe(true);
    if (!status.known) continue;
    expect(status.cumQty, `${orderId} CumQty`).toBe(order.cumQty);
    expect(status.state, `${orderId} is ${order.ordStatus}`).toBe(expected[order.ordStatus]);
  }

  // The read model (orders table) catches up with the journal after the crash as well.
  await until(async () => {
    const final = await snapshot();
    const { rows } = await pool.query<{ id: string; ord_status: string; cum_qty: string }>(
      "SELECT id, ord_status, cum_qty::text FROM orders",
    );
    const projected = new Map(rows.map((r) => [r.id, `${r.ord_status}/${Number(r.cum_qty)}`]));
    return final.every((o) => projected.get(o.orderId) === `${o.ordStatus}/${Number(o.cumQty)}`) ? true : undefined;
  }, 10_000);

  await stopEngineCleanly();
}, 90_000);

// Orders go to their venue while their journal entry is being committed. Here the commit is held
// back (a lock on the journal) so the crash lands exactly in that window: the venue has filled an
// order the journal never got, and the caller never got an answer.
it("recovers an order sent but not yet journaled when the crash came, and the caller's retry finds it", async () => {
  const port = Number(new URL(engineUrl).port);
  engine = startEngine(port);
  await waitHealthy();

  const commits = await holdJournalCommits(db.url);
  const order = {
    clOrdId: "in-the-window",
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "7",
    price: "199.00",
    timeInForce: "GTC",
  };
  const unanswered = submit(order).catch(() => undefined);
  const atVenue = await until(async () => {
    for (const venue of VENUES) {
      const held = await askExchange<Order[]>({ op: "recover", venue, range: { from: 1, to: 1_000_000 } });
      const mine = held.find((o) => o.clOrdId === "in-the-window");
      if (mine) {
        const status = await askExchange<VenueOrderStatus>({ op: "status", venue, orderId: mine.orderId });
        if (status.known && status.state === "filled") return { orderId: mine.orderId, venue };
      }
    }
    return undefined;
  }, 10_000);

  engine.kill("SIGKILL");
  await exited(engine);
  expect(await unanswered, "the caller got no acknowledgement").toBeUndefined();
  await commits.release();
  const { rows } = await pool.query("SELECT seq FROM journal WHERE order_id = $1", [atVenue.orderId]);
  expect(rows, "the crash came before the journal held the order").toEqual([]);

  engine = startEngine(port);
  await waitHealthy();
  const recovered = await until(async () => {
    const res = await fetch(`${engineUrl}/v1/orders/${atVenue.orderId}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return undefined;
    const found = ((await res.json()) as { order: Order }).order;
    return found.ordStatus === "Filled" ? found : undefined;
  }, 10_000);
  expect(recovered).toMatchObject({ clOrdId: "in-the-window", accountId: "ACC-ALPHA", venueId: atVenue.venue, cumQty: "7" });

  // The caller, never answered, sends the same order again: it gets the recovered one, nothing new trades.
  const retried = await submit(order);
  expect(retried?.orderId).toBe(atVenue.orderId);
  const next = await submit({ ...order, clOrdId: "after-recovery" });
  expect(next?.orderId, "a new order never reuses an id the crashed run may have sent").not.toBe(atVenue.orderId);
  const stats = await askExchange<ExchangeStats>({ op: "stats", venue: atVenue.venue });
  expect(stats.resent).toEqual([]);
  expect(await alertCodes(pool, atVenue.orderId)).toContain("ORDER_RECOVERED");

  await stopEngineCleanly();
}, 60_000);

// A group commit can end between an order's OrderValidated and its OrderSubmitted; if the engine dies
// right then the journal has a validated order that the venue may already hold. Recovery asks.
it("takes back from the venue an order the journal had as validated but not submitted", async () => {
  const port = Number(new URL(engineUrl).port);
  engine = startEngine(port);
  await waitHealthy();
  engine.kill("SIGTERM");
  await exited(engine);
  engine = undefined;

  const input = submitOrderInput.parse({
    accountId: "ACC-BETA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "9",
    price: "199.00",
    timeInForce: "GTC",
  });
  const journal = await Journal.open(pool, systemClock, createLogger("silent"), { maxBatch: 100 });
  const { rows } = await pool.query<{ to: string }>(
    "SELECT max((payload->'data'->>'to')::bigint)::text AS to FROM journal WHERE type = 'IdBlockReserved'",
  );
  const orderId = `O${rows[0]?.to}`; // the last id of the last block: never handed out by the engine
  const received = newOrder(input, { orderId, clOrdId: "validated-only", actor: "user:crash-test", now: systemClock.nowIso() });
  journal.append({ type: "OrderReceived", orderId, accountId: "ACC-BETA", actor: "user:crash-test", data: { order: received } });
  journal.append({ type: "OrderValidated", orderId, accountId: "ACC-BETA", actor: "risk", data: {} });
  await journal.close();
  // …and the send that went out before the crash.
  await askExchange({ op: "submit", venue: "SIM-DEEP", order: { ...received, ordStatus: "Submitted", venueId: "SIM-DEEP" } });
  await until(async () => {
    const status = await askExchange<VenueOrderStatus>({ op: "status", venue: "SIM-DEEP", orderId });
    return status.known && status.state === "filled" ? true : undefined;
  }, 10_000);

  engine = startEngine(port);
  await waitHealthy();
  const back = await until(async () => {
    const res = await fetch(`${engineUrl}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    const found = ((await res.json()) as { order: Order }).order;
    return found.ordStatus === "Filled" ? found : undefined;
  }, 10_000);
  expect(back).toMatchObject({ venueId: "SIM-DEEP", cumQty: "9", clOrdId: "validated-only" });
  const stats = await askExchange<ExchangeStats>({ op: "stats", venue: "SIM-DEEP" });
  expect(stats.resent).toEqual([]);
  expect(await alertCodes(pool, orderId)).toContain("ORDER_RECOVERED");

  await stopEngineCleanly();
}, 60_000);
