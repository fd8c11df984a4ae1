import http from "node:http";
import type { AddressInfo } from "node:net";
import { createPrisma, findFreePort, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { ROLES, type Role } from "@fillmore/shared";
import pg from "pg";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "./api-keys";
import { createAuth } from "./auth";
import { type ConsoleServer, createConsoleServer } from "./console-server";
import { EngineClient } from "./engine-client";
import { allowedOrigins } from "./http-security";
import { SignInLimits } from "./sign-in-limits";
import { createUser } from "./users";

// The console server on 127.0.0.1 with real HTTP, real better-auth sessions in Postgres and real
// socket.io clients; the engine is a small fake serving a snapshot and an event stream.

const PASSWORD = "correct-horse-battery";
const EVIL = "http://evil.example";

let base: string;
let prisma: PrismaClient;
let pool: pg.Pool;
let cleanup: () => Promise<void>;
let consoleServer: ConsoleServer;
let fakeEngine: http.Server;
const streams: http.ServerResponse[] = [];
const positionStreams: http.ServerResponse[] = [];
let engineSeq = 0;

/** A position row of the engine's positions snapshot and stream (only the fields these tests read). */
function positionRow(accountId: string, qty = "100") {
  return { accountId, strategy: null, symbol: "AAPL", currency: "USD", qty, avgPx: "10", realized: "0", fees: "1" };
}

/** The engine's positions answer for the accounts asked for (every account when none is named). */
function positionsAnswer(url: URL) {
  const asked = url.searchParams.getAll("accountId");
  const accounts = asked.length > 0 ? asked : ["ACC-ALPHA", "ACC-BETA"];
  return {
    method: "account",
    rows: accounts.map((a) => positionRow(a)),
    byAccount: accounts.map((accountId) => ({ group: { accountId }, net: "0" })),
    byStrategy: [],
    firm: { group: {}, net: "0" },
    asOf: "2026-01-01T00:00:00.000000Z",
    seq: engineSeq,
    positions: [],
  };
}

/** Sends one PositionChanged down every open engine positions stream. */
function enginePositionChanged(accountId: string, qty: string): void {
  const change = { type: "PositionChanged", cause: "fill", seq: engineSeq, ts: new Date().toISOString(), row: positionRow(accountId, qty) };
  for (const res of positionStreams) res.write(`data: ${JSON.stringify(change)}\n\n`);
}

function order(orderId: string, accountId = "ACC-ALPHA") {
  return { orderId, accountId, symbol: "AAPL", ordStatus: "Accepted", createdAt: "2026-01-01T00:00:00.000000Z", lastSeq: 1 };
}

/** Sends one order event down every open engine stream, as the engine does when an order changes. */
function engineEmits(orderId: string): void {
  engineSeq += 1;
  for (const res of streams) res.write(`data: ${JSON.stringify({ seq: engineSeq, order: order(orderId) })}\n\n`);
}

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });

  fakeEngine = http.createServer((req, res) => {
    if (req.url === "/v1/snapshot") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ seq: engineSeq, orders: [order("O1")] }));
    }
    if (req.url?.startsWith("/v1/positions/stream")) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      positionStreams.push(res);
      return;
    }
    if (req.url?.startsWith("/v1/positions")) {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify(positionsAnswer(new URL(req.url, "http://engine"))));
    }
    if (req.url?.startsWith("/v1/stream")) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      streams.push(res);
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: `no order ${req.url}` } }));
  });
  await new Promise<void>((r) => fakeEngine.listen(0, "127.0.0.1", r));
  const engine = new EngineClient(`http://127.0.0.1:${(fakeEngine.address() as AddressInfo).port}`, "t".repeat(32));

  const port = await findFreePort();
  base = `http://127.0.0.1:${port}`;
  const origins = allowedOrigins(base);
  const auth = createAuth({
    pool,
    secret: "s".repeat(40),
    baseURL: base,
    trustedOrigins: origins,
    signIn: {
      limits: new SignInLimits({ accountFreeFailures: 3, addressFreeFailures: 20, baseDelayMs: 600 }),
      failed: async (attempt) => void (await prisma.signInAttempt.create({ data: attempt })),
    },
  });
  for (const role of ROLES) await createUser(auth, { email: `${role}@x.test`, name: role, role, password: PASSWORD });
  for (const name of ["typo", "colleague", "spray-target"])
    await createUser(auth, { email: `${name}@x.test`, name, role: "trader", password: PASSWORD });

  consoleServer = createConsoleServer({
    auth,
    prisma,
    engine,
    log: pino({ level: "silent" }),
    allowedOrigins: origins,
    handlePages: (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>console</title>");
    },
    subscribeLimit: { burst: 3, refillMs: 60_000 },
  });
  consoleServer.live.start();
  await new Promise<void>((r) => consoleServer.server.listen(port, "127.0.0.1", r));
  // The live mirror has its snapshot and follows the stream.
  for (let i = 0; i < 100 && !consoleServer.live.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
}, 120_000);

