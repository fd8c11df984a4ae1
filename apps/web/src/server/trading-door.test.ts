import http from "node:http";
import type { AddressInfo } from "node:net";
import { createPrisma, findFreePort, type PrismaClient } from "@fillmore/db";
import type { Order } from "@fillmore/shared";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, journalCount } from "../../../engine/test/harness";
import { createApiKey, revokeApiKey } from "./api-keys";
import { createAuth } from "./auth";
import { ConcurrencyGate } from "./backpressure";
import { type ConsoleServer, createConsoleServer } from "./console-server";
import { EngineClient } from "./engine-client";
import { allowedOrigins } from "./http-security";
import type { DoorAck, ExecutionReport } from "./trading-door";

// The streaming door and backpressure against a real engine (in this process, real journal in
// Postgres) and a real console server on 127.0.0.1, with real socket.io and HTTP clients.

let h: Harness;
let prisma: PrismaClient;
let consoleServer: ConsoleServer;
let base: string;
let gate: ConcurrencyGate;
const keys: Record<string, { id: string; secret: string }> = {};
const sockets: Socket[] = [];

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  // Resting test orders sit far from the market, beyond the default price collar.
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
  prisma = createPrisma(h.db.url);
  const port = await findFreePort();
  base = `http://127.0.0.1:${port}`;
  const origins = allowedOrigins(base);
  const auth = createAuth({ pool: h.pool, secret: "s".repeat(40), baseURL: base, trustedOrigins: origins });
  gate = new ConcurrencyGate({ limit: 4, queue: 4, maxWaitMs: 50 });
  consoleServer = createConsoleServer({
    auth,
    prisma,
    engine: new EngineClient(engine.url, h.config.ENGINE_SERVICE_TOKEN, gate),
    log: pino({ level: "silent" }),
    allowedOrigins: origins,
    handlePages: (_req, res) => void res.end("console"),
    revalidateMs: 200,
  });
  consoleServer.live.start();
  await new Promise<void>((r) => consoleServer.server.listen(port, "127.0.0.1", r));
  for (let i = 0; i < 100 && !consoleServer.live.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
  for (const [name, role, accountIds] of [
    ["alpha-trader", "trader", ["ACC-ALPHA"]],
    ["any-trader", "trader", []],
    ["compliance", "compliance", []],
    ["flood", "trader", []],
  ] as const) {
    const { key, secret } = await createApiKey(prisma, { name, role, accountIds }, "user:test");
    keys[name] = { id: key.id, secret };
  }
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await consoleServer?.close();
  await prisma?.$disconnect();
  await h?.close();
}, 30_000);

function door(apiKey: string): Promise<Socket> {
  const socket = connect(`${base}/trading`, { transports: ["websocket"], auth: { apiKey }, reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (e) => reject(e));
  });
}

function request(socket: Socket, event: string, payload: unknown): Promise<DoorAck> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<DoorAck>;
}

/** Execution reports this socket receives, by clOrdId. */
function reports(socket: Socket): Map<string, ExecutionReport[]> {
  const seen = new Map<string, ExecutionReport[]>();
  socket.on("execution", (r: ExecutionReport) => seen.set(r.clOrdId, [...(seen.get(r.clOrdId) ?? []), r]));
  return seen;
}

