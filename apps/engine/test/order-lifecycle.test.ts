import { type AnyEvent, money, type Order, type OrdStatus, type SubmitOrderInput, submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEngine } from "../src/engine";
import { readJournal } from "../src/journal/read";
import { CommandError } from "../src/orders/errors";
import { createHarness, type Harness, until } from "./harness";

// Symbols are shared out so tests do not see each other's orders:
// AAPL modify, NVDA/TSLA cancelAll, MSFT stops, SPY expiry, EURUSD risk settings, ACC-GAMMA SPY positions.
// Resting orders are GTC unless a test is about expiry, so expireDue in one test leaves the others alone.

let h: Harness;
let clOrdSeq = 0;
/** Passed risk and went to a venue; it may have answered before the submit's own commit did. */
const SENT: readonly OrdStatus[] = ["Submitted", "Accepted", "PartiallyFilled", "Filled"];

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  // Resting test orders sit far from the market, beyond the default 10% price collar.
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
});
afterAll(async () => h?.close());

function engine(): RunningEngine {
  if (!h.engine) throw new Error("engine not started");
  return h.engine;
}

function quote(symbol: string) {
  const q = engine().feed.quote(symbol);
  if (!q) throw new Error(`no quote for ${symbol}`);
  return q;
}

async function submit(input: Partial<SubmitOrderInput>, actor = "user:test"): Promise<Order> {
  clOrdSeq += 1;
  const order = submitOrderInput.parse({
    clOrdId: `life-${clOrdSeq}`,
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "100",
    timeInForce: "GTC",
    ...input,
  });
  const { order: result, duplicate } = await engine().orders.submit(order, actor);
  expect(duplicate).toBe(false);
  return result;
}

const current = (orderId: string): Order => {
  const o = engine().orders.get(orderId);
  if (!o) throw new Error(`no order ${orderId}`);
  return o;
};

/** Waits until the order reaches a status, stepping the feed if asked (resting orders only fill when prices move). */
function reaches(orderId: string, status: OrdStatus, options: { step?: boolean } = {}): Promise<Order> {
  return until(() => {
    if (options.step) engine().feed.step();
    const o = current(orderId);
    return o.ordStatus === status ? o : undefined;
  });
}

/** Everything journaled so far, optionally for one order, as committed to the database. */
async function journaled(orderId?: string): Promise<AnyEvent[]> {
  await engine().journal.durable();
  const events: AnyEvent[] = [];
  for await (const stored of readJournal(h.pool)) if (orderId === undefined || stored.event.orderId === orderId) events.push(stored.event);
  return events;
}

/** The order's events, leaving out the router's decisions about it. */
const typesOf = async (orderId: string) => (await journaled(orderId)).map((e) => e.type).filter((type) => type !== "RouteDecided");

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

/** A resting buy limit far below the market (inside the widened collar), acknowledged by the venue. */
async function restingBuy(input: Partial<SubmitOrderInput> = {}): Promise<Order> {
  const symbol = input.symbol ?? "AAPL";
  const price = money.roundToStep(money.div(quote(symbol).bid, "2", 2), "0.01");
  const o = await submit({ price, ...input });
  return reaches(o.orderId, "Accepted");
}

