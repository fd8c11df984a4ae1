import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderManager } from "../src/orders/order-manager";
import { createHarness, type Harness, until } from "./harness";

// Reference data administered at runtime: a bad venue row at start disables that venue only (with an
// alert saying why), and venues, instruments and accounts added or changed through the engine API
// take effect without a restart; bad input changes nothing.

const ADMIN = "user:admin@test";
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ ROUTING_POLICY: "lowestCost" });
  // The operator's mistake from the issue: the port as a string.
  await h.pool.query("INSERT INTO venue (id, name, kind, config) VALUES ('BAD-FIX', 'A FIX venue typed by hand', 'fix', $1)", [
    JSON.stringify({ host: "127.0.0.1", port: "5442", beginString: "FIX.4.2", senderCompId: "FILLMORE", targetCompId: "ORDERMATCH" }),
  ]);
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "20" } }, "user:test");
});
afterAll(async () => h?.close());

const engine = () => {
  if (!h.engine) throw new Error("engine not started");
  return h.engine;
};
const reference = async () => (await h.api("/v1/admin/reference")).json;
const venueView = async (id: string) => (await reference()).venues.find((v: { id: string }) => v.id === id);
const changes = async () => {
  await h.engine?.journal.durable(); // applied is not yet committed: wait for the group commit
  return (await h.pool.query("SELECT actor, payload FROM journal WHERE type = 'ReferenceDataChanged' ORDER BY seq")).rows as {
    actor: string;
    payload: { data: { entity: string; id: string; reason: string; old: unknown; new: unknown } };
  }[];
};
const submit = (input: Partial<Parameters<OrderManager["submit"]>[0]>, n: number) =>
  engine().orders.submit(
    {
      clOrdId: `ra-${n}`,
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      orderQty: "10",
      price: "189.50",
      timeInForce: "GTC",
      ...input,
    } as Parameters<OrderManager["submit"]>[0],
    "user:trader",
  );
const settled = (orderId: string, statuses: string[]) =>
  until(() => {
    const o = engine().orders.get(orderId);
    return o && statuses.includes(o.ordStatus) ? o : undefined;
  }, 5000);