afterAll(async () => {
  for (const res of [...streams, ...positionStreams]) res.end();
  await consoleServer?.close();
  await new Promise((r) => fakeEngine?.close(r));
  await pool?.end();
  await prisma?.$disconnect();
  await cleanup?.();
}, 30_000);

/** Signs in over real HTTP, from a loopback address of our choice (the server keys its limits on the peer address). */
function signIn(email: string, password = PASSWORD, headers: Record<string, string> = {}, from = "127.0.0.1") {
  const body = JSON.stringify({ email, password });
  return new Promise<{ status: number; cookie: string; retryAfter: string | undefined; json: { message?: string } }>((resolve, reject) => {
    const request = http.request(
      `${base}/api/auth/sign-in/email`,
      { method: "POST", localAddress: from, headers: { "content-type": "application/json", origin: base, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode ?? 0,
            cookie: (response.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "",
            retryAfter: response.headers["retry-after"] as string | undefined,
            json: text.startsWith("{") ? JSON.parse(text) : {},
          });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function signedIn(role: Role | string): Promise<string> {
  const { status, cookie } = await signIn(role.includes("@") ? role : `${role}@x.test`);
  expect(status).toBe(200);
  return cookie;
}

function socketFor(headers: Record<string, string>): Socket {
  return connect(base, { transports: ["websocket"], extraHeaders: headers, reconnection: false, forceNew: true });
}

/** Connects; resolves "connected" or the refusal message. */
function opened(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (e) => resolve(`refused: ${e.message}`));
  });
}

function next<T = unknown>(socket: Socket, event: string, timeoutMs = 2000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function subscribed(socket: Socket): Promise<void> {
  expect(await opened(socket)).toBe("connected");
  const snapshot = next<{ orders: { orderId: string }[] }>(socket, "orders:snapshot");
  socket.emit("orders:subscribe");
  expect((await snapshot).orders.map((o) => o.orderId)).toContain("O1");
}

/** Milliseconds until the server cuts the socket (rejects after `withinMs`). */
function cutWithin(socket: Socket, withinMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${withinMs} ms`)), withinMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      expect(reason).toBe("io server disconnect");
      resolve(Date.now() - started);
    });
  });
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe("security headers", () => {
  const expectBrowserHeaders = (headers: Headers) => {
    expect(headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(headers.get("x-frame-options")).toBe("DENY");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  };

  it("a page carries CSP with frame-ancestors 'none', X-Frame-Options, nosniff and Referrer-Policy", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expectBrowserHeaders(page.headers);
  });

  it("API answers (tRPC, auth, errors) carry them too, with Cache-Control: no-store", async () => {
    for (const path of ["/api/trpc/session.me", "/api/auth/get-session", "/api/trpc/no.such.procedure"]) {
      const response = await fetch(`${base}${path}`);
      expectBrowserHeaders(response.headers);
      expect(response.headers.get("cache-control"), path).toMatch(/no-store/);
    }
  });

  it("the live stream's HTTP answers carry them", async () => {
    const response = await fetch(`${base}/socket.io/?EIO=4&transport=polling`);
    expectBrowserHeaders(response.headers);
  });
});

describe("Origin check on cookie-authenticated mutations", () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await signedIn("risk");
  });
  const halt = (headers: Record<string, string>) =>
    fetch(`${base}/api/trpc/risk.tradingState.set`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ scope: "account:ACC-ALPHA", state: "HALTED", reason: "csrf" }),
    });

  it("a cookie mutation from another site is refused with 403 before it reaches the engine", async () => {
    const response = await halt({ cookie, origin: EVIL });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { data: { code: "FORBIDDEN" }, message: /cross-origin request refused/ } });
    expect((await halt({ cookie, origin: "null" })).status).toBe(403);
    expect((await halt({ cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  it("the console's own origin, and a program without Origin, pass the check", async () => {
    // Past the check the fake engine answers 404 for this route: not a refusal by the Origin rule.
    expect((await halt({ cookie, origin: base })).status).toBe(404);
    expect((await halt({ cookie })).status).toBe(404);
  });

  it("an API key request is exempt: it carries no ambient credential", async () => {
    const { secret } = await createApiKey(prisma, { name: "csrf-exempt", role: "risk", accountIds: [] }, "test");
    expect((await halt({ ...bearer(secret), origin: EVIL })).status).toBe(404);
  });

  it("sign-in and sign-out from another site are refused", async () => {
    expect((await signIn("trader@x.test", PASSWORD, { origin: EVIL })).status).toBe(403);
    const signOut = await fetch(`${base}/api/auth/sign-out`, { method: "POST", headers: { cookie, origin: EVIL } });
    expect(signOut.status).toBe(403);
    const me = await fetch(`${base}/api/trpc/session.me`, { headers: { cookie } });
    expect(me.status).toBe(200);
  });
});

describe("sign-in limits", () => {
  it("one person's wrong passwords never block a colleague's correct password from the same address", async () => {
    for (let i = 0; i < 3; i += 1) expect((await signIn("typo@x.test", "wrong-password-123")).status).toBe(401);
    // better-auth's default would now refuse everyone at this address for 10 s.
    expect((await signIn("colleague@x.test")).status).toBe(200);
    const blocked = await signIn("typo@x.test", "wrong-password-123");
    expect(blocked.status).toBe(401); // the 4th failure is checked, then the waiting starts
    const held = await signIn("typo@x.test");
    expect(held.status).toBe(429);
    expect(Number(held.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(held.json).toMatchObject({ message: expect.stringMatching(/too many failed sign-ins for this account/) });
    expect((await signIn("colleague@x.test")).status).toBe(200);
  });

  it("the waiting doubles with each further failure, and a correct password after it resets the account", async () => {
    const email = "spray-target@x.test";
    for (let i = 0; i < 3; i += 1) await signIn(email, "nope-nope-nope");
    expect((await signIn(email, "nope-nope-nope")).status).toBe(401);
    expect((await signIn(email)).status).toBe(429); // 600 ms after the 4th failure
    await new Promise((r) => setTimeout(r, 700));
    expect((await signIn(email, "nope-nope-nope")).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect((await signIn(email)).status).toBe(429); // 1200 ms after the 5th
    await new Promise((r) => setTimeout(r, 1000));
    expect((await signIn(email)).status).toBe(200);
    expect((await signIn(email, "nope-nope-nope")).status).toBe(401);
    expect((await signIn(email)).status).toBe(200);
  });

  it("failures are kept with the account and address for compliance", async () => {
    await signIn("nobody@x.test", "whatever-password");
    const rows = await prisma.signInAttempt.findMany({ orderBy: { id: "asc" } });
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: "typo@x.test", outcome: "bad-password", ip: "127.0.0.1", userId: expect.any(String) }),
        expect.objectContaining({ email: "typo@x.test", outcome: "blocked", retryAfterMs: expect.any(Number) }),
        expect.objectContaining({ email: "nobody@x.test", outcome: "unknown-account", userId: null }),
      ]),
    );
    expect(rows.some((r) => r.email === "colleague@x.test")).toBe(false);
  });

  it("an address spraying many accounts is held, but not for an account that signed in from there before", async () => {
    const from = "127.0.0.2";
    expect((await signIn("colleague@x.test", PASSWORD, {}, from)).status).toBe(200);
    for (let i = 0; i < 21; i += 1) expect((await signIn(`sprayed-${i}@x.test`, "spray-spray-spray", {}, from)).status).toBe(401);
    const held = await signIn("admin@x.test", PASSWORD, {}, from);
    expect(held.status).toBe(429);
    expect(held.json).toMatchObject({ message: expect.stringMatching(/from this address/) });
    expect((await signIn("colleague@x.test", PASSWORD, {}, from)).status).toBe(200);
    // Another address is not held.
    expect((await signIn("admin@x.test")).status).toBe(200);
    expect(await prisma.signInAttempt.count({ where: { ip: from, outcome: "blocked" } })).toBe(1);
  });
});

describe("the live stream", () => {
  it("every socket event, by every kind of principal: allowed, forbidden or refused at connect", async () => {
    const events: string[] = [];
    consoleServer.live.attach({ on: (event: string) => events.push(event) } as never);
    consoleServer.positions.attach({ on: (event: string) => events.push(event) } as never);
    // A new socket event without a row here fails this test.
    const TABLE: Record<string, true> = {
      "orders:subscribe": true,
      "orders:unsubscribe": true,
      // risk:read, which every role holds; rows of the principal's accounts only (live-positions.test.ts).
      "positions:subscribe": true,
      "positions:unsubscribe": true,
    };
    expect(events.sort()).toEqual(Object.keys(TABLE).sort());

    for (const role of ROLES) {
      for (const kind of ["user", "key", "bound"] as const) {
        const headers =
          kind === "user"
            ? { cookie: await signedIn(role === "admin" ? "admin" : role), origin: base }
            : bearer(
                (await createApiKey(prisma, { name: `${kind}-${role}`, role, accountIds: kind === "bound" ? ["ACC-ALPHA"] : [] }, "test"))
                  .secret,
              );
        const socket = socketFor(headers);
        try {
          const open = await opened(socket);
          if (kind === "bound") {
            expect(open, `${kind} ${role}`).toMatch(/refused: forbidden: an account-scoped API key/);
            continue;
          }
          expect(open, `${kind} ${role}`).toBe("connected");
          const snapshot = next(socket, "orders:snapshot");
          socket.emit("orders:subscribe");
          await snapshot;
          socket.emit("orders:unsubscribe");
          const again = next(socket, "orders:snapshot");
          socket.emit("orders:subscribe");
          await again;
          const positions = next<{ rows: { accountId: string }[] }>(socket, "positions:snapshot");
          socket.emit("positions:subscribe");
          expect(
            (await positions).rows.map((r) => r.accountId),
            `${kind} ${role}`,
          ).toEqual(["ACC-ALPHA", "ACC-BETA"]);
          socket.emit("positions:unsubscribe");
          const positionsAgain = next(socket, "positions:snapshot");
          socket.emit("positions:subscribe");
          await positionsAgain;
        } finally {
          socket.close();
        }
      }
    }
    const anonymous = socketFor({});
    expect(await opened(anonymous)).toMatch(/refused: unauthorized/);
    anonymous.close();
  });

  it("positions: a risk key follows position changes live; a second subscribe is refused; a revoked key gets no more", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "risk-positions", role: "risk", accountIds: [] }, "test");
    const socket = socketFor(bearer(secret));
    try {
      expect(await opened(socket)).toBe("connected");
      const snapshot = next<{ rows: unknown[] }>(socket, "positions:snapshot");
      socket.emit("positions:subscribe");
      expect((await snapshot).rows).toHaveLength(2);
      // The console follows the engine's positions stream once someone subscribed.
      for (let i = 0; i < 100 && !consoleServer.positions.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(consoleServer.positions.connected).toBe(true);

      const update = next<{ type: string; row: { accountId: string; qty: string } }>(socket, "positions:update");
      enginePositionChanged("ACC-BETA", "250");
      expect(await update).toMatchObject({ type: "PositionChanged", row: { accountId: "ACC-BETA", qty: "250" } });

      const refusal = next<{ channel: string; message: string }>(socket, "error:subscribe");
      socket.emit("positions:subscribe");
      expect(await refusal).toMatchObject({ channel: "positions", message: expect.stringMatching(/already subscribed/) });

      let after = 0;
      socket.on("positions:update", () => {
        after += 1;
      });
      const cut = cutWithin(socket, 1000);
      await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date(), revokedBy: "test" } });
      consoleServer.principals.forgetApiKey(key.id);
      await cut;
      enginePositionChanged("ACC-ALPHA", "1");
      await new Promise((r) => setTimeout(r, 100));
      expect(after).toBe(0);
    } finally {
      socket.close();
    }
  });

  it("a socket from another site's page is refused, even with a valid session cookie", async () => {
    const cookie = await signedIn("trader");
    const socket = socketFor({ cookie, origin: EVIL });
    expect(await opened(socket)).toMatch(/^refused/);
    socket.close();
    const own = socketFor({ cookie, origin: base });
    expect(await opened(own)).toBe("connected");
    own.close();
  });

  it("a second subscribe on the same socket is refused without a second snapshot", async () => {
    const socket = socketFor(bearer((await createApiKey(prisma, { name: "double", role: "trader", accountIds: [] }, "test")).secret));
    try {
      await subscribed(socket);
      let snapshots = 0;
      socket.on("orders:snapshot", () => {
        snapshots += 1;
      });
      const refusal = next<{ message: string }>(socket, "error:subscribe");
      socket.emit("orders:subscribe");
      expect((await refusal).message).toMatch(/already subscribed/);
      await new Promise((r) => setTimeout(r, 100));
      expect(snapshots).toBe(0);
    } finally {
      socket.close();
    }
  });

  it("resubscribing in a loop runs out of snapshots", async () => {
    const socket = socketFor(bearer((await createApiKey(prisma, { name: "loop", role: "trader", accountIds: [] }, "test")).secret));
    try {
      await subscribed(socket);
      let snapshots = 1;
      socket.on("orders:snapshot", () => {
        snapshots += 1;
      });
      const refusal = next<{ message: string; retryAfterMs: number }>(socket, "error:subscribe");
      for (let i = 0; i < 50; i += 1) {
        socket.emit("orders:unsubscribe");
        socket.emit("orders:subscribe");
      }
      expect((await refusal).retryAfterMs).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(snapshots).toBe(3);
    } finally {
      socket.close();
    }
  });

  it("a revoked key's socket is cut within a second and receives no more updates", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "revoked-live", role: "trader", accountIds: [] }, "test");
    const { secret: adminSecret } = await createApiKey(prisma, { name: "revoker", role: "admin", accountIds: [] }, "test");
    const socket = socketFor(bearer(secret));
    try {
      await subscribed(socket);
      const update = next<{ order: { orderId: string } }>(socket, "orders:update");
      engineEmits("O2");
      expect((await update).order.orderId).toBe("O2");

      let after = 0;
      const cut = cutWithin(socket, 1000);
      const revoked = await fetch(`${base}/api/trpc/admin.apiKeys.revoke`, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(adminSecret) },
        body: JSON.stringify({ id: key.id }),
      });
      expect(revoked.status).toBe(200);
      socket.on("orders:update", () => {
        after += 1;
      });
      expect(await cut).toBeLessThan(1000);
      engineEmits("O3");
      await new Promise((r) => setTimeout(r, 100));
      expect(after).toBe(0);
      expect(await opened(socketFor(bearer(secret)))).toMatch(/refused: unauthorized/);
    } finally {
      socket.close();
    }
  });

  it("a key revoked in the database by another console is cut at the next re-check", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "revoked-elsewhere", role: "trader", accountIds: [] }, "test");
    const socket = socketFor(bearer(secret));
    try {
      await subscribed(socket);
      await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date(), revokedBy: "elsewhere" } });
      // The principal cache keeps a credential for 5 s; the re-check runs every 500 ms.
      expect(await cutWithin(socket, 6000)).toBeLessThan(6000);
    } finally {
      socket.close();
    }
  });

  it("signing out cuts the session's socket within a second", async () => {
    const cookie = await signedIn("compliance");
    const socket = socketFor({ cookie, origin: base });
    try {
      await subscribed(socket);
      const cut = cutWithin(socket, 1000);
      const signOut = await fetch(`${base}/api/auth/sign-out`, { method: "POST", headers: { cookie, origin: base } });
      expect(signOut.status).toBe(200);
      expect(await cut).toBeLessThan(1000);
      expect(await opened(socketFor({ cookie, origin: base }))).toMatch(/refused: unauthorized/);
    } finally {
      socket.close();
    }
  });

  it("a key bound to accounts after it connected is cut: the live stream carries every account", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "rebound", role: "trader", accountIds: [] }, "test");
    const socket = socketFor(bearer(secret));
    try {
      await subscribed(socket);
      await prisma.apiKey.update({ where: { id: key.id }, data: { accountIds: ["ACC-ALPHA"] } });
      consoleServer.principals.forgetApiKey(key.id);
      const ended = next<{ message: string }>(socket, "session:ended", 1000);
      expect((await ended).message).toMatch(/account-scoped/);
    } finally {
      socket.close();
    }
  });
});