describe("modify", () => {
  it("replaces a resting limit's quantity and price through PendingReplace and keeps it working", async () => {
    const o = await restingBuy({ orderQty: "100" });
    const price = money.add(o.price ?? "0", "0.5");
    const answered = await engine().orders.modify({ orderId: o.orderId, orderQty: "150", price }, "user:test");
    // The replace goes out while its journal entry commits, so a zero-latency venue may already have
    // answered by the time the caller is: either state is right, and the journal shows the path.
    if (answered.ordStatus === "PendingReplace") expect(answered.orderQty).toBe("100");
    else expect(answered).toMatchObject({ ordStatus: "Accepted", orderQty: "150" });

    const replaced = await reaches(o.orderId, "Accepted");
    expect(replaced).toMatchObject({ orderQty: "150", price, leavesQty: "150", cumQty: "0" });
    expect(await typesOf(o.orderId)).toEqual([
      "OrderReceived",
      "OrderValidated",
      "OrderSubmitted",
      "OrderAccepted",
      "OrderPendingReplace",
      "OrderReplaced",
    ]);
  });

  it("refuses to modify a filled order with NOT_MODIFIABLE and journals who asked", async () => {
    const o = await submit({ ordType: "Market", orderQty: "10" });
    await reaches(o.orderId, "Filled");
    const error = await commandError(engine().orders.modify({ orderId: o.orderId, orderQty: "20" }, "user:bob"));
    expect(error.code).toBe("NOT_MODIFIABLE");
    expect(error.message).toContain("Filled");
    expect(current(o.orderId)).toMatchObject({ ordStatus: "Filled", orderQty: "10" });

    const refused = (await journaled(o.orderId)).filter((e) => e.type === "CommandRefused");
    expect(refused).toEqual([
      expect.objectContaining({
        actor: "user:bob",
        orderId: o.orderId,
        data: expect.objectContaining({ command: "modify", code: "NOT_MODIFIABLE" }),
      }),
    ]);
  });

  it("refuses a modify that would breach MAX_ORDER_QTY and leaves the order as it was", async () => {
    const o = await restingBuy({ orderQty: "100" });
    const error = await commandError(engine().orders.modify({ orderId: o.orderId, orderQty: "200000" }, "user:test"));
    expect(error.code).toBe("RISK_REJECTED");
    expect(error.message).toMatch(/MAX_ORDER_QTY.*200000.*100000/);
    expect(current(o.orderId)).toEqual(o);
    expect((await typesOf(o.orderId)).at(-1)).toBe("CommandRefused");
  });

  it("fills an order modified to a price that crosses the market", async () => {
    const o = await restingBuy({ orderQty: "100" });
    const price = money.add(quote("AAPL").ask, "5");
    await engine().orders.modify({ orderId: o.orderId, price }, "user:test");
    const filled = await reaches(o.orderId, "Filled", { step: true });
    expect(filled).toMatchObject({ cumQty: "100", leavesQty: "0", price });
    expect(money.lte(filled.avgPx, price)).toBe(true);
  });
});

describe("cancelAll", () => {
  it("cancels only the matching working orders and reports what it could not cancel", async () => {
    const nvda1 = await restingBuy({ symbol: "NVDA", accountId: "ACC-GAMMA" });
    const nvda2 = await restingBuy({ symbol: "NVDA", accountId: "ACC-BETA" });
    const nvdaStop = await submit({
      symbol: "NVDA",
      accountId: "ACC-GAMMA",
      ordType: "Stop",
      stopPx: money.add(quote("NVDA").last, "50"),
    });
    expect(nvdaStop.ordStatus).toBe("Validated");
    const nvdaCancelling = await restingBuy({ symbol: "NVDA", accountId: "ACC-GAMMA" });
    const tsla = await restingBuy({ symbol: "TSLA", accountId: "ACC-GAMMA" });

    // Cancel-all in the same turn as the cancel: the venue cannot have answered, so it finds it PendingCancel.
    const cancelling = engine().orders.cancel(nvdaCancelling.orderId, "user:test");
    const result = await engine().orders.cancelAll({ symbol: "NVDA" }, "user:test");
    await cancelling;
    expect(result.requested).toBe(4);
    expect([...result.cancelled].sort()).toEqual([nvda1.orderId, nvda2.orderId, nvdaStop.orderId].sort());
    expect(result.skipped).toEqual([{ orderId: nvdaCancelling.orderId, reason: expect.stringContaining("PendingCancel") }]);

    for (const o of [nvda1, nvda2, nvdaStop, nvdaCancelling]) await reaches(o.orderId, "Cancelled");
    expect(current(tsla.orderId).ordStatus).toBe("Accepted");
    expect(
      engine()
        .orders.working()
        .filter((o) => o.symbol === "NVDA"),
    ).toEqual([]);
  });
});

describe("held stops", () => {
  it("routes a sell stop at once as a market order when the market is already at or below its stop", async () => {
    const last = quote("MSFT").last;
    const o = await submit({ symbol: "MSFT", side: "Sell", ordType: "Stop", stopPx: money.add(last, "1"), orderQty: "20" });
    const filled = await reaches(o.orderId, "Filled");
    expect(filled).toMatchObject({ cumQty: "20", ordType: "Stop" });
    expect(filled.venueId).not.toBeNull();
    const events = await journaled(o.orderId);
    expect(
      events
        .map((e) => e.type)
        .filter((t) => t.startsWith("Order"))
        .slice(0, 4),
    ).toEqual(["OrderReceived", "OrderValidated", "OrderSubmitted", "OrderAccepted"]);
    const submitted = events.find((e) => e.type === "OrderSubmitted");
    expect(submitted?.data).toMatchObject({ triggerPx: last });
  });

  it("holds a buy stop far above the market without sending it, and cancels it without any venue", async () => {
    const o = await submit({ symbol: "MSFT", ordType: "Stop", stopPx: money.add(quote("MSFT").last, "100") });
    expect(o.ordStatus).toBe("Validated");
    for (let i = 0; i < 5; i++) engine().feed.step();
    expect(current(o.orderId)).toMatchObject({ ordStatus: "Validated", venueId: null });

    const cancelled = await engine().orders.cancel(o.orderId, "user:test");
    expect(cancelled.ordStatus).toBe("Cancelled");
    expect(cancelled.venueId).toBeNull();
    expect(await typesOf(o.orderId)).toEqual(["OrderReceived", "OrderValidated", "OrderCancelled"]);
  });

  it("sets a sell trailing stop at the last price less the amount on submit", async () => {
    const last = quote("MSFT").last;
    const o = await submit({ symbol: "MSFT", side: "Sell", ordType: "TrailingStop", trailAmount: "25" });
    const expected = money.sub(last, "25");
    expect(o).toMatchObject({ ordStatus: "Validated", stopPx: expected });
    const moved = (await journaled(o.orderId)).filter((e) => e.type === "OrderStopMoved");
    expect(moved.map((e) => e.data)).toEqual([{ stopPx: expected, marketPx: last }]);
    await engine().orders.cancel(o.orderId, "user:test");
  });
});

