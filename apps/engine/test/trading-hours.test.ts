import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderManager } from "../src/orders/order-manager";
import { createHarness, type Harness, until } from "./harness";

// Trading hours enforced at the risk step, changed through the admin API with no restart: hours that
// exclude now refuse an order naming them; cleared, the same order is accepted.

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

const bid = () => Number(engine().feed.quote("AAPL")?.bid ?? "189.50");
/** A buy at the bid, or `below` (a fraction) under it, where it rests. */
const submit = (n: number, below = 0) =>
  engine().orders.submit(
    {
      clOrdId: `th-${n}`,
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      orderQty: "10",
      price: (Math.floor(bid() * (1 - below) * 100) / 100).toFixed(2),
      timeInForce: "DAY",
    } as Parameters<OrderManager["submit"]>[0],
    "user:trader",
  );

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

async function setHours(tradingHours: { open: string; close: string; days: number[] } | null, reason: string) {
  const current = (await h.api("/v1/admin/reference")).json.instruments.find((i: { symbol: string }) => i.symbol === "AAPL");
  return h.api("/v1/admin/instruments", { body: { actor: ADMIN, reason, instrument: { ...current, tradingHours } } });
}

describe("trading hours through the admin API", () => {
  it("seeded instruments trade around the clock (no hours)", async () => {
    const aapl = (await h.api("/v1/admin/reference")).json.instruments.find((i: { symbol: string }) => i.symbol === "AAPL");
    expect(aapl.tradingHours).toBeNull();
    expect((await submit(1)).order.ordStatus).not.toBe("Rejected");
  });

  it("hours that exclude now refuse an order, naming them; cleared, the same order is accepted, without a restart", async () => {
    // A one-hour session starting two hours from now, every day: closed now whatever the time of day.
    const now = Date.now();
    const closed = { open: hhmm(now + 2 * 3600_000), close: hhmm(now + 3 * 3600_000), days: [0, 1, 2, 3, 4, 5, 6] };
    const set = await setHours(closed, "exchange hours for the test");
    expect(set.status).toBe(200);
    expect(set.json.instrument.tradingHours).toEqual(closed);

    const refused = await submit(2);
    expect(refused.order.ordStatus).toBe("Rejected");
    expect(refused.order.rejectReason).toContain(`INSTRUMENT_CLOSED`);
    expect(refused.order.rejectReason).toContain(`AAPL trades ${closed.open}–${closed.close} UTC`);
    expect(refused.order.rejectReason).toMatch(/it is closed now \(\w{3} \d{4}-\d\d-\d\d \d\d:\d\d UTC\), next open/);

    // A bad value is refused with the field named, and nothing changes.
    const bad = await setHours({ open: "25:00", close: "10:00", days: [1] }, "a typo in the opening hour");
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/tradingHours\.open: open must be HH:MM/);
    expect((await submit(3)).order.ordStatus).toBe("Rejected");

    const cleared = await setHours(null, "trade around the clock again");
    expect(cleared.status).toBe(200);
    expect((await submit(4)).order.ordStatus).not.toBe("Rejected");
    const { rows } = await h.pool.query("SELECT trading_hours FROM instrument WHERE symbol = 'AAPL'");
    expect(rows).toEqual([{ trading_hours: null }]);
  });

  it("cancels pass outside the hours: an order resting before the close can be cancelled after it", async () => {
    const resting = await submit(5, 0.03);
    const id = resting.order.orderId;
    await until(() => (engine().orders.get(id)?.ordStatus === "Accepted" ? true : undefined));
    const now = Date.now();
    const closed = { open: hhmm(now + 2 * 3600_000), close: hhmm(now + 3 * 3600_000), days: [0, 1, 2, 3, 4, 5, 6] };
    expect((await setHours(closed, "closed again, to cancel")).status).toBe(200);
    expect((await submit(6)).order.rejectReason).toContain("INSTRUMENT_CLOSED");
    await engine().orders.cancel(id, "user:trader");
    await until(() => (engine().orders.get(id)?.ordStatus === "Cancelled" ? true : undefined));
    await setHours(null, "trade around the clock again");
  });
});
