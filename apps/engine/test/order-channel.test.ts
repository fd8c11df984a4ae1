import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission } from "../src/api/backpressure";
import { attachOrderChannel } from "../src/api/order-channel";
import { createLogger } from "../src/log";
import type { OrderManager } from "../src/orders/order-manager";
import { createHarness, type Harness, journalCount, until } from "./harness";

// The console's order channel (api/order-channel.ts) on a real engine and Postgres: one upgraded
// connection, newline-delimited JSON, answers matched by id, the same answers as over HTTP.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
});
afterAll(async () => h?.close());

// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary answer fields
type Frame = { id: number | null; status: number; body: any };

interface Channel {
  socket: Duplex;
  /** Writes raw text (one or many lines, or part of one). */
  write(text: string): void;
  send(id: number, op: string, body: unknown): Promise<Frame>;
  next(): Promise<Frame>;
  closed: Promise<void>;
}

function upgrade(
  base: string,
  headers: Record<string, string>,
): Promise<{ status: number; socket?: Duplex; head?: Buffer; body?: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}/v1/orders/channel`, { agent: false, headers: { connection: "Upgrade", ...headers } });
    request.on("upgrade", (response, socket, head) => resolve({ status: response.statusCode ?? 0, socket, head }));
    request.on("response", (response) => {
      let body = "";
      response.on("data", (c) => (body += c));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

async function open(base = h.engine?.url ?? "", token = h.config.ENGINE_SERVICE_TOKEN): Promise<Channel> {
  const answer = await upgrade(base, { upgrade: "fillmore-orders", authorization: `Bearer ${token}` });
  if (!answer.socket) throw new Error(`not upgraded: ${answer.status} ${answer.body}`);
  const socket = answer.socket;
  const frames: Frame[] = [];
  const waiting = new Map<number | null, (f: Frame) => void>();
  const anyWaiting: ((f: Frame) => void)[] = [];
  let partial = "";
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const frame = JSON.parse(line) as Frame;
      const byId = waiting.get(frame.id);
      if (byId) {
        waiting.delete(frame.id);
        byId(frame);
      } else if (anyWaiting.length > 0) anyWaiting.shift()?.(frame);
      else frames.push(frame);
    }
  };
  socket.on("data", onData);
  if (answer.head && answer.head.length > 0) onData(answer.head);
  return {
    socket,
    write: (text) => socket.write(text),
    send(id, op, body) {
      const found = frames.findIndex((f) => f.id === id);
      if (found >= 0) return Promise.resolve(frames.splice(found, 1)[0] as Frame);
      const answered = new Promise<Frame>((resolve) => waiting.set(id, resolve));
      socket.write(`${JSON.stringify({ id, op, body })}\n`);
      return answered;
    },
    next: () => (frames.length > 0 ? Promise.resolve(frames.shift() as Frame) : new Promise((resolve) => anyWaiting.push(resolve))),
    closed: new Promise((resolve) => socket.on("close", () => resolve())),
  };
}

const limitBuy = (clOrdId: string, overrides: Record<string, unknown> = {}) => ({
  clOrdId,
  accountId: "ACC-ALPHA",
  symbol: "AAPL",
  side: "Buy",
  ordType: "Limit",
  orderQty: "100",
  price: "1.00",
  timeInForce: "DAY",
  ...overrides,
});

describe("order channel", () => {
  it("opens only with the service token, and only for its own protocol and path", async () => {
    const base = h.engine?.url ?? "";
    const before = await journalCount(h.pool);
    const noToken = await upgrade(base, { upgrade: "fillmore-orders" });
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body ?? "{}").error.code).toBe("UNAUTHORIZED");
    const wrongToken = await upgrade(base, { upgrade: "fillmore-orders", authorization: "Bearer not-the-token-at-all-000000" });
    expect(wrongToken.status).toBe(401);
    const websocket = await upgrade(base, { upgrade: "websocket", authorization: `Bearer ${h.config.ENGINE_SERVICE_TOKEN}` });
    expect(websocket.status).toBe(404);
    expect(await journalCount(h.pool)).toBe(before);
  });

  it("submits, modifies and cancels with the same answers as HTTP, each answered once on record", async () => {
    const channel = await open();
    const submitted = await channel.send(1, "submit", { actor: "user:test", order: limitBuy("ch-1") });
    expect(submitted).toMatchObject({ id: 1, status: 201, body: { duplicate: false, order: { clOrdId: "ch-1", orderQty: "100" } } });
    const order = submitted.body.order as Order;
    // Answered after the commit: its submission is in the journal table already.
    const { rows } = await h.pool.query("SELECT type FROM journal WHERE order_id = $1 ORDER BY seq", [order.orderId]);
    expect(rows.map((r) => r.type)).toContain("OrderSubmitted");

    const again = await channel.send(2, "submit", { actor: "user:test", order: limitBuy("ch-1") });
    expect(again).toMatchObject({ id: 2, status: 200, body: { duplicate: true, order: { orderId: order.orderId } } });

    await until(() => (h.engine?.orders.get(order.orderId)?.ordStatus === "Accepted" ? true : undefined));
    const modified = await channel.send(3, "modify", { actor: "user:test", orderId: order.orderId, orderQty: "60" });
    expect(modified).toMatchObject({ id: 3, status: 200, body: { order: { orderId: order.orderId } } });
    const cancelled = await channel.send(4, "cancel", { actor: "user:test", orderId: order.orderId });
    expect(cancelled).toMatchObject({ id: 4, status: 200, body: { order: { orderId: order.orderId } } });
    const missing = await channel.send(5, "cancel", { actor: "user:test", orderId: "O-none" });
    expect(missing).toMatchObject({ id: 5, status: 404, body: { error: { code: "NOT_FOUND" } } });
    channel.socket.destroy();
  });

  it("answers bad input with a clear error, changes nothing, and stays open", async () => {
    const channel = await open();
    const before = await journalCount(h.pool);
    const invalid = await channel.send(1, "submit", { actor: "user:test", order: limitBuy("ch-bad", { orderQty: "-5" }) });
    expect(invalid).toMatchObject({ id: 1, status: 400, body: { error: { code: "INVALID_INPUT" } } });
    expect(invalid.body.error.message).toContain("orderQty");
    const unknownOp = await channel.send(2, "explode", {});
    expect(unknownOp).toMatchObject({ id: 2, status: 400, body: { error: { code: "INVALID_INPUT" } } });
    expect(unknownOp.body.error.message).toContain("op");
    channel.write("this is not json\n");
    expect(await channel.next()).toMatchObject({ id: null, status: 400, body: { error: { code: "INVALID_INPUT" } } });
    expect(await journalCount(h.pool)).toBe(before);
    // Still usable.
    const ok = await channel.send(3, "submit", { actor: "user:test", order: limitBuy("ch-after-bad") });
    expect(ok.status).toBe(201);
    channel.socket.destroy();
  });

  it("matches answers to requests when many arrive in one write, and lines split across writes", async () => {
    const channel = await open();
    const ids = Array.from({ length: 40 }, (_, i) => i + 10);
    const text = ids
      .map((id) => JSON.stringify({ id, op: "submit", body: { actor: "user:test", order: limitBuy(`ch-many-${id}`) } }))
      .join("\n");
    const cut = Math.floor(text.length / 2);
    const answers = new Map<number | null, Frame>();
    const all = (async () => {
      while (answers.size < ids.length) {
        const f = await channel.next();
        answers.set(f.id, f);
      }
    })();
    channel.write(text.slice(0, cut));
    await new Promise((r) => setTimeout(r, 20));
    channel.write(`${text.slice(cut)}\n`);
    await all;
    for (const id of ids) expect(answers.get(id)).toMatchObject({ status: 201, body: { order: { clOrdId: `ch-many-${id}` } } });
    channel.socket.destroy();
  });

  it("closes a channel whose line exceeds 64 KiB", async () => {
    const channel = await open();
    channel.write(`{"id":1,"op":"submit","body":"${"x".repeat(70 * 1024)}`);
    expect(await channel.next()).toMatchObject({ id: null, status: 400, body: { error: { code: "INVALID_INPUT" } } });
    await channel.closed;
  });

  it("counts open channels and their requests in /metrics", async () => {
    const channel = await open();
    await channel.send(1, "submit", { actor: "user:test", order: limitBuy("ch-metrics") });
    const metrics = await (await fetch(`${h.engine?.url}/metrics`)).text();
    expect(Number(/^fillmore_order_channels (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^fillmore_order_channel_requests_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    channel.socket.destroy();
  });
});

describe("order channel admission", () => {
  it("answers requests past the in-flight limit at once with 503 OVERLOADED; the others complete", async () => {
    const admission = new Admission({ maxInFlight: 2, maxLoopDelayMs: 0, windowMs: 250 });
    // Orders that take 300 ms to be answered, so that they stay in flight.
    const orders = {
      submit: (order: { clOrdId: string }) =>
        new Promise((resolve) => setTimeout(() => resolve({ order: { clOrdId: order.clOrdId }, duplicate: false }), 300)),
    } as unknown as OrderManager;
    const server = http.createServer((_req, res) => res.end());
    const channels = attachOrderChannel(server, { token: "t".repeat(32), orders, log: createLogger("silent"), admission });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const channel = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "t".repeat(32));
      const started = performance.now();
      const answers = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((id) => channel.send(id, "submit", { actor: "user:test", order: limitBuy(`adm-${id}`) })),
      );
      const refused = answers.filter((a) => a.status === 503);
      expect(answers.filter((a) => a.status === 201).length).toBe(2);
      expect(refused.length).toBe(4);
      for (const a of refused) expect(a.body.error.code).toBe("OVERLOADED");
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      expect(admission.inFlight).toBe(0);
      // Ending the engine's channels ends the console's connection.
      channels.close();
      await channel.closed;
    } finally {
      admission.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
