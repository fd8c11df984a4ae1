import pino from "pino";
import { Server as SocketServer } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../../../engine/test/harness";
import { EngineClient } from "./engine-client";
import { type LiveItem, LiveOrders } from "./live-orders";

// The console's mirror of the engine's orders follows the engine only while someone needs it,
// against a real engine (in this process, journal in Postgres).

let h: Harness;
let live: LiveOrders;
let io: SocketServer;
let wanted = false;
const seen: LiveItem[] = [];

async function submit(clOrdId: string): Promise<string> {
  const res = await h.api("/v1/orders", {
    body: {
      actor: "user:trader@fillmore.test",
      order: {
        clOrdId,
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Limit",
        timeInForce: "DAY",
        orderQty: "5",
        price: "1.00",
      },
    },
  });
  expect(res.status).toBe(201);
  return (res.json as { order: { orderId: string } }).order.orderId;
}

async function until(probe: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
  io = new SocketServer();
  live = new LiveOrders(new EngineClient(engine.url, h.config.ENGINE_SERVICE_TOKEN), io, pino({ level: "silent" }), undefined, 150);
  live.addDemand(() => wanted);
  live.onOrder((item) => seen.push(item));
  live.start();
}, 120_000);

afterAll(async () => {
  live?.stop();
  await h?.close();
}, 30_000);

describe("live orders on demand", () => {
  it("with nobody listening it stays idle: holds no orders and hears no events", async () => {
    await submit("idle-1");
    await new Promise((r) => setTimeout(r, 300));
    expect(live.streamState).toBe("idle");
    expect(live.snapshot().orders).toHaveLength(0);
    expect(seen).toHaveLength(0);
  });

  it("once wanted it takes a snapshot and follows: ready() resolves, then every new event arrives", async () => {
    wanted = true;
    await live.ready();
    expect(live.streamState).toBe("connected");
    expect(live.snapshot().orders.map((o) => o.clOrdId)).toContain("idle-1");
    const orderId = await submit("followed-1");
    await until(() => seen.some((i) => i.order.orderId === orderId && i.event?.type === "OrderAccepted"));
    expect(seen.filter((i) => i.order.orderId === orderId).map((i) => i.event?.type)).toEqual(
      expect.arrayContaining(["OrderReceived", "OrderValidated", "OrderSubmitted", "OrderAccepted"]),
    );
  });

  it("goes idle again once unwanted for idleAfterMs, dropping its copy; wanted again, it resyncs", async () => {
    wanted = false;
    await until(() => live.streamState === "idle");
    expect(live.snapshot().orders).toHaveLength(0);
    const count = seen.length;
    await submit("idle-2");
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(count);

    wanted = true;
    await live.ready();
    expect(live.snapshot().orders.map((o) => o.clOrdId)).toEqual(expect.arrayContaining(["idle-1", "followed-1", "idle-2"]));
  });
});
