import { createPrisma, findFreePort, type PrismaClient } from "@fillmore/db";
import type { PositionChanged, PositionFill, PositionsSnapshot } from "@fillmore/shared";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../../../engine/test/harness";
import { createApiKey } from "./api-keys";
import { createAuth } from "./auth";
import { type ConsoleServer, createConsoleServer } from "./console-server";
import { EngineClient } from "./engine-client";
import { allowedOrigins } from "./http-security";

// Positions through the console against a real engine (in this process, real journal in Postgres):
// a risk key follows a fill live over socket.io and reads the position, its fills and the P&L
// series over HTTP; a key bound to another account sees none of it.

let h: Harness;
let prisma: PrismaClient;
let consoleServer: ConsoleServer;
let base: string;
const keys: Record<string, string> = {};
const sockets: Socket[] = [];

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  prisma = createPrisma(h.db.url);
  const port = await findFreePort();
  base = `http://127.0.0.1:${port}`;
  const origins = allowedOrigins(base);
  consoleServer = createConsoleServer({
    auth: createAuth({ pool: h.pool, secret: "s".repeat(40), baseURL: base, trustedOrigins: origins }),
    prisma,
    engine: new EngineClient(engine.url, h.config.ENGINE_SERVICE_TOKEN),
    log: pino({ level: "silent" }),
    allowedOrigins: origins,
    handlePages: (_req, res) => void res.end("console"),
  });
  consoleServer.live.start();
  await new Promise<void>((r) => consoleServer.server.listen(port, "127.0.0.1", r));
  for (const [name, role, accountIds] of [
    ["risk-system", "risk", []],
    ["gamma-trader", "trader", ["ACC-GAMMA"]],
    ["alpha-risk", "risk", ["ACC-ALPHA"]],
  ] as const) {
    keys[name] = (await createApiKey(prisma, { name, role, accountIds }, "user:test")).secret;
  }
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await consoleServer?.close();
  await prisma?.$disconnect();
  await h?.close();
}, 30_000);

const auth = (name: string) => ({ authorization: `Bearer ${keys[name]}` });

async function query<T>(name: string, procedure: string, input: unknown): Promise<{ status: number; data?: T; message?: string }> {
  const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${base}/api/trpc/${procedure}${qs}`, { headers: auth(name) });
  const json = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  return { status: response.status, data: json.result?.data, message: json.error?.message };
}

function next<T>(socket: Socket, event: string, match: (v: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (value: T) => {
      if (!match(value)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(value);
    };
    socket.on(event, listener);
  });
}

describe("positions through the console, real engine", () => {
  it("a risk key sees a trader's fill live and reads the position, its fills and the P&L series; a bound key of another account does not", async () => {
    const socket = connect(base, { transports: ["websocket"], extraHeaders: auth("risk-system"), reconnection: false, forceNew: true });
    sockets.push(socket);
    const snapshot = next<PositionsSnapshot>(socket, "positions:snapshot");
    socket.on("connect", () => socket.emit("positions:subscribe"));
    await snapshot;

    const strategy = "it-book";
    const update = next<PositionChanged>(socket, "positions:update", (c) => c.row.strategy === strategy && c.row.qty === "10");
    const submitted = await fetch(`${base}/api/trpc/orders.submit`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth("gamma-trader") },
      body: JSON.stringify({
        clOrdId: "it-pos-1",
        accountId: "ACC-GAMMA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Market",
        orderQty: "10",
        venueId: "SIM-FAST",
        strategy,
      }),
    });
    expect(submitted.status, await submitted.clone().text()).toBe(200);
    const { order } = ((await submitted.json()) as { result: { data: { order: { orderId: string } } } }).result.data;
    const change = await update;
    expect(change).toMatchObject({ type: "PositionChanged", cause: "fill", row: { accountId: "ACC-GAMMA", symbol: "AAPL", fillCount: 1 } });
    expect(change.row.realizedBy).toEqual({ avgCost: "0", fifo: "0" });

    const snap = await query<PositionsSnapshot>("risk-system", "positions.snapshot", {
      accountIds: ["ACC-GAMMA"],
      strategy,
      method: "fifo",
    });
    expect(snap.status).toBe(200);
    expect(snap.data?.method).toBe("fifo");
    expect(snap.data?.rows).toEqual([expect.objectContaining({ accountId: "ACC-GAMMA", strategy, symbol: "AAPL", qty: "10" })]);
    expect(snap.data?.byAccount.map((r) => r.group.accountId)).toEqual(["ACC-GAMMA"]);

    const fills = await query<{ fills: PositionFill[] }>("risk-system", "positions.fills", {
      accountId: "ACC-GAMMA",
      symbol: "AAPL",
      strategy,
    });
    expect(fills.data?.fills).toEqual([expect.objectContaining({ orderId: order.orderId, side: "Buy", qty: "10", busted: false })]);

    const series = await query<{ accountId: string | null; points: unknown[] }>("risk-system", "positions.pnlSeries", {
      accountId: "ACC-GAMMA",
    });
    expect(series).toMatchObject({ status: 200, data: { accountId: "ACC-GAMMA" } });

    // A key bound to ACC-ALPHA: its own accounts only, with totals over them; ACC-GAMMA is refused.
    const alpha = await query<PositionsSnapshot>("alpha-risk", "positions.snapshot", undefined);
    expect(alpha.status).toBe(200);
    expect(alpha.data?.rows.every((r) => r.accountId === "ACC-ALPHA")).toBe(true);
    expect(alpha.data?.byAccount.map((r) => r.group.accountId)).toEqual(expect.not.arrayContaining(["ACC-GAMMA"]));
    expect(alpha.data?.firm.positions).toBe(alpha.data?.rows.length);
    expect((await query("alpha-risk", "positions.fills", { accountId: "ACC-GAMMA", symbol: "AAPL", strategy })).status).toBe(403);
    expect((await query("alpha-risk", "positions.pnlSeries", {})).status).toBe(403);
  }, 60_000);
});
