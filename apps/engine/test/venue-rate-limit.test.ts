import { afterAll, beforeAll, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.pool.query(`UPDATE venue SET config = config || '{"maxOrdersPerSecond": 1, "orderBurst": 3}'::jsonb WHERE id = 'SIM-FAST'`);
  await h.start();
});
afterAll(async () => h?.close());

it("keeps under a venue's own order rate: past its burst, orders directed there are refused with the reason, others route elsewhere", async () => {
  const engine = h.engine;
  if (!engine) throw new Error("no engine");
  const ask = engine.feed.quote("AAPL")?.ask ?? "190";
  const order = (i: number, venueId?: string) =>
    engine.orders.submit(
      {
        clOrdId: `rl-${i}`,
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Limit",
        orderQty: "1",
        price: ask,
        timeInForce: "DAY",
        ...(venueId ? { venueId } : {}),
      },
      "user:rate",
    );
  const directed = [];
  for (let i = 0; i < 5; i++) directed.push((await order(i, "SIM-FAST")).order);
  expect(directed.slice(0, 3).map((o) => o.venueId)).toEqual(["SIM-FAST", "SIM-FAST", "SIM-FAST"]);
  for (const refused of directed.slice(3)) {
    expect(refused.ordStatus).toBe("Rejected");
    expect(refused.rejectReason).toMatch(/NO_VENUE: directed to SIM-FAST, which at its rate limit of 1 orders\/s \(burst 3\)/);
  }
  const routed = (await order(99)).order;
  expect(routed.venueId).not.toBe("SIM-FAST");
  expect(routed.ordStatus).not.toBe("Rejected");

  // The Venues page shows the limit and how much of it is in use; venues without one show none.
  const { json } = await h.api("/v1/venues");
  const venues = (json as { venues: { venueId: string; rateLimit: { perSecond: number; burst: number; usedPct: number } | null }[] })
    .venues;
  const fast = venues.find((v) => v.venueId === "SIM-FAST")?.rateLimit;
  expect(fast).toMatchObject({ perSecond: 1, burst: 3 });
  expect(fast?.usedPct).toBeGreaterThan(50);
  expect(venues.find((v) => v.venueId === "SIM-DEEP")?.rateLimit).toBeNull();
});
