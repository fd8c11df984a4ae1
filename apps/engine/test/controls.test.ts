import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "./harness";

// The kill switch against a real engine (Postgres journal, simulated venues), through its internal
// API, as docs/OPERATIONS.md "Emergency procedures" describes: trip, verify, reset.

let h: Harness;
const RISK = "user:risk@fillmore.test";

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  // Resting test orders sit far from the market, beyond the default 10% price collar.
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
}, 60_000);
afterAll(async () => h?.close());

let n = 0;
async function submit(overrides: Record<string, unknown> = {}): Promise<Order> {
  n += 1;
  const res = await h.api("/v1/orders", {
    body: {
      actor: "user:trader@fillmore.test",
      order: {
        clOrdId: `c-${n}`,
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
const trip = (body: Record<string, unknown>, actor = RISK) => h.api("/v1/controls/trip", { body: { actor, ...body } });
const reset = (scope: string, actor = RISK) => h.api("/v1/controls/reset", { body: { actor, scope, reason: "incident over, checked" } });
const position = (accountId: string, symbol: string) => h.engine?.positions.position(accountId, symbol).qty ?? "?";

describe("kill switch: global halt with cancelOpenOrders", () => {
  it("cancels every working order at the venues, refuses new orders naming scope/who/when/why, journals trip and outcome, resets", async () => {
    const resting = [await submit(), await submit({ accountId: "ACC-BETA" }), await submit({ symbol: "MSFT", price: "10.00" })];
    for (const o of resting) await reaches(o.orderId, "Accepted");

    const tripped = await trip({
      scope: "global",
      actions: ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"],
      reason: "runaway algo test",
    });
    expect(tripped.status, JSON.stringify(tripped.json)).toBe(200);
    expect(tripped.json.state).toMatchObject({
      scope: "global",
      state: "HALTED",
      setBy: RISK,
      reason: "runaway algo test",
      allowReducing: true,
    });
    expect(tripped.json.outcome.ordersCancelled).toBeGreaterThanOrEqual(3);
    expect(tripped.json.outcome.cancelFailures).toEqual([]);
    for (const o of resting) await reaches(o.orderId, "Cancelled");
    // The cancels went out under the kill switch's own actor.
    const { rows: cancels } = await h.pool.query("SELECT actor FROM journal WHERE type = 'OrderPendingCancel' AND order_id = $1", [
      resting[0]?.orderId,
    ]);
    expect(cancels.map((r) => r.actor)).toEqual([`controls:${RISK}`]);

    const refused = await submit({ accountId: "ACC-GAMMA" });
    expect(refused.ordStatus).toBe("Rejected");
    expect(refused.rejectReason).toMatch(
      /^TRADING_HALTED: trading is HALTED for global by user:risk@fillmore\.test at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z: reason "runaway algo test"/,
    );

    const state = await h.api("/v1/controls/state");
    expect(state.json.states).toEqual([expect.objectContaining({ scope: "global", state: "HALTED", setBy: RISK })]);
    const types = (state.json.history as { type: string }[]).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["KillSwitchOutcome", "KillSwitchTripped", "TradingStateChanged"]);
    const { rows: alerts } = await h.pool.query(
      "SELECT payload FROM journal WHERE type = 'AlertRaised' AND payload->'data'->>'code' = 'KILL_SWITCH'",
    );
    expect(alerts).toHaveLength(1);

    const done = await reset("global");
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json.pending).toBe(false);
    expect((await h.api("/v1/controls/state")).json.states).toEqual([]);
    expect((await submit()).ordStatus).not.toBe("Rejected");
  });

  it("refuses a reason under 10 characters and an unknown scope, changing nothing", async () => {
    const short = await trip({ scope: "global", actions: ["haltNewOrders"], reason: "oops" });
    expect(short.status).toBe(400);
    expect(short.json.error.message).toMatch(/at least 10 characters/);
    const bad = await trip({ scope: "planet:earth", actions: ["haltNewOrders"], reason: "long enough reason" });
    expect(bad.status).toBe(400);
    const venue = await trip({ scope: "venue:NOPE", actions: ["haltNewOrders"], reason: "long enough reason" });
    expect(venue.json.error).toMatchObject({ code: "INVALID_INPUT", details: { rule: "UNKNOWN_VENUE" } });
    expect((await h.api("/v1/controls/state")).json.states).toEqual([]);
    expect((await reset("global")).status).toBe(404);
  });
});

describe("kill switch: positions", () => {
  it("an account halt lets orders that reduce through, refuses the rest; closeAllPositions flattens to zero", async () => {
    const buy = await submit({ accountId: "ACC-GAMMA", ordType: "Market", price: undefined, orderQty: "30" });
    await reaches(buy.orderId, "Filled");
    await until(() => (position("ACC-GAMMA", "AAPL") === "30" ? true : undefined));

    const preview = await h.api(`/v1/controls/preview?scope=${encodeURIComponent("account:ACC-GAMMA")}`);
    expect(preview.json.accounts).toEqual([
      expect.objectContaining({ accountId: "ACC-GAMMA", positions: [{ symbol: "AAPL", qty: "30" }] }),
    ]);

    expect((await trip({ scope: "account:ACC-GAMMA", actions: ["haltNewOrders"], reason: "desk review now" })).status).toBe(200);
    const more = await submit({ accountId: "ACC-GAMMA", ordType: "Market", price: undefined, orderQty: "1" });
    expect(more.rejectReason).toMatch(
      /HALTED for account:ACC-GAMMA by user:risk@fillmore\.test .*only orders that reduce the position pass/,
    );
    const reduce = await submit({ accountId: "ACC-GAMMA", side: "Sell", ordType: "Market", price: undefined, orderQty: "5" });
    expect(reduce.ordStatus).not.toBe("Rejected");
    await reaches(reduce.orderId, "Filled");
    // Other accounts trade on.
    expect((await submit({ accountId: "ACC-BETA" })).ordStatus).not.toBe("Rejected");

    const flat = await trip({ scope: "account:ACC-GAMMA", actions: ["haltNewOrders", "closeAllPositions"], reason: "flatten the desk" });
    expect(flat.status, JSON.stringify(flat.json)).toBe(200);
    expect(flat.json.outcome.flattenFailures).toEqual([]);
    expect(flat.json.outcome.positionsFlattened).toEqual([expect.objectContaining({ accountId: "ACC-GAMMA", symbol: "AAPL", from: "25" })]);
    expect(position("ACC-GAMMA", "AAPL")).toBe("0");
    const { rows } = await h.pool.query("SELECT payload FROM journal WHERE type = 'KillSwitchFlattenAttempt' ORDER BY seq");
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0]?.payload).toMatchObject({
      actor: `controls:${RISK}`,
      data: { accountId: "ACC-GAMMA", symbol: "AAPL", attempt: 1, qty: "25" },
    });
    expect((await reset("account:ACC-GAMMA")).status).toBe(200);
  });

  it("refuses closeAllPositions for a strategy or venue scope, and without allowReducing", async () => {
    const strategy = await trip({ scope: "strategy:S1", actions: ["closeAllPositions"], reason: "long enough reason" });
    expect(strategy.json.error.details.rule).toBe("FLATTEN_UNSUPPORTED");
    const strict = await trip({
      scope: "account:ACC-ALPHA",
      actions: ["closeAllPositions"],
      allowReducing: false,
      reason: "long enough reason",
    });
    expect(strict.json.error.details.rule).toBe("FLATTEN_NEEDS_REDUCING");
  });
});

describe("kill switch: strategy and venue scopes", () => {
  it("a strategy halt stops that strategy only, and cancels its working orders", async () => {
    const mine = await submit({ strategy: "momo" });
    const other = await submit({ strategy: "carry" });
    await reaches(mine.orderId, "Accepted");
    await reaches(other.orderId, "Accepted");
    const res = await trip({ scope: "strategy:momo", actions: ["haltNewOrders", "cancelOpenOrders"], reason: "momo misbehaves" });
    expect(res.json.outcome.ordersCancelled).toBe(1);
    await reaches(mine.orderId, "Cancelled");
    expect(status(other.orderId)).toBe("Accepted");
    expect((await submit({ strategy: "momo" })).rejectReason).toMatch(/HALTED for strategy:momo by/);
    expect((await submit({ strategy: "carry" })).ordStatus).not.toBe("Rejected");
    expect((await reset("strategy:momo")).status).toBe(200);
  });

  it("a venue halt: the router leaves the venue out, orders directed there are refused, its working orders are cancelled", async () => {
    const there = await submit({ venueId: "SIM-FAST" });
    await reaches(there.orderId, "Accepted");
    const res = await trip({ scope: "venue:SIM-FAST", actions: ["haltNewOrders", "cancelOpenOrders"], reason: "venue misbehaving" });
    expect(res.json.outcome.ordersCancelled).toBe(1);
    await reaches(there.orderId, "Cancelled");

    const directed = await submit({ venueId: "SIM-FAST" });
    expect(directed.rejectReason).toMatch(/^TRADING_HALTED: trading is HALTED for venue:SIM-FAST by /);
    for (let i = 0; i < 5; i++) {
      const routed = await submit();
      expect(routed.ordStatus).not.toBe("Rejected");
      expect(routed.venueId).not.toBe("SIM-FAST");
    }
    const { rows } = await h.pool.query("SELECT payload FROM journal WHERE type = 'RouteDecided' ORDER BY seq DESC LIMIT 1");
    expect(((rows[0]?.payload.data.considered ?? []) as { venueId: string }[]).map((c) => c.venueId)).not.toContain("SIM-FAST");
    expect((await reset("venue:SIM-FAST")).status).toBe(200);
    expect((await submit({ venueId: "SIM-FAST" })).ordStatus).not.toBe("Rejected");
  });

  it("a venue halt cancels every working order there, more than the per-principal cancel throttle lets through in the retry window (burst 200 + 100/s × 2 s)", async () => {
    const engine = h.engine;
    if (!engine) throw new Error("no engine");
    await engine.risk.setLimits(
      { scope: "default", limits: { priceCollarPct: "99.5", maxOpenOrders: 5000, ordersPerSecond: 100_000, orderBurst: 100_000 } },
      "user:test",
    );
    const placed = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        engine.orders.submit(
          {
            clOrdId: `burst-${i}`,
            accountId: "ACC-BETA",
            symbol: "AAPL",
            side: "Buy",
            ordType: "Limit",
            orderQty: "1",
            price: "1.00",
            timeInForce: "GTC",
            venueId: "SIM-DEEP",
          },
          "user:trader@fillmore.test",
        ),
      ),
    );
    for (const { order } of placed) await reaches(order.orderId, "Accepted");
    const res = await trip({ scope: "venue:SIM-DEEP", actions: ["haltNewOrders", "cancelOpenOrders"], reason: "venue sends garbage" });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.outcome.cancelFailures).toEqual([]);
    expect(res.json.outcome.ordersCancelled).toBeGreaterThanOrEqual(500);
    for (const { order } of placed) await reaches(order.orderId, "Cancelled");
    expect((await reset("venue:SIM-DEEP")).status).toBe(200);
  });

  it("the most restrictive covering scope wins: REDUCING on a symbol under an account-and-symbol HALTED", async () => {
    await h.engine?.risk.setTradingState({ scope: "symbol:AAPL", state: "REDUCING", reason: "symbol news" }, RISK);
    await h.engine?.risk.setTradingState({ scope: "account:ACC-BETA/symbol:AAPL", state: "HALTED", reason: "beta aapl halted" }, RISK);
    expect((await submit({ accountId: "ACC-BETA" })).rejectReason).toMatch(/HALTED for account:ACC-BETA\/symbol:AAPL by/);
    expect((await submit({ accountId: "ACC-ALPHA" })).rejectReason).toMatch(/^TRADING_REDUCING: trading is REDUCING for symbol:AAPL by/);
    expect((await submit({ accountId: "ACC-BETA", symbol: "MSFT", price: "10.00" })).ordStatus).not.toBe("Rejected");
    await h.engine?.risk.setTradingState({ scope: "symbol:AAPL", state: "ACTIVE", reason: "over" }, RISK);
    await h.engine?.risk.setTradingState({ scope: "account:ACC-BETA/symbol:AAPL", state: "ACTIVE", reason: "over" }, RISK);
  });

  it("trading states and who set them survive a restart", async () => {
    await trip({ scope: "account:ACC-BETA/strategy:x1", actions: ["haltNewOrders"], reason: "before the restart" });
    await h.engine?.stop();
    const engine = await h.start();
    expect(engine.risk.tradingStates()).toEqual([
      expect.objectContaining({ scope: "account:ACC-BETA/strategy:x1", state: "HALTED", setBy: RISK, reason: "before the restart" }),
    ]);
    expect((await submit({ accountId: "ACC-BETA", strategy: "x1" })).rejectReason).toMatch(/HALTED for account:ACC-BETA\/strategy:x1/);
    expect((await reset("account:ACC-BETA/strategy:x1")).status).toBe(200);
  });
});