describe("a bad venue row at start", () => {
  it("disables that venue with an alert saying why; the engine and the other venues run", async () => {
    expect(engine().venues.has("BAD-FIX")).toBe(false);
    expect([...engine().venues.keys()].sort()).toEqual(["SIM-CHEAP", "SIM-DEEP", "SIM-FAST"]);
    const view = await venueView("BAD-FIX");
    expect(view).toMatchObject({ state: "invalid", connected: false });
    expect(view.reason).toMatch(/config\.port/);
    const alerts = await until(async () => {
      const list = (await h.api("/v1/alerts?state=open")).json.alerts as { code: string; message: string }[];
      return list.find((a) => a.code === "VENUE_CONFIG_INVALID");
    });
    expect(alerts.message).toMatch(/venue BAD-FIX is disabled: its row is invalid .*port/);
    const r = await submit({}, 1);
    await settled(r.order.orderId, ["Accepted", "Filled", "PartiallyFilled"]);
  });

  it("is corrected through the API without a restart: the alert clears and the venue runs", async () => {
    const res = await h.api("/v1/admin/venues", {
      body: {
        actor: ADMIN,
        reason: "replace the hand-typed FIX row with a simulator",
        venue: { id: "BAD-FIX", name: "Now a simulator", kind: "sim", config: { latencyMs: 0, feeBps: 9 }, enabled: true },
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.venue).toMatchObject({ id: "BAD-FIX", state: "running", reason: null });
    await until(() => (engine().venues.get("BAD-FIX")?.isHealthy() ? true : undefined));
    await until(async () => {
      const list = (await h.api("/v1/alerts?state=unresolved")).json.alerts as { code: string }[];
      return list.some((a) => a.code === "VENUE_CONFIG_INVALID") ? undefined : true;
    });
  });
});

describe("venues administered at runtime", () => {
  it("refuses a bad venue with a clear error and changes nothing", async () => {
    const before = (await changes()).length;
    const bad = await h.api("/v1/admin/venues", {
      body: {
        actor: ADMIN,
        reason: "add the ordermatch FIX venue",
        venue: {
          id: "QF-OM",
          name: "ordermatch",
          kind: "fix",
          config: { host: "127.0.0.1", port: "5442", beginString: "FIX.4.2", senderCompId: "A", targetCompId: "B" },
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/venue\.config\.port: .*number/);
    const short = await h.api("/v1/admin/venues", {
      body: { actor: ADMIN, reason: "because", venue: { id: "SIM-X", name: "x", kind: "sim", config: {} } },
    });
    expect(short.status).toBe(400);
    expect(short.json.error.message).toMatch(/reason must say why, in at least 10 characters/);
    const typo = await h.api("/v1/admin/venues", {
      body: { actor: ADMIN, reason: "a typo in a setting name", venue: { id: "SIM-X", name: "x", kind: "sim", config: { fesBps: 1 } } },
    });
    expect(typo.status).toBe(400);
    expect(typo.json.error.message).toMatch(/fesBps/);
    expect((await h.api("/v1/admin/venues", { body: { reason: "no actor given here" } })).status).toBe(400);
    expect((await h.api("/v1/admin/reference", { token: null })).status).toBe(401);
    expect((await changes()).length).toBe(before);
    expect((await h.pool.query("SELECT id FROM venue WHERE id IN ('QF-OM', 'SIM-X')")).rowCount).toBe(0);
    expect(engine().venues.has("QF-OM")).toBe(false);
  });

  it("adds a venue without a fee schedule: connected at once, never sent undirected flow while others have a known cost", async () => {
    const res = await h.api("/v1/admin/venues", {
      body: {
        actor: ADMIN,
        reason: "new simulator for the drain test",
        venue: { id: "SIM-NEW", name: "New simulator", kind: "sim", config: { latencyMs: 0, partialFillRate: 0 } },
      },
    });
    expect(res.status).toBe(200);
    await until(() => (engine().venues.get("SIM-NEW")?.isHealthy() ? true : undefined));
    const undirected = await Promise.all([10, 11, 12, 13, 14, 15].map((n) => submit({}, n)));
    for (const r of undirected) expect(r.order.venueId).not.toBe("SIM-NEW");
    const directed = await submit({ venueId: "SIM-NEW" }, 16);
    expect(directed.order.venueId).toBe("SIM-NEW");
    const [change] = (await changes()).filter((c) => c.payload.data.id === "SIM-NEW");
    expect(change).toMatchObject({
      actor: ADMIN,
      payload: { data: { entity: "venue", old: null, reason: "new simulator for the drain test" } },
    });
    expect((await h.pool.query("SELECT kind, enabled FROM venue WHERE id = 'SIM-NEW'")).rows).toEqual([{ kind: "sim", enabled: true }]);
  });

  it("disables a venue: it drains (cancel still works), new orders, even directed, go nowhere near it", async () => {
    // Far below the market: rests at the venue.
    const resting = await submit({ venueId: "SIM-NEW", price: "160.00" }, 20);
    const working = await settled(resting.order.orderId, ["Accepted"]);
    const off = await h.api("/v1/admin/venues/SIM-NEW/enabled", {
      body: { actor: ADMIN, enabled: false, reason: "maintenance at the venue" },
    });
    expect(off.status).toBe(200);
    expect(off.json.venue.workingOrders).toBeGreaterThanOrEqual(1);
    expect(off.json.venue).toMatchObject({ state: "draining", reason: `disabled by ${ADMIN}: maintenance at the venue` });
    const refused = await submit({ venueId: "SIM-NEW" }, 21);
    expect(refused.order.ordStatus).toBe("Rejected");
    expect(refused.order.rejectReason).toMatch(/directed to SIM-NEW, which is closed to new orders \(disabled by .*maintenance/);
    const cancelled: Order = await engine().orders.cancel(working.orderId, "user:trader");
    expect(["PendingCancel", "Cancelled"]).toContain(cancelled.ordStatus);
    await settled(working.orderId, ["Cancelled"]);
    const on = await h.api("/v1/admin/venues/SIM-NEW/enabled", { body: { actor: ADMIN, enabled: true, reason: "maintenance is over" } });
    expect(on.json.venue.state).toBe("running");
    expect((await submit({ venueId: "SIM-NEW" }, 22)).order.venueId).toBe("SIM-NEW");
    expect(
      (await h.api("/v1/admin/venues/NOPE/enabled", { body: { actor: ADMIN, enabled: false, reason: "no such venue here" } })).status,
    ).toBe(404);
  });
});

describe("instruments and accounts administered at runtime", () => {
  it("a new instrument is tradable at once; the price collar measures against its reference price", async () => {
    const bad = await h.api("/v1/admin/instruments", {
      body: {
        actor: ADMIN,
        reason: "list ACME for the demo",
        instrument: { symbol: "ACME", name: "Acme", tickSize: "-0.01", lotSize: "1", refPrice: "10" },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/tickSize must be a positive decimal/);
    expect(engine().feed.quote("ACME")).toBeUndefined();

    const ok = await h.api("/v1/admin/instruments", {
      body: {
        actor: ADMIN,
        reason: "list ACME for the demo",
        instrument: { symbol: "ACME", name: "Acme Corp.", tickSize: "0.01", lotSize: "1", refPrice: "10.00" },
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.instrument).toMatchObject({ symbol: "ACME", currency: "USD", tradable: true, tradingHours: null });
    const filled = await submit({ symbol: "ACME", price: "10.00" }, 30);
    expect(filled.order.ordStatus).not.toBe("Rejected");
    const collared = await submit({ symbol: "ACME", price: "15.00" }, 31);
    expect(collared.order.ordStatus).toBe("Rejected");
    expect(collared.order.rejectReason).toMatch(/collar/i);
    expect((await h.pool.query("SELECT ref_price::text FROM instrument WHERE symbol = 'ACME'")).rows).toEqual([{ ref_price: "10.00" }]);
  });

  it("a new account may trade at once; a bad one is refused", async () => {
    expect((await submit({ accountId: "ACC-NEW" }, 40)).order.ordStatus).toBe("Rejected");
    const bad = await h.api("/v1/admin/accounts", {
      body: { actor: ADMIN, reason: "open the new fund", account: { id: "acc new", name: "" } },
    });
    expect(bad.status).toBe(400);
    const ok = await h.api("/v1/admin/accounts", {
      body: { actor: ADMIN, reason: "open the new fund", account: { id: "ACC-NEW", name: "New Fund" } },
    });
    expect(ok.status).toBe(200);
    expect((await submit({ accountId: "ACC-NEW" }, 41)).order.ordStatus).not.toBe("Rejected");
    expect((await reference()).accounts).toContainEqual({ id: "ACC-NEW", name: "New Fund" });
    const last = (await changes()).at(-1);
    expect(last).toMatchObject({ actor: ADMIN, payload: { data: { entity: "account", id: "ACC-NEW", reason: "open the new fund" } } });
  });
});

describe("after a restart", () => {
  it("the changes are in the rows: the engine starts with them, and replays the journal with their events", async () => {
    await engine().stop();
    const again = await h.start();
    expect(again.venues.has("SIM-NEW")).toBe(true);
    expect(again.venues.has("BAD-FIX")).toBe(true);
    expect(again.feed.quote("ACME")).toBeDefined();
    expect((await submit({ accountId: "ACC-NEW", symbol: "ACME", price: "10.00" }, 50)).order.ordStatus).not.toBe("Rejected");
    expect((await changes()).length).toBeGreaterThanOrEqual(5);
  });
});
