import { money, type Order, type OrdStatus, type SubmitOrderInput, submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEngine } from "../src/engine";
import { CommandError } from "../src/orders/errors";
import { createHarness, type Harness, until } from "./harness";

// Liquidity split: the router sends child orders to several venues in proportion to the depth each
// displays (seeded: SIM-DEEP 2000, SIM-CHEAP 700, SIM-FAST 300), and the client's order follows them.

let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await createHarness();
  await h.pool.query(`UPDATE venue SET config = config || '{"rejectRate":0}'`);
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
});
afterAll(async () => h?.close());

const engine = (): RunningEngine => {
  if (!h.engine) throw new Error("engine not started");
  return h.engine;
};
const current = (orderId: string): Order => {
  const o = engine().orders.get(orderId);
  if (!o) throw new Error(`no order ${orderId}`);
  return o;
};
/** Waits for a status; stepping the feed, as the simulators fill the rest of a partly filled order when prices move. */
const reaches = (orderId: string, status: OrdStatus, step = false) =>
  until(() => {
    if (step) engine().feed.step();
    return current(orderId).ordStatus === status ? current(orderId) : undefined;
  }, 5000);
const childrenOf = (parentId: string) =>
  engine()
    .orders.all()
    .filter((o) => o.parentId === parentId);

async function submitSplit(input: Partial<SubmitOrderInput>): Promise<Order> {
  n += 1;
  const order = submitOrderInput.parse({
    clOrdId: `split-${n}`,
    accountId: "ACC-BETA",
    symbol: "MSFT",
    side: "Buy",
    ordType: "Limit",
    orderQty: "1000",
    timeInForce: "GTC",
    routing: "liquiditySplit",
    ...input,
  });
  return (await engine().orders.submit(order, "user:test")).order;
}

const price = (symbol: string, marketable: boolean) => {
  const q = engine().feed.quote(symbol);
  if (!q) throw new Error("no quote");
  return (Number(q.ask) * (marketable ? 1.02 : 0.5)).toFixed(2);
};

describe("liquidity split", () => {
  it("sends one child per venue by displayed depth, fills the parent from them exactly, and counts the position once", async () => {
    const before = engine().positions.position("ACC-BETA", "MSFT").qty;
    const parent = await submitSplit({ price: price("MSFT", true) });
    const children = childrenOf(parent.orderId);
    expect(children.map((c) => [c.requestedVenueId, c.orderQty, c.clOrdId])).toEqual([
      ["SIM-DEEP", "667", `${parent.clOrdId}#1`],
      ["SIM-CHEAP", "233", `${parent.clOrdId}#2`],
      ["SIM-FAST", "100", `${parent.clOrdId}#3`],
    ]);
    const filled = await reaches(parent.orderId, "Filled", true);
    const done = childrenOf(parent.orderId);
    for (const c of done) expect(c.ordStatus).toBe("Filled");
    const notional = done.reduce((s, c) => money.add(s, c.notional), "0");
    expect(filled).toMatchObject({ cumQty: "1000", leavesQty: "0", notional, venueId: null });
    expect(filled.avgPx).toBe(money.div(notional, "1000", 8));
    expect(engine().positions.position("ACC-BETA", "MSFT").qty).toBe(money.add(before, "1000"));

    const { json } = await h.api(`/v1/orders/${parent.orderId}`);
    const events = (json as { events: { type: string; data: Record<string, unknown> }[] }).events;
    const routed = events.find((e) => e.type === "RouteDecided");
    expect(routed?.data).toMatchObject({ policy: "liquiditySplit", venueId: null, legs: expect.any(Array) });
    expect(events.filter((e) => e.type === "OrderPartiallyFilled" || e.type === "OrderFilled").every((e) => e.data.childOrderId)).toBe(
      true,
    );
  });

  it("cancelling the parent cancels every child; neither the parent nor a child can be modified", async () => {
    const parent = await submitSplit({ price: price("MSFT", false), orderQty: "300" });
    await until(() => (childrenOf(parent.orderId).every((c) => c.ordStatus === "Accepted") ? true : undefined));
    const [child] = childrenOf(parent.orderId);
    if (!child) throw new Error("no child");
    await expect(engine().orders.modify({ orderId: parent.orderId, orderQty: "400" }, "user:test")).rejects.toMatchObject({
      code: "NOT_SUPPORTED",
    });
    await expect(engine().orders.modify({ orderId: child.orderId, orderQty: "50" }, "user:test")).rejects.toBeInstanceOf(CommandError);

    await engine().orders.cancel(parent.orderId, "user:test");
    const cancelled = await reaches(parent.orderId, "Cancelled");
    expect(cancelled.rejectReason).toBeNull();
    for (const c of childrenOf(parent.orderId)) expect(c.ordStatus).toBe("Cancelled");
  });

  it("cancel-all cancels split parents through their children, and a restart rebuilds parents and children exactly", async () => {
    const parent = await submitSplit({ price: price("MSFT", false), orderQty: "200", accountId: "ACC-GAMMA" });
    await until(() => (childrenOf(parent.orderId).every((c) => c.ordStatus === "Accepted") ? true : undefined));
    const result = await engine().orders.cancelAll({ accountId: "ACC-GAMMA", symbol: "MSFT" }, "user:test");
    expect(result.requested).toBe(1);
    await reaches(parent.orderId, "Cancelled");

    const live = new Map(
      engine()
        .orders.all()
        .map((o) => [o.orderId, o]),
    );
    await engine().stop();
    await h.start();
    for (const [id, o] of live) expect(engine().orders.get(id), id).toEqual(o);
  });
});