describe("expiry", () => {
  it("expires a held GTD stop directly, without a venue", async () => {
    const o = await submit({
      symbol: "SPY",
      ordType: "Stop",
      stopPx: money.add(quote("SPY").last, "100"),
      timeInForce: "GTD",
      expireTime: new Date(Date.now() + 50).toISOString(),
    });
    expect(o.ordStatus).toBe("Validated");
    engine().orders.expireDue(Date.now() + 1000);
    const expired = await reaches(o.orderId, "Expired");
    expect(expired.venueId).toBeNull();
    expect(await typesOf(o.orderId)).toEqual(["OrderReceived", "OrderValidated", "OrderExpired"]);
  });

  it("expires a resting DAY limit through PendingCancel at the session end, as Expired not Cancelled", async () => {
    const o = await restingBuy({ symbol: "SPY", timeInForce: "DAY" });
    engine().orders.expireDue(Date.now() + 25 * 60 * 60 * 1000);
    expect(current(o.orderId).ordStatus).toBe("PendingCancel");
    await reaches(o.orderId, "Expired");
    const types = await typesOf(o.orderId);
    expect(types.slice(-2)).toEqual(["OrderPendingCancel", "OrderExpired"]);
    expect(types).not.toContain("OrderCancelled");
  });

  it("leaves a GTC order working however late it is", async () => {
    const o = await restingBuy({ symbol: "SPY", timeInForce: "GTC" });
    engine().orders.expireDue(Date.now() + 400 * 24 * 60 * 60 * 1000);
    expect(current(o.orderId).ordStatus).toBe("Accepted");
    await engine().orders.cancel(o.orderId, "user:test");
  });
});

describe("positions", () => {
  it("books the signed filled quantity", async () => {
    const sell = await submit({ accountId: "ACC-GAMMA", symbol: "SPY", side: "Sell", ordType: "Market", orderQty: "30" });
    await reaches(sell.orderId, "Filled");
    expect(engine().positions.position("ACC-GAMMA", "SPY").qty).toBe("-30");
    const buy = await submit({ accountId: "ACC-GAMMA", symbol: "SPY", side: "Buy", ordType: "Market", orderQty: "50" });
    await reaches(buy.orderId, "Filled");
    expect(engine().positions.position("ACC-GAMMA", "SPY")).toMatchObject({ qty: "20", boughtQty: "50", soldQty: "30" });
  });
});

