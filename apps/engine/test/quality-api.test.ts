import { money, type Order, submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.start();
});
afterAll(async () => h?.close());

let n = 0;
async function marketBuy(qty = "100"): Promise<Order> {
  n += 1;
  const engine = h.engine;
  if (!engine) throw new Error("engine not started");
  const input = submitOrderInput.parse({
    clOrdId: `q-${n}`,
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Market",
    orderQty: qty,
    timeInForce: "DAY",
  });
  const { order } = await engine.orders.submit(input, "user:test");
  return until(() => {
    const o = engine.orders.get(order.orderId);
    return o && (o.ordStatus === "Filled" || o.ordStatus === "Rejected" || o.ordStatus === "Cancelled") ? o : undefined;
  });
}

describe("quality API", () => {
  it("GET /v1/orders/:id/metrics: the arrival quote journaled at routing and the slippage against it", async () => {
    const order = await marketBuy();
    expect(order.ordStatus).toBe("Filled");
    await h.engine?.journal.durable();
    const { status, json } = await h.api(`/v1/orders/${order.orderId}/metrics`);
    expect(status).toBe(200);
    const m = json.metrics;
    await h.engine?.journal.durable(); // applied is not yet committed: wait for the group commit
    const { rows } = await h.pool.query("SELECT payload FROM journal WHERE order_id = $1 AND type = 'OrderSubmitted'", [order.orderId]);
    const quote = rows[0]?.payload.data.quote;
    expect(quote).toMatchObject({ mid: money.normalize(money.div(money.add(quote.bid, quote.ask), "2", 12)) });
    expect(m.arrivalMid).toBe(quote.mid);
    expect(m.averageFillPrice).toBe(money.normalize(order.avgPx));
    expect(m.slippage).toBe(money.normalize(money.sub(order.avgPx, quote.mid)));
    expect(m.slippageBps).toBe(money.normalize(money.div(money.mul(money.sub(order.avgPx, quote.mid), "10000"), quote.mid, 4)));
    expect([m.fillRate, m.orderType, m.broker]).toEqual(["1", "MARKET", order.venueId]);
    expect(Number(m.latencyMs)).toBeGreaterThanOrEqual(0);

    const missing = await h.api("/v1/orders/NOPE/metrics");
    expect(missing.status).toBe(404);
  });

  it("GET /v1/quality/summary aggregates by venue; bad dates are refused", async () => {
    const orders = 200;
    for (let i = 0; i < orders; i += 1) await marketBuy("10");
    await h.engine?.journal.durable();
    const { status, json } = await h.api("/v1/quality/summary?symbol=AAPL");
    expect(status).toBe(200);
    const total = json.venues.reduce((a: number, v: { orders: number }) => a + v.orders, 0);
    expect(total).toBe(json.orders);
    expect(json.orders).toBeGreaterThanOrEqual(orders + 1);
    const row = json.venues[0];
    expect(row.latencyMs.n).toBeGreaterThan(0);
    expect(row.fillRate).not.toBeNull();
    // The query time at this size, for docs/EXECUTION-QUALITY.md.
    console.log(`quality summary over ${json.orders} orders: ${json.queryMs} ms`);
    const none = await h.api("/v1/quality/summary?symbol=AAPL&from=2999-01-01T00:00:00Z");
    expect(none.json.orders).toBe(0);
    const bad = await h.api("/v1/quality/summary?from=yesterday");
    expect(bad.status).toBe(400);
  });
});