async function until<T>(probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const restingBuy = (clOrdId: string, accountId = "ACC-ALPHA") => ({
  clOrdId,
  accountId,
  symbol: "AAPL",
  side: "Buy",
  ordType: "Limit",
  timeInForce: "DAY",
  orderQty: "10",
  price: "1.00",
});

describe("streaming door (/trading)", () => {
  it("submits over the socket: an ack with clOrdId and the order, then execution reports; cancel the same way", async () => {
    const socket = await door(keys["alpha-trader"]?.secret ?? "");
    const seen = reports(socket);
    const ack = await request(socket, "order:submit", restingBuy("door-1"));
    expect(ack).toMatchObject({ ok: true });
    if (!ack.ok) return;
    expect(ack.clOrdId).toBe("door-1");
    expect(ack.order.accountId).toBe("ACC-ALPHA");
    expect(h.engine?.orders.get(ack.order.orderId)?.clOrdId).toBe("door-1");
    const accepted = await until(() => seen.get("door-1")?.find((r) => r.type === "OrderAccepted"));
    expect(accepted.orderId).toBe(ack.order.orderId);
    expect(accepted.ordStatus).toBe("Accepted");

    const cancel = await request(socket, "order:cancel", { orderId: ack.order.orderId });
    expect(cancel.ok).toBe(true);
    const cancelled = await until(() => seen.get("door-1")?.find((r) => r.type === "OrderCancelled"));
    expect(cancelled.ordStatus).toBe("Cancelled");
  });

  it("bad input answers INVALID_INPUT naming the field, with the clOrdId, and changes nothing", async () => {
    const socket = await door(keys["alpha-trader"]?.secret ?? "");
    await h.engine?.journal.durable();
    const before = await journalCount(h.pool);
    const ack = await request(socket, "order:submit", { ...restingBuy("door-bad"), orderQty: "-5" });
    expect(ack.ok).toBe(false);
    if (ack.ok) return;
    expect(ack.clOrdId).toBe("door-bad");
    expect(ack.error.code).toBe("INVALID_INPUT");
    expect(ack.error.issues?.map((i) => i.path)).toContain("orderQty");
    expect(await journalCount(h.pool)).toBe(before);
  });

  it("a key bound to ACC-ALPHA cannot submit for ACC-BETA, and sees no reports of ACC-BETA", async () => {
    const bound = await door(keys["alpha-trader"]?.secret ?? "");
    const boundSeen = reports(bound);
    const refused = await request(bound, "order:submit", restingBuy("door-beta", "ACC-BETA"));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe("FORBIDDEN");
    expect(h.engine?.orders.all().some((o: Order) => o.clOrdId === "door-beta")).toBe(false);

    // An unbound trader key submits for ACC-BETA: its socket gets the reports, the bound one does not.
    const any = await door(keys["any-trader"]?.secret ?? "");
    const anySeen = reports(any);
    const ok = await request(any, "order:submit", restingBuy("door-beta-2", "ACC-BETA"));
    expect(ok.ok).toBe(true);
    await until(() => anySeen.get("door-beta-2")?.find((r) => r.type === "OrderAccepted"));
    await new Promise((r) => setTimeout(r, 100));
    expect(boundSeen.has("door-beta-2")).toBe(false);
  });

  it("a compliance key connects (reports) but cannot submit", async () => {
    const socket = await door(keys.compliance?.secret ?? "");
    const ack = await request(socket, "order:submit", restingBuy("door-compliance"));
    expect(ack.ok).toBe(false);
    if (!ack.ok) expect(ack.error.code).toBe("FORBIDDEN");
    expect(h.engine?.orders.all().some((o: Order) => o.clOrdId === "door-compliance")).toBe(false);
  });

  it("refuses a connection without a valid key, and disconnects a key once revoked", async () => {
    await expect(door("fm_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).rejects.toThrow(/unauthorized/);
    const { key, secret } = await createApiKey(prisma, { name: "to-revoke", role: "trader", accountIds: [] }, "user:test");
    const socket = await door(secret);
    const cut = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
    await revokeApiKey(prisma, key.id, "user:test");
    consoleServer.principals.forgetApiKey(key.id);
    expect(await cut).toBe("io server disconnect");
  });
});

/** One REST door request with an API key (or none), and its JSON answer. */
async function rest(path: string, options: { key?: string; body?: string; method?: string; cookie?: string; origin?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.origin !== undefined) headers.origin = options.origin;
  const response = await fetch(`${base}${path}`, { method: options.method ?? "POST", headers, body: options.body });
  return { status: response.status, headers: response.headers, json: (await response.json()) as RestAnswer };
}

type RestAnswer = { order?: Order; duplicate?: boolean; error?: { code: string; message: string; issues?: { path: string }[] } };

describe("REST door (/api/v1/orders)", () => {
  it("submits, modifies and cancels an order: each answer is the order; a resent one answers the same order as a duplicate", async () => {
    const key = keys["alpha-trader"]?.secret ?? "";
    const submitted = await rest("/api/v1/orders", { key, body: JSON.stringify(restingBuy("rest-1")) });
    expect(submitted.status).toBe(200);
    const orderId = submitted.json.order?.orderId ?? "";
    expect(submitted.json.order).toMatchObject({ clOrdId: "rest-1", accountId: "ACC-ALPHA", orderQty: "10" });
    expect(h.engine?.orders.get(orderId)?.clOrdId).toBe("rest-1");

    const again = await rest("/api/v1/orders", { key, body: JSON.stringify(restingBuy("rest-1")) });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true, order: { orderId } });

    // A change needs the venue's acknowledgement first (a pending order answers 409 CONFLICT).
    await until(() => (h.engine?.orders.get(orderId)?.ordStatus === "Accepted" ? true : undefined));
    const modified = await rest(`/api/v1/orders/${orderId}/modify`, { key, body: JSON.stringify({ orderQty: "7" }) });
    expect(modified.status).toBe(200);
    expect(modified.json.order?.ordStatus).toBe("PendingReplace");
    await until(() => (h.engine?.orders.get(orderId)?.orderQty === "7" ? true : undefined));

    const cancelled = await rest(`/api/v1/orders/${orderId}/cancel`, { key });
    expect(cancelled.status).toBe(200);
    await until(() => (h.engine?.orders.get(orderId)?.ordStatus === "Cancelled" ? true : undefined));
  });

  it("bad input: 400 INVALID_INPUT naming the field (or saying the body is not JSON), and nothing journaled", async () => {
    const key = keys["alpha-trader"]?.secret ?? "";
    await h.engine?.journal.durable();
    const before = await journalCount(h.pool);
    const bad = await rest("/api/v1/orders", { key, body: JSON.stringify({ ...restingBuy("rest-bad"), orderQty: "-5" }) });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe("INVALID_INPUT");
    expect(bad.json.error?.issues?.map((i) => i.path)).toContain("orderQty");
    const notJson = await rest("/api/v1/orders", { key, body: "{not json" });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error?.message).toMatch(/not valid JSON/);
    const tooLarge = await rest("/api/v1/orders", { key, body: JSON.stringify({ ...restingBuy("rest-big"), text: "x".repeat(70_000) }) });
    expect(tooLarge.status).toBe(413);
    const changes = await rest("/api/v1/orders/O1/modify", { key, body: "[1]" });
    expect(changes.status).toBe(400);
    expect(await journalCount(h.pool)).toBe(before);
  });

  it("checks who asks: no key 401, compliance 403, a key bound to ACC-ALPHA 403 for ACC-BETA and 404 for its orders", async () => {
    const none = await rest("/api/v1/orders", { body: JSON.stringify(restingBuy("rest-anon")) });
    expect(none.status).toBe(401);
    expect(none.json.error?.code).toBe("UNAUTHORIZED");
    const compliance = await rest("/api/v1/orders", { key: keys.compliance?.secret, body: JSON.stringify(restingBuy("rest-compliance")) });
    expect(compliance.status).toBe(403);
    expect(compliance.json.error?.message).toMatch(/orders:submit/);
    const bound = keys["alpha-trader"]?.secret ?? "";
    const beta = await rest("/api/v1/orders", { key: bound, body: JSON.stringify(restingBuy("rest-beta", "ACC-BETA")) });
    expect(beta.status).toBe(403);
    const other = await rest("/api/v1/orders", {
      key: keys["any-trader"]?.secret,
      body: JSON.stringify(restingBuy("rest-beta-2", "ACC-BETA")),
    });
    expect(other.status).toBe(200);
    const hidden = await rest(`/api/v1/orders/${other.json.order?.orderId}/cancel`, { key: bound });
    expect(hidden.status).toBe(404);
    expect(h.engine?.orders.get(other.json.order?.orderId ?? "")?.ordStatus).not.toBe("Cancelled");
    for (const id of ["rest-anon", "rest-compliance", "rest-beta"])
      expect(h.engine?.orders.all().some((o: Order) => o.clOrdId === id)).toBe(false);
  });

  it("a session cookie from another site is refused; unknown paths 404; other methods 405", async () => {
    const crossSite = await rest("/api/v1/orders", { cookie: "better-auth.session_token=x", origin: "https://evil.example", body: "{}" });
    expect(crossSite.status).toBe(403);
    expect((await rest("/api/v1/nothing", { key: keys["any-trader"]?.secret, body: "{}" })).status).toBe(404);
    const get = await rest("/api/v1/orders", { key: keys["any-trader"]?.secret, method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});

describe("backpressure", () => {
  // A console whose engine calls are bounded to 4 in flight and 4 queued (50 ms at most), in front of
  // the real engine slowed by a proxy that holds each submit 300 ms: the gate fills at once.
  let slowConsole: ConsoleServer;
  let proxy: http.Server;
  let slowBase: string;

  beforeAll(async () => {
    const engineUrl = h.engine?.url ?? "";
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        if (req.method === "POST" && req.url === "/v1/orders") await new Promise((r) => setTimeout(r, 300));
        const answer = await fetch(`${engineUrl}${req.url}`, {
          method: req.method,
          headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
          body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
        });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const port = await findFreePort();
    slowBase = `http://127.0.0.1:${port}`;
    const origins = allowedOrigins(slowBase);
    slowConsole = createConsoleServer({
      auth: createAuth({ pool: h.pool, secret: "s".repeat(40), baseURL: slowBase, trustedOrigins: origins }),
      prisma,
      engine: new EngineClient(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, h.config.ENGINE_SERVICE_TOKEN, gate),
      log: pino({ level: "silent" }),
      allowedOrigins: origins,
      handlePages: (_req, res) => void res.end("console"),
    });
    await new Promise<void>((r) => slowConsole.server.listen(port, "127.0.0.1", r));
  });

  afterAll(async () => {
    await slowConsole?.close();
    if (proxy) {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it("a flood beyond the engine gate gets 503 OVERLOADED with Retry-After at once; none time out; every accepted order is on record", async () => {
    const secret = keys.flood?.secret ?? "";
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const submit = (i: number) =>
      new Promise<{ status: number; retryAfter: string | undefined; json: FloodAnswer; ms: number }>((resolve, reject) => {
        const started = performance.now();
        const body = JSON.stringify(restingBuy(`flood-${i}`));
        const req = http.request(
          `${slowBase}/api/trpc/orders.submit`,
          { method: "POST", agent, timeout: 10_000, headers: { "content-type": "application/json", authorization: `Bearer ${secret}` } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                retryAfter: res.headers["retry-after"],
                json: JSON.parse(Buffer.concat(chunks).toString("utf8")),
                ms: performance.now() - started,
              }),
            );
          },
        );
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", reject);
        req.end(body);
      });
    // The key is looked up once and connections are open, as in steady traffic.
    await Promise.all(Array.from({ length: 8 }, (_, i) => submit(-1 - i)));
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => submit(i)));
    agent.destroy();
    const overloaded = answers.filter((a) => a.status === 503);
    const accepted = answers.filter((a) => a.status === 200);
    expect(overloaded.length + accepted.length).toBe(answers.length);
    expect(overloaded.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThanOrEqual(gate.options.limit);
    for (const a of overloaded) {
      expect(a.retryAfter).toBe("1");
      expect(a.json.error?.data.reason).toBe("OVERLOADED");
      expect(a.json.error?.data.code).toBe("SERVICE_UNAVAILABLE");
    }
    // Refused without waiting for the engine: every 503 came back before the slowest accepted submit,
    // each of which the slow proxy holds 300 ms. (How fast, in ms, is the bench's business, not a test's.)
    const slowestAccepted = Math.max(...accepted.map((a) => a.ms));
    expect(Math.max(...overloaded.map((a) => a.ms))).toBeLessThan(slowestAccepted);
    // Accepted: on record in the journal. Refused: never reached the engine.
    await h.engine?.journal.durable();
    const ids = accepted.map((a) => a.json.result?.data.order.orderId);
    const { rows } = await h.pool.query<{ n: number }>(
      "SELECT count(DISTINCT order_id)::int AS n FROM journal WHERE type = 'OrderReceived' AND order_id = ANY($1)",
      [ids],
    );
    expect(rows[0]?.n).toBe(accepted.length);
    const inEngine = h.engine?.orders.all().filter((o: Order) => /^flood-\d+$/.test(o.clOrdId)) ?? [];
    expect(inEngine.length).toBe(accepted.length);
  });
});

type FloodAnswer = { result?: { data: { order: Order } }; error?: { data: { code: string; reason?: string } } };
