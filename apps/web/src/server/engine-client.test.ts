import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EngineClient, EngineError } from "./engine-client";

// A kept-alive connection the engine closes as idle just as the console sends on it: the engine read
// nothing, so the console sends again, once, on a new connection (CI met it as "socket hang up").

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** An engine whose sockets answer their first request and drop any later one unanswered (or every one). */
async function engine(dropEvery = false): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const served = new WeakMap<object, number>();
  server = http.createServer((req, res) => {
    requests += 1;
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    req.resume();
    req.on("end", () => {
      if (dropEvery || n > 1) return void req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ order: { orderId: `O${requests}` }, duplicate: false }));
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const order = { clOrdId: "c1", accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Market", orderQty: "1", timeInForce: "DAY" };

describe("EngineClient", () => {
  it("sends again, once, on a new connection when a kept-alive one is closed under it", async () => {
    const e = await engine();
    const client = new EngineClient(e.url, "token");
    await expect(client.submit(order as never, "user:t")).resolves.toMatchObject({ order: { orderId: "O1" } });
    // The second call goes out on the kept-alive connection, which the engine drops unread.
    await expect(client.submit(order as never, "user:t")).resolves.toMatchObject({ order: { orderId: "O3" } });
    expect(e.requests()).toBe(3);
  });

  it("sends the retry on a connection of its own: the pool's other idle connections are closing too", async () => {
    const e = await engine();
    const client = new EngineClient(e.url, "token");
    // Three calls at once leave three kept-alive connections, idle since the same moment.
    await Promise.all([1, 2, 3].map(() => client.submit(order as never, "user:t")));
    // The engine now drops whatever comes on any of them: a retry from the pool would meet another one.
    await expect(client.submit(order as never, "user:t")).resolves.toMatchObject({ order: { orderId: "O5" } });
    expect(e.requests()).toBe(5);
  });

  it("does not send again when a new connection fails: the caller gets ENGINE_UNAVAILABLE", async () => {
    const e = await engine(true);
    const client = new EngineClient(e.url, "token");
    const failed = await client.submit(order as never, "user:t").catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(EngineError);
    expect(failed).toMatchObject({ code: "ENGINE_UNAVAILABLE" });
    expect(e.requests()).toBe(1);
  });
});
