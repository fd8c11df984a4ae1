import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createPrisma, findFreePort, type PrismaClient } from "@fillmore/db";
import type { Order } from "@fillmore/shared";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../../../engine/test/harness";
import { createApiKey } from "./api-keys";
import { createAuth } from "./auth";
import { createUser } from "./users";

// Two console processes (console-node.ts, as server.ts runs them, pages stubbed) on two ports,
// linked through one Postgres (socket.io Postgres adapter), in front of one engine.

const root = path.resolve(import.meta.dirname, "../../../..");
const PASSWORD = "correct-horse-battery";
let h: Harness;
let prisma: PrismaClient;
const nodes: { url: string; child: ChildProcess }[] = [];
const sockets: Socket[] = [];

async function startNode(port: number, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/web/src/server/testing/console-node-main.ts"], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", CONSOLE_SCALE_OUT: "1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console on ${port} not ready in 60 s`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("console-node ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`console on ${port} exited with ${code}`)));
  });
  return { url, child };
}

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
  prisma = createPrisma(h.db.url);
  const auth = createAuth({ pool: h.pool, secret: "s".repeat(40), baseURL: "http://127.0.0.1" });
  await createUser(auth, { email: "trader@x.test", name: "trader", role: "trader", password: PASSWORD });
  await createUser(auth, { email: "admin@x.test", name: "admin", role: "admin", password: PASSWORD });
  const env = {
    DATABASE_URL: h.db.url,
    ENGINE_URL: engine.url,
    ENGINE_SERVICE_TOKEN: h.config.ENGINE_SERVICE_TOKEN,
    AUTH_SECRET: "s".repeat(40),
  };
  const ports = [await findFreePort(), await findFreePort()];
  nodes.push(...(await Promise.all(ports.map((p) => startNode(p, env)))));
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all(
    nodes.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  await prisma?.$disconnect();
  await h?.close();
}, 30_000);

async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function trpc(url: string, cookie: string, procedure: string, input: unknown) {
  const response = await fetch(`${url}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: url },
    body: JSON.stringify(input),
  });
  return { status: response.status, json: (await response.json()) as { result?: { data: { order: Order } } } };
}

function liveSocket(url: string, cookie: string): Promise<{ socket: Socket; updates: Order[] }> {
  const socket = connect(url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const updates: Order[] = [];
  socket.on("orders:update", (u: { order: Order }) => updates.push(u.order));
  return new Promise((resolve, reject) => {
    socket.once("connect_error", reject);
    socket.once("orders:snapshot", () => resolve({ socket, updates }));
    socket.once("connect", () => socket.emit("orders:subscribe"));
  });
}

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("two console processes behind one engine and one Postgres", () => {
  it("a socket on each sees the same live update, a cancel through one appears on the other, each update once", async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const cookie = await signIn(a.url, "trader@x.test"); // the session lives in Postgres: good on both
    const onA = await liveSocket(a.url, cookie);
    const onB = await liveSocket(b.url, cookie);

    const submitted = await trpc(a.url, cookie, "orders.submit", {
      clOrdId: "scale-1",
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      timeInForce: "DAY",
      orderQty: "10",
      price: "1.00",
    });
    expect(submitted.status).toBe(200);
    const orderId = submitted.json.result?.data.order.orderId ?? "";
    for (const side of [onA, onB]) await until(() => side.updates.find((o) => o.orderId === orderId && o.ordStatus === "Accepted"));

    const cancelled = await trpc(b.url, cookie, "orders.cancel", { orderId });
    expect(cancelled.status).toBe(200);
    for (const side of [onA, onB]) await until(() => side.updates.find((o) => o.orderId === orderId && o.ordStatus === "Cancelled"));
    // Each process follows the engine itself and emits locally: no duplicates through the adapter.
    await new Promise((r) => setTimeout(r, 300));
    const count = (updates: Order[]) => updates.filter((o) => o.orderId === orderId && o.ordStatus === "Cancelled").length;
    expect(count(onA.updates)).toBe(1);
    expect(count(onB.updates)).toBe(1);
  });

  it("a key revoked through one process is cut at once on the other (not after the 5 s credential cache)", async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const { key, secret } = await createApiKey(prisma, { name: "scaled", role: "trader", accountIds: [] }, "user:test");
    const admin = await signIn(a.url, "admin@x.test");
    // B looks the key up when the socket connects (after this moment) and keeps it for 5 s, not
    // extended by use: a cut that comes from the cache expiring comes at cached + 5 s or later.
    const cached = Date.now();
    const socket = connect(`${b.url}/trading`, {
      transports: ["websocket"],
      auth: { apiKey: secret },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    const ack = (await socket.timeout(5000).emitWithAck("order:cancel", { orderId: "no-such-order" })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(ack.error?.code).toBe("NOT_FOUND");
    // Adapter heartbeats: B must be known to A before A's notice can reach it.
    await new Promise((r) => setTimeout(r, 1000));

    const cut = new Promise<number>((resolve) => socket.once("disconnect", () => resolve(Date.now())));
    const revoked = await trpc(a.url, admin, "admin.apiKeys.revoke", { id: key.id });
    expect(revoked.status).toBe(200);
    // Through the adapter: while B's cache still holds the key. Without A's notice B would cut the
    // socket only at its first re-check (every 0.5 s) after the entry expires.
    expect((await cut) - cached).toBeLessThan(5000);
  });
});
