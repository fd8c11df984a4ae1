import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderManager } from "../src/orders/order-manager";
import { createHarness, type Harness, until } from "./harness";

// Issue 15: a venue left out at engine start (its row disabled by an admin, or invalid) while orders
// are still working there. Before, the engine started without it: the orders were shown but could
// not be cancelled ("has no venue to cancel at") and were never reconciled. Now a disabled row is
// built and drains; an invalid one is stood in for (DOWN) until it is corrected, and a cancel sent
// meanwhile is on record and reaches the venue once it runs.

const ADMIN = "user:admin@test";
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.start();
});
afterAll(async () => h?.close());

const engine = () => {
  if (!h.engine) throw new Error("engine not started");
  return h.engine;
};
const restart = async () => {
  await engine().stop();
  return h.start();
};
const bid = () => Number(engine().feed.quote("AAPL")?.bid ?? "189.50");
/** A buy 3 % under the bid, directed: it rests at the venue. */
const rest = async (venueId: string, n: number): Promise<Order> => {
  const r = await engine().orders.submit(
    {
      clOrdId: `left-out-${n}`,
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      orderQty: "10",
      price: (Math.floor(bid() * 0.97 * 100) / 100).toFixed(2),
      timeInForce: "GTC",
      venueId,
    } as Parameters<OrderManager["submit"]>[0],
    "user:trader",
  );
  return until(() => {
    const o = engine().orders.get(r.order.orderId);
    return o?.ordStatus === "Accepted" ? o : undefined;
  });
};
const status = (orderId: string, wanted: string, timeoutMs = 5000) =>
  until(() => (engine().orders.get(orderId)?.ordStatus === wanted ? true : undefined), timeoutMs);
const venueView = async (id: string) =>
  ((await h.api("/v1/admin/reference")).json.venues as { id: string; state: string; reason: string | null; workingOrders: number }[]).find(
    (v) => v.id === id,
  );

describe("a venue left out at start with working orders", () => {
  it("disabled by an admin: built again to drain; its order is shown, reconciled and can be cancelled", async () => {
    const order = await rest("SIM-DEEP", 1);
    const off = await h.api("/v1/admin/venues/SIM-DEEP/enabled", {
      body: { actor: ADMIN, enabled: false, reason: "venue maintenance tonight" },
    });
    expect(off.status).toBe(200);
    await restart();

    expect(engine().venues.has("SIM-DEEP")).toBe(true);
    expect(engine().orders.get(order.orderId)?.ordStatus).toBe("Accepted");
    expect(await venueView("SIM-DEEP")).toMatchObject({ state: "draining", workingOrders: 1 });
    expect((await venueView("SIM-DEEP"))?.reason).toMatch(/disabled/);
    // Closed to new orders, even directed ones.
    const refused = await engine().orders.submit(
      {
        clOrdId: "left-out-2",
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Market",
        orderQty: "1",
        timeInForce: "DAY",
        venueId: "SIM-DEEP",
      } as Parameters<OrderManager["submit"]>[0],
      "user:trader",
    );
    expect(refused.order.rejectReason).toMatch(/SIM-DEEP, which is closed to new orders/);
    // Reconciled at start: the venue answered for it (no OUTCOME_UNKNOWN alert).
    const unknown = await h.pool.query(
      "SELECT 1 FROM journal WHERE type = 'AlertRaised' AND order_id = $1 AND payload->'data'->>'code' = 'OUTCOME_UNKNOWN'",
      [order.orderId],
    );
    expect(unknown.rowCount).toBe(0);

    await engine().orders.cancel(order.orderId, "user:trader");
    await status(order.orderId, "Cancelled");
    expect((await venueView("SIM-DEEP"))?.workingOrders).toBe(0);
  });

  it("invalid row: its order stays (shown, unknown); a cancel is kept on record and reaches the venue once the row is corrected", async () => {
    const order = await rest("SIM-FAST", 3);
    await engine().stop();
    // A hand edit gone wrong: a number as a string.
    await h.pool.query(`UPDATE venue SET config = config || '{"latencyMs": "2"}'::jsonb WHERE id = 'SIM-FAST'`);
    await h.start();

    expect(engine().orders.get(order.orderId)?.ordStatus).toBe("Accepted");
    expect(engine().venues.get("SIM-FAST")?.isHealthy()).toBe(false);
    const view = await venueView("SIM-FAST");
    expect(view).toMatchObject({ state: "invalid", workingOrders: 1 });
    expect(view?.reason).toMatch(/config\.latencyMs/);
    // Undirected flow never goes there.
    const undirected = await engine().orders.submit(
      {
        clOrdId: "left-out-4",
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Market",
        orderQty: "1",
        timeInForce: "DAY",
      } as Parameters<OrderManager["submit"]>[0],
      "user:trader",
    );
    expect(undirected.order.venueId).not.toBe("SIM-FAST");

    const pending = await engine().orders.cancel(order.orderId, "user:trader");
    expect(pending.ordStatus).toBe("PendingCancel");
    await until(async () => {
      const { rows } = await h.pool.query(
        "SELECT payload->'data'->>'message' AS m FROM journal WHERE type = 'AlertRaised' AND order_id = $1 AND payload->'data'->>'code' = 'VENUE_SEND_FAILED'",
        [order.orderId],
      );
      return rows[0]?.m as string | undefined;
    }).then((m) => expect(m).toMatch(/row is invalid .*the cancel is on record and is sent once the venue runs/));
    expect(engine().orders.get(order.orderId)?.ordStatus).toBe("PendingCancel");

    const fixed = await h.api("/v1/admin/venues", {
      body: {
        actor: ADMIN,
        reason: "latencyMs back to a number",
        venue: { id: "SIM-FAST", name: "Simulated fast", kind: "sim", config: { latencyMs: 2, feeBps: 3, depth: 300 }, enabled: true },
      },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.json.venue).toMatchObject({ state: "running" });
    await status(order.orderId, "Cancelled", 15_000);
  });
});
