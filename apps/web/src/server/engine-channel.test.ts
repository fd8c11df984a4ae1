import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "../../../engine/test/harness";
import { EngineClient, EngineError } from "./engine-client";

// The console's end of the engine's order channel (engine-channel.ts): against a real engine, an
// engine that does not upgrade, and a connection that drops under a request.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
});
afterAll(async () => h?.close());

const order = (clOrdId: string, orderQty = "10") => ({
  clOrdId,
  accountId: "ACC-ALPHA",
  symbol: "AAPL",
  side: "Buy" as const,
  ordType: "Limit" as const,
  orderQty,
  price: "1.00",
  timeInForce: "DAY" as const,
});

async function channelRequests(): Promise<number> {
  const metrics = await (await fetch(`${h.engine?.url}/metrics`)).text();
  return Number(/^fillmore_order_channel_requests_total (\d+)/m.exec(metrics)?.[1] ?? 0);
}

async function engineLike(handler: http.RequestListener, onUpgrade?: (socket: import("node:stream").Duplex) => void) {
  const server = http.createServer(handler);
  if (onUpgrade)
    server.on("upgrade", (_req, socket) => {
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: fillmore-orders\r\nConnection: Upgrade\r\n\r\n");
      onUpgrade(socket);
    });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("EngineClient over the order channel", () => {
  it("opens the channel on first use and then sends submit, modify and cancel over it, with the engine's answers and errors", async () => {
    const client = new EngineClient(h.engine?.url ?? "", h.config.ENGINE_SERVICE_TOKEN, undefined, { orderChannel: true });
    try {
      // The first call goes over HTTP while the channel opens.
      const first = await client.submit(order("ec-1"), "user:test");
      expect(first.order.clOrdId).toBe("ec-1");
      const before = await channelRequests();
      await until(async () => {
        const { order: o } = await client.submit(order(`ec-probe-${Date.now()}`), "user:test");
        return (await channelRequests()) > before ? o : undefined;
      });
      const counted = await channelRequests();
      const submitted = await client.submit(order("ec-2"), "user:test");
      expect(submitted).toMatchObject({ duplicate: false, order: { clOrdId: "ec-2", orderQty: "10" } });
      const duplicate = await client.submit(order("ec-2"), "user:test");
      expect(duplicate).toMatchObject({ duplicate: true, order: { orderId: submitted.order.orderId } });
      await until(() => (h.engine?.orders.get(submitted.order.orderId)?.ordStatus === "Accepted" ? true : undefined));
      await client.modify({ orderId: submitted.order.orderId, orderQty: "7" } as never, "user:test");
      const cancelled = await client.cancel(submitted.order.orderId, "user:test");
      expect(cancelled.order.orderId).toBe(submitted.order.orderId);
      const missing = await client.cancel("O-none", "user:test").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(EngineError);
      expect(missing).toMatchObject({ status: 404, code: "NOT_FOUND" });
      // A risk denial is an answer, not an error: the order, rejected, on record.
      const denied = await client.submit(order("ec-big", "1000000"), "user:test");
      expect(denied.order.ordStatus).toBe("Rejected");
      // Every one of those six went over the channel.
      expect((await channelRequests()) - counted).toBe(6);
    } finally {
      client.close();
    }
  });

  it("sends over HTTP when the engine does not upgrade", async () => {
    let requests = 0;
    const { server, url } = await engineLike((req, res) => {
      requests += 1;
      req.resume();
      req.on("end", () => {
        res.writeHead(req.url === "/v1/orders" ? 201 : 404, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            req.url === "/v1/orders"
              ? { order: { orderId: `O${requests}` }, duplicate: false }
              : { error: { code: "NOT_FOUND", message: "no" } },
          ),
        );
      });
    });
    const client = new EngineClient(url, "token", undefined, { orderChannel: true });
    try {
      for (let i = 0; i < 3; i++) await expect(client.submit(order(`h-${i}`), "user:t")).resolves.toMatchObject({ duplicate: false });
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("answers ENGINE_UNAVAILABLE when the channel drops under a request, and the next call still gets through", async () => {
    let upgraded = 0;
    const { server, url } = await engineLike(
      (req, res) => {
        req.resume();
        req.on("end", () => {
          res.writeHead(201, { "content-type": "application/json" });
          res.end(JSON.stringify({ order: { orderId: "O-http" }, duplicate: false }));
        });
      },
      (socket) => {
        upgraded += 1;
        socket.on("data", () => socket.destroy()); // reads the request, then drops the connection unanswered
      },
    );
    const client = new EngineClient(url, "token", undefined, { orderChannel: true });
    try {
      await client.submit(order("d-1"), "user:t"); // over HTTP; opens the channel
      await until(() => (upgraded > 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 20));
      const lost = await client.submit(order("d-2"), "user:t").catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(EngineError);
      expect(lost).toMatchObject({ status: 503, code: "ENGINE_UNAVAILABLE" });
      await expect(client.submit(order("d-3"), "user:t")).resolves.toMatchObject({ order: { orderId: "O-http" } });
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
