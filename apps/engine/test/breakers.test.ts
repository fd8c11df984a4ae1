import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "./harness";

// Circuit breakers and dead-man's switches against a real engine (Postgres journal, simulated
// venues), through the internal API: configure, breach, verify the halt, the journal and the alert.

let h: Harness;
const RISK = "user:risk@fillmore.test";

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
}, 60_000);
afterAll(async () => h?.close());

let n = 0;
async function submit(overrides: Record<string, unknown> = {}, actor = "user:trader@fillmore.test"): Promise<Order> {
  n += 1;
  const res = await h.api("/v1/orders", {
    body: {
      actor,
      order: {
        clOrdId: `bk-${n}`,
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Limit",
        orderQty: "10",
        price: "1.00",
        ...overrides,
      },
    },
  });
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  return res.json.order as Order;
}
const status = (orderId: string) => h.engine?.orders.get(orderId)?.ordStatus;
const reaches = (orderId: string, want: string, ms = 5000) => until(() => (status(orderId) === want ? true : undefined), ms);
const put = (path: string, body: Record<string, unknown>) => h.api(path, { method: "PUT", body: { actor: RISK, ...body } });
const journal = async (type: string) => {
  await h.engine?.journal.durable(); // applied is not yet committed: wait for the group commit
  return (await h.pool.query("SELECT payload FROM journal WHERE type = $1 ORDER BY seq", [type])).rows.map((r) => r.payload);
};

describe("circuit breaker: dailyLoss", () => {
  it("validates configs: unknown condition, market condition on an account, closeAllPositions on a strategy", async () => {
    expect(
      (
        await put("/v1/controls/breakers/bad", {
          condition: "moonPhase",
          scope: "global",
          enabled: true,
          threshold: 1,
          actions: ["haltNewOrders"],
        })
      ).status,
    ).toBe(400);
    const market = await put("/v1/controls/breakers/bad", {
      condition: "priceGap",
      scope: "account:ACC-ALPHA",
      enabled: true,
      threshold: 5,
      actions: ["haltNewOrders"],
    });
    expect(market.status).toBe(400);
    expect(market.json.error.message).toMatch(/per symbol/);
    const flatten = await put("/v1/controls/breakers/bad", {
      condition: "dailyLoss",
      scope: "strategy:S1",
      enabled: true,
      threshold: 5,
      actions: ["closeAllPositions"],
    });
    expect(flatten.json.error.message).toMatch(/closeAllPositions needs an account or symbol scope/);
    expect((await h.api("/v1/controls/breakers")).json.breakers).toEqual([]);
  });

  it("a fill that breaches the daily loss halts the account at once: orders refused naming the breaker, BreakerTripped journaled with the values, alert raised", async () => {
    const set = await put("/v1/controls/breakers/beta-daily-loss", {
      condition: "dailyLoss",
      scope: "account:ACC-BETA",
      enabled: true,
      threshold: 5,
      confirmations: 1,
      hysteresis: 0.2,
      actions: ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"],
    });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json.breaker).toMatchObject({ name: "beta-daily-loss", status: "armed", setBy: RISK });
    expect((await journal("BreakerConfigChanged")).at(-1)).toMatchObject({ actor: RISK, data: { name: "beta-daily-loss", old: null } });

    // A resting order that the trip's cancelOpenOrders must cancel.
    const resting = await submit({ accountId: "ACC-BETA", symbol: "MSFT", price: "10.00" });
    await reaches(resting.orderId, "Accepted");
    // Below the threshold: a small buy loses a few cents (half the spread): nothing fires.
    const small = await submit({ accountId: "ACC-BETA", ordType: "Market", price: undefined, orderQty: "1" });
    await reaches(small.orderId, "Filled");
    await new Promise((r) => setTimeout(r, 50));
    expect(h.engine?.risk.stateOf("account:ACC-BETA")).toBeNull();

    // 2,000 shares bought at the ask, marked at the mid: a loss of half the spread × 2,000 > 5 USD.
    const big = await submit({ accountId: "ACC-BETA", ordType: "Market", price: undefined, orderQty: "2000" });
    await reaches(big.orderId, "Filled");
    const state = await until(() => h.engine?.risk.stateOf("account:ACC-BETA") ?? undefined, 2000);
    expect(state).toMatchObject({ state: "HALTED", setBy: "breaker:beta-daily-loss" });
    expect(state.reason).toMatch(/^dailyLoss breached: value \d+(\.\d+)? > threshold 5 /);

    const refused = await submit({ accountId: "ACC-BETA", ordType: "Market", price: undefined, orderQty: "1" });
    expect(refused.ordStatus).toBe("Rejected");
    expect(refused.rejectReason).toMatch(/HALTED for account:ACC-BETA by breaker:beta-daily-loss .*dailyLoss breached: value/);
    // Other accounts trade on.
    expect((await submit({ accountId: "ACC-ALPHA" })).ordStatus).not.toBe("Rejected");
    await reaches(resting.orderId, "Cancelled");

    const tripped = await until(async () => (await journal("BreakerTripped"))[0]);
    expect(tripped).toMatchObject({
      actor: "breaker:beta-daily-loss",
      data: { breaker: "beta-daily-loss", condition: "dailyLoss", threshold: 5, readings: 1, scope: "account:ACC-BETA" },
    });
    expect(tripped.data.value).toBeGreaterThan(5);
    expect(tripped.data.actions).toEqual(["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"]);
    const alerts = await until(async () => {
      const rows = (await journal("AlertRaised")).filter((a) => a.data.code === "BREAKER_TRIPPED");
      return rows.length > 0 ? rows : undefined;
    });
    expect(alerts[0].data.message).toMatch(/breaker beta-daily-loss tripped account:ACC-BETA/);
    const ks = await journal("KillSwitchTripped");
    expect(ks.at(-1)).toMatchObject({ actor: "breaker:beta-daily-loss", data: { scope: "account:ACC-BETA" } });

    const listed = (await h.api("/v1/controls/breakers")).json.breakers;
    expect(listed[0]).toMatchObject({
      name: "beta-daily-loss",
      status: "tripped",
      lastTrip: { condition: "dailyLoss", threshold: 5, scope: "account:ACC-BETA", readings: 1 },
    });
    expect(listed[0].states[0].reading.value).toBeGreaterThan(5);

    // Disabling it and resetting the halt: trading resumes.
    expect((await put("/v1/controls/breakers/beta-daily-loss", { ...set.json.breaker.config, enabled: false })).json.breaker.status).toBe(
      "disabled",
    );
    expect(
      (await h.api("/v1/controls/reset", { body: { actor: RISK, scope: "account:ACC-BETA", reason: "loss reviewed, ok" } })).status,
    ).toBe(200);
    expect((await submit({ accountId: "ACC-BETA" })).ordStatus).not.toBe("Rejected");
  });
});