describe("risk settings", () => {
  it("denies new orders while HALTED, journals who changed the state, and still cancels", async () => {
    const resting = await restingBuy({ symbol: "EURUSD", orderQty: "1000" });
    await engine().risk.setTradingState({ scope: "global", state: "HALTED", reason: "test" }, "user:risk");
    try {
      const denied = await submit({ symbol: "EURUSD", ordType: "Market", orderQty: "1000" });
      expect(denied.ordStatus).toBe("Rejected");
      expect(denied.rejectSource).toBe("RISK");
      expect(denied.rejectReason).toMatch(/^TRADING_HALTED: .*HALTED/);

      await engine().orders.cancel(resting.orderId, "user:test");
      await reaches(resting.orderId, "Cancelled");
    } finally {
      await engine().risk.setTradingState({ scope: "global", state: "ACTIVE", reason: "test over" }, "user:risk");
    }
    const events = await journaled();
    expect(events.filter((e) => e.type === "TradingStateChanged").slice(-2)).toEqual([
      expect.objectContaining({ actor: "user:risk", data: { scope: "global", old: "ACTIVE", new: "HALTED", reason: "test" } }),
      expect.objectContaining({ actor: "user:risk", data: { scope: "global", old: "HALTED", new: "ACTIVE", reason: "test over" } }),
    ]);
    const accepted = await submit({ symbol: "EURUSD", ordType: "Market", orderQty: "1000" });
    expect(SENT).toContain(accepted.ordStatus);
  });

  it("applies a per-account maxOrderQty only to that account and journals the old and new limits", async () => {
    await engine().risk.setLimits({ scope: "account:ACC-BETA", limits: { maxOrderQty: "5000" } }, "user:risk");
    await engine().risk.setLimits({ scope: "account:ACC-BETA", limits: { maxOrderQty: "2000" } }, "user:risk");
    const beta = await submit({ accountId: "ACC-BETA", symbol: "EURUSD", ordType: "Market", orderQty: "3000" });
    expect(beta.ordStatus).toBe("Rejected");
    expect(beta.rejectReason).toMatch(/^MAX_ORDER_QTY: .*3000.*2000/);
    const alpha = await submit({ accountId: "ACC-ALPHA", symbol: "EURUSD", ordType: "Market", orderQty: "3000" });
    expect(SENT).toContain(alpha.ordStatus);

    const changes = (await journaled()).filter((e) => e.type === "RiskLimitsChanged");
    expect(changes[0]).toMatchObject({ actor: "user:test", data: { scope: "default", old: null, new: { priceCollarPct: "99.5" } } });
    expect(changes.slice(-2)).toEqual([
      expect.objectContaining({
        actor: "user:risk",
        accountId: "ACC-BETA",
        data: { scope: "account:ACC-BETA", old: null, new: { maxOrderQty: "5000" } },
      }),
      expect.objectContaining({
        actor: "user:risk",
        data: { scope: "account:ACC-BETA", old: { maxOrderQty: "5000" }, new: { maxOrderQty: "2000" } },
      }),
    ]);
  });

  it("keeps limits, trading states and positions across a restart, rebuilt from the journal", async () => {
    await engine().risk.setTradingState({ scope: "symbol:TSLA", state: "REDUCING", reason: "before restart" }, "user:risk");
    const positionsBefore = engine().positions.all();
    await engine().stop();
    const restarted = await h.start();
    try {
      expect(restarted.risk.effectiveLimits("ACC-BETA")).toMatchObject({ maxOrderQty: "2000", priceCollarPct: "99.5" });
      expect(restarted.risk.effectiveLimits("ACC-ALPHA").maxOrderQty).toBe("100000");
      expect(restarted.risk.tradingState("ACC-ALPHA", "TSLA")).toBe("REDUCING");
      expect(restarted.positions.all()).toEqual(positionsBefore);

      const beta = await submit({ accountId: "ACC-BETA", symbol: "EURUSD", ordType: "Market", orderQty: "3000" });
      expect(beta.rejectReason).toMatch(/^MAX_ORDER_QTY/);
      const increase = await submit({ accountId: "ACC-ALPHA", symbol: "TSLA", ordType: "Market", orderQty: "1" });
      expect(increase.rejectReason).toMatch(/^TRADING_REDUCING/);
    } finally {
      await restarted.risk.setTradingState({ scope: "symbol:TSLA", state: "ACTIVE", reason: "test over" }, "user:risk");
    }
  });
});

describe("journal down", () => {
  it("refuses new orders while the journal cannot commit, and takes them again once it can", async () => {
    const q = quote("NVDA");
    const passive = (Number(q.bid) * 0.6).toFixed(2);
    await h.pool.query("ALTER TABLE journal ADD CONSTRAINT journal_refuses_writes CHECK (seq < 0) NOT VALID");
    try {
      // The first order finds the journal healthy; its commit fails, and the journal says so.
      const first = submit({ symbol: "NVDA", price: passive });
      await until(() => (engine().journal.stats().healthy ? undefined : true), 5000);
      await expect(submit({ symbol: "NVDA", price: passive })).rejects.toMatchObject({ code: "ENGINE_UNAVAILABLE" });
      await h.pool.query("ALTER TABLE journal DROP CONSTRAINT journal_refuses_writes");
      const answered = await first;
      expect(answered.ordStatus).not.toBe("Rejected");
      expect((await submit({ symbol: "NVDA", price: passive })).ordStatus).not.toBe("Rejected");
    } finally {
      await h.pool.query("ALTER TABLE journal DROP CONSTRAINT IF EXISTS journal_refuses_writes");
    }
  });
});
