import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { findFreePort, seedReference } from "@fillmore/db";
import { type FreshDatabase, freshDatabase } from "@fillmore/db/testing";
import type { Order } from "@fillmore/shared";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyJournal } from "../../src/journal/verify";
import { holdJournalCommits, OBSERVER, until } from "../harness";
import { useExecutorAsOnlyVenue } from "./helpers";
import { type Acceptor, assertLoopbackOnly, executions, startAcceptor } from "./quickfix";

// The engine sends an order to its FIX venue while the journal entry is still being committed.
// Here the commit is held back (a lock on the journal) and the engine is killed with SIGKILL after
// QuickFIX executor filled the order: the journal never held it. On restart the order comes back
// from the FIX store (written before the message went out) and its fill from the venue's own
// messages (ours, or its resend of what we missed), with nothing sent twice.

const root = path.resolve(import.meta.dirname, "../../../..");
const token = randomBytes(16).toString("hex");
let acceptor: Acceptor;
let db: FreshDatabase;
let pool: pg.Pool;
let engine: ChildProcess | undefined;
let engineUrl: string;

function startEngine(): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "apps/engine/src/main.ts"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      ENGINE_PORT: new URL(engineUrl).port,
      ENGINE_SERVICE_TOKEN: token,
      LOG_LEVEL: "error",
      DEMO_STRATEGY: "0",
      SIM_TICK_MS: "60000",
    },
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));
const waitHealthy = () => until(async () => ((await fetch(`${engineUrl}/health`).catch(() => undefined))?.ok ? true : undefined), 30_000);

async function submit(order: object): Promise<Order | undefined> {
  const res = await fetch(`${engineUrl}/v1/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ actor: "user:crash-test", order }),
  });
  return res.ok ? ((await res.json()) as { order: Order }).order : undefined;
}

beforeAll(async () => {
  assertLoopbackOnly();
  acceptor = await startAcceptor("executor", { beginString: "FIX.4.4", senderCompId: "EXECUTOR", clients: ["FILLMORE"] });
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: OBSERVER });
  pool.on("error", () => undefined);
  await seedReference(pool);
  await useExecutorAsOnlyVenue(pool, acceptor, { reconnectMs: 100 });
  engineUrl = `http://127.0.0.1:${await findFreePort()}`;
}, 60_000);

afterAll(async () => {
  engine?.kill("SIGKILL");
  if (engine) await exited(engine);
  await pool?.end();
  await db?.cleanup();
  await acceptor?.stop();
});

it("a FIX order filled but not journaled when the engine died is booked after restart, and sent once", async () => {
  engine = startEngine();
  await waitHealthy();
  const commits = await holdJournalCommits(db.url);
  const order = {
    clOrdId: "fix-window",
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "5",
    price: "190.00",
    timeInForce: "DAY",
  };
  const unanswered = submit(order).catch(() => undefined);
  // The executor fills every limit order at once: wait for its fill on the wire.
  const orderId = await until(() => /\|35=8\|.*\|11=(O\d+)\|.*\|39=2\|/.exec(acceptor.output().replaceAll("\x01", "|"))?.[1], 10_000);

  engine.kill("SIGKILL");
  await exited(engine);
  expect(await unanswered, "the caller got no acknowledgement").toBeUndefined();
  await commits.release();
  expect((await pool.query("SELECT seq FROM journal WHERE order_id = $1", [orderId])).rows).toEqual([]);

  engine = startEngine();
  await waitHealthy();
  const booked = await until(async () => {
    const res = await fetch(`${engineUrl}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    const found = res.ok ? ((await res.json()) as { order: Order }).order : undefined;
    return found?.ordStatus === "Filled" ? found : undefined;
  }, 15_000);
  expect(booked).toMatchObject({ clOrdId: "fix-window", venueId: "QF-EXEC", cumQty: "5", avgPx: "190" });
  expect((await submit(order))?.orderId, "the caller's retry returns the recovered order").toBe(orderId);
  expect(executions([acceptor.output()], orderId), "executed once").toBe(1);
  expect(acceptor.output()).not.toContain("MsgSeqNum too low");

  engine.kill("SIGTERM");
  await exited(engine);
  engine = undefined;
  expect(await verifyJournal(pool)).toMatchObject({ ok: true });
}, 90_000);
