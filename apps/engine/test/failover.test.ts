import { afterAll, beforeAll, expect, it } from "vitest";
import { SimVenue } from "../src/venues/sim/sim-venue";
import { createHarness, type Harness, until } from "./harness";

// A venue goes down in the middle of a load: new orders move to the other venues at once, the
// orders caught at the dead venue are settled by reconciliation when it returns, and nothing is
// lost or sent twice.

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ ROUTING_POLICY: "weighted" });
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "50" } }, "user:test");
});
afterAll(async () => h?.close());

it("moves flow away from a venue that drops mid-load, and loses or duplicates nothing", async () => {
  const engine = h.engine;
  if (!engine) throw new Error("no engine");
  const fast = engine.venues.get("SIM-FAST");
  if (!(fast instanceof SimVenue)) throw new Error("SIM-FAST is not a simulated venue");
  const ask = engine.feed.quote("AAPL")?.ask ?? "190";
  const submit = (i: number) =>
    engine.orders.submit(
      {
        clOrdId: `fo-${i}`,
        accountId: "ACC-BETA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Limit",
        orderQty: "10",
        price: String(Math.round(Number(ask) * 1.2)),
        timeInForce: "GTC",
      },
      "user:failover",
    );

  const before = await Promise.all(Array.from({ length: 60 }, (_, i) => submit(i)));
  expect(new Set(before.map((r) => r.order.venueId)).size).toBe(3);

  fast.setOutage(true);
  const during = await Promise.all(Array.from({ length: 60 }, (_, i) => submit(100 + i)));
  for (const r of during) expect(r.order.venueId, `${r.order.orderId} went to a venue that is down`).not.toBe("SIM-FAST");
  expect(new Set(during.map((r) => r.order.venueId))).toEqual(new Set(["SIM-DEEP", "SIM-CHEAP"]));

  fast.setOutage(false);
  const all = [...before, ...during].map((r) => r.order.orderId);
  // Every order ends filled (or refused by a venue); none stays in limbo once SIM-FAST is back.
  await until(() => {
    engine.feed.step();
    return all.every((id) => ["Filled", "Rejected"].includes(engine.orders.get(id)?.ordStatus ?? "")) ? true : undefined;
  }, 20_000);
  for (const id of all) {
    const order = engine.orders.get(id);
    const venue = engine.venues.get(order?.venueId ?? "");
    if (!(venue instanceof SimVenue)) throw new Error(`${id} has no simulated venue`);
    expect(venue.submissionsOf(id), `${id} reached ${venue.name} more than once`).toBe(1);
    const status = await venue.getOrderStatus(id);
    expect(status.known && status.cumQty).toBe(order?.cumQty === "0" ? "0" : order?.cumQty);
  }
}, 60_000);