describe("dead-man's switch", () => {
  it("a strategy whose heartbeat stops has its orders cancelled and its scope halted", async () => {
    const set = await put(`/v1/controls/deadman/${encodeURIComponent("strategy:DM-1")}`, { enabled: true, timeoutMs: 300 });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json.switch).toMatchObject({ id: "strategy:DM-1", status: "waiting", scope: "strategy:DM-1" });
    const resting = await submit({ accountId: "ACC-GAMMA", strategy: "DM-1" });
    await reaches(resting.orderId, "Accepted");
    const other = await submit({ accountId: "ACC-GAMMA", strategy: "OTHER" });
    await reaches(other.orderId, "Accepted");

    for (let i = 0; i < 4; i++) {
      const beat = await h.api(`/v1/controls/deadman/${encodeURIComponent("strategy:DM-1")}/heartbeat`, { body: { actor: "key:k-dm" } });
      expect(beat.json.status).toBe("alive");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status(resting.orderId)).toBe("Accepted");
    // The heartbeat stops.
    await reaches(resting.orderId, "Cancelled", 3000);
    expect(h.engine?.risk.stateOf("strategy:DM-1")).toMatchObject({ state: "HALTED", setBy: "deadman:strategy:DM-1" });
    expect(status(other.orderId)).toBe("Accepted");
    const refused = await submit({ accountId: "ACC-GAMMA", strategy: "DM-1" });
    expect(refused.rejectReason).toMatch(/HALTED for strategy:DM-1 by deadman:strategy:DM-1 .*no heartbeat/);
    const fired = await until(async () => (await journal("DeadmanFired"))[0]);
    expect(fired).toMatchObject({ data: { id: "strategy:DM-1", timeoutMs: 300, scope: "strategy:DM-1" } });
    const list = (await h.api("/v1/controls/deadman")).json.switches;
    expect(list[0]).toMatchObject({ id: "strategy:DM-1", status: "fired" });
  });

  it("an API key whose heartbeat stops has the orders it sent cancelled and its configured scope halted", async () => {
    const id = encodeURIComponent("key:k-bot");
    expect((await put(`/v1/controls/deadman/${id}`, { enabled: true, timeoutMs: 300 })).json.error.message).toMatch(/needs the scope/);
    expect((await put(`/v1/controls/deadman/${id}`, { enabled: true, timeoutMs: 300, scope: "account:ACC-GAMMA" })).status).toBe(200);
    const mine = await submit({ accountId: "ACC-ALPHA", symbol: "MSFT", price: "10.00" }, "key:k-bot");
    const theirs = await submit({ accountId: "ACC-ALPHA", symbol: "MSFT", price: "10.00" });
    await reaches(mine.orderId, "Accepted");
    await reaches(theirs.orderId, "Accepted");
    await h.api(`/v1/controls/deadman/${id}/heartbeat`, { body: { actor: "key:k-bot" } });
    await reaches(mine.orderId, "Cancelled", 3000);
    await until(async () => (await journal("DeadmanFired")).find((e) => e.data.id === "key:k-bot"));
    expect(h.engine?.risk.stateOf("account:ACC-GAMMA")).toMatchObject({ state: "HALTED", setBy: "deadman:key:k-bot" });
    expect(status(theirs.orderId)).toBe("Accepted");
  });
});

describe("after a restart", () => {
  it("replay restores breaker configs and last trips, and dead-man configs (waiting for their first heartbeat)", async () => {
    await h.engine?.stop();
    await h.start();
    const breakers = (await h.api("/v1/controls/breakers")).json.breakers;
    expect(breakers).toEqual([
      expect.objectContaining({
        name: "beta-daily-loss",
        status: "disabled",
        setBy: RISK,
        config: expect.objectContaining({ condition: "dailyLoss", scope: "account:ACC-BETA", threshold: 5 }),
        lastTrip: expect.objectContaining({ condition: "dailyLoss", threshold: 5, readings: 1, scope: "account:ACC-BETA" }),
      }),
    ]);
    const switches = (await h.api("/v1/controls/deadman")).json.switches;
    expect(switches.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ["key:k-bot", "waiting"],
      ["strategy:DM-1", "waiting"],
    ]);
    expect(switches[1].lastFired).toMatchObject({ silentMs: expect.any(Number) });
  });
});
