import { type Decimal, money, type Order, type OrdStatus, type SubmitOrderInput, submitOrderInput } from "@fillmore/shared";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEngine } from "../src/engine";
import { CommandError } from "../src/orders/errors";
import { createHarness, type Harness, until } from "./harness";

// Pre-trade risk cannot be walked around (issue 9, section 2), through the real order manager and
// simulated venues. Accounts are shared out: ACC-ALPHA max position (AAPL) then the property test
// (MSFT, SPY); ACC-BETA REDUCING (TSLA) then the throttle; ACC-GAMMA modify after a partial fill (NVDA).

let h: Harness;
let clOrdSeq = 0;
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

const quote = (symbol: string) => {
  const q = engine().feed.quote(symbol);
  if (!q) throw new Error(`no quote for ${symbol}`);
  return q;
};

async function submit(input: Partial<SubmitOrderInput>): Promise<Order> {
  clOrdSeq += 1;
  const order = submitOrderInput.parse({
    clOrdId: `risk-${clOrdSeq}`,
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "100",
    timeInForce: "GTC",
    ...input,
  });
  return (await engine().orders.submit(order, "user:test")).order;
}

const current = (orderId: string): Order => {
  const o = engine().orders.get(orderId);
  if (!o) throw new Error(`no order ${orderId}`);
  return o;
};

const reaches = (orderId: string, status: OrdStatus) =>
  until(() => {
    const o = current(orderId);
    return o.ordStatus === status ? o : undefined;
  });

/** A buy limit at half the bid, or a sell limit at 1.5 × the ask: inside the widened collar, never filled. */
const passive = (symbol: string, side: "Buy" | "Sell") =>
  side === "Buy"
    ? money.roundToStep(money.div(quote(symbol).bid, "2", 4), "0.01")
    : money.roundToStep(money.div(money.mul(quote(symbol).ask, "3"), "2", 4), "0.01");

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

const position = (accountId: string, symbol: string) => engine().positions.position(accountId, symbol).qty;

describe("working orders count at their worst case", () => {
  it("five resting buys of 1,000 against maxPositionQty 1,000: the first works, the other four are refused MAX_POSITION", async () => {
    await engine().risk.setLimits({ scope: "account:ACC-ALPHA", limits: { maxPositionQty: "1000" } }, "user:risk");
    const orders: Order[] = [];
    for (let i = 0; i < 5; i += 1) orders.push(await submit({ orderQty: "1000", price: passive("AAPL", "Buy") }));
    expect(SENT).toContain(orders[0]?.ordStatus);
    for (const o of orders.slice(1)) {
      expect(o).toMatchObject({ ordStatus: "Rejected", rejectSource: "RISK" });
      expect(o.rejectReason).toMatch(/^MAX_POSITION: worst-case position would be 2000 .*working buys 1000/);
    }
    // a held buy stop counts as well
    const stop = await submit({ ordType: "Stop", stopPx: money.add(quote("AAPL").ask, "50"), orderQty: "1", price: undefined });
    expect(stop.rejectReason).toMatch(/^MAX_POSITION/);
    // once the working buy is cancelled, its room is free again
    const first = orders[0] as Order;
    await engine().orders.cancel(first.orderId, "user:test");
    await reaches(first.orderId, "Cancelled");
    const again = await submit({ orderQty: "1000", price: passive("AAPL", "Buy") });
    expect(SENT).toContain(again.ordStatus);
    await engine().orders.cancel(again.orderId, "user:test");
    await reaches(again.orderId, "Cancelled");
  });

  it("REDUCING with a long 100: one sell of 100 works, the second and third are refused, the position cannot go short", async () => {
    const buy = await submit({ accountId: "ACC-BETA", symbol: "TSLA", ordType: "Market", orderQty: "100", price: undefined });
    await reaches(buy.orderId, "Filled");
    expect(position("ACC-BETA", "TSLA")).toBe("100");
    await engine().risk.setTradingState({ scope: "account:ACC-BETA", state: "REDUCING", reason: "test" }, "user:risk");
    try {
      const sells: Order[] = [];
      for (let i = 0; i < 3; i += 1)
        sells.push(await submit({ accountId: "ACC-BETA", symbol: "TSLA", side: "Sell", price: passive("TSLA", "Sell") }));
      expect(SENT).toContain(sells[0]?.ordStatus);
      for (const o of sells.slice(1)) expect(o.rejectReason).toMatch(/^TRADING_REDUCING: .*working sells 100; worst case -100/);
      const first = sells[0] as Order;
      await engine().orders.cancel(first.orderId, "user:test");
      await reaches(first.orderId, "Cancelled");
    } finally {
      await engine().risk.setTradingState({ scope: "account:ACC-BETA", state: "ACTIVE", reason: "test over" }, "user:risk");
    }
  });
});

describe("a halt on a strategy judges 'reduces' on that strategy's own position", () => {
  it("a halted strategy long 10 cannot buy more while another strategy keeps the account short; it may sell its 10, no more", async () => {
    const account = "ACC-GAMMA";
    const symbol = "TSLA";
    const scope = `account:${account}/strategy:halted-s`;
    const other = await submit({
      accountId: account,
      symbol,
      side: "Sell",
      ordType: "Market",
      orderQty: "100",
      price: undefined,
      strategy: "short-s",
    });
    await reaches(other.orderId, "Filled");
    const mine = await submit({ accountId: account, symbol, ordType: "Market", orderQty: "10", price: undefined, strategy: "halted-s" });
    await reaches(mine.orderId, "Filled");
    expect(position(account, symbol)).toBe("-90");
    await engine().risk.setTradingState({ scope, state: "HALTED", reason: "strategy runaway" }, "user:risk");
    try {
      // A buy shrinks the account's short but grows the halted strategy's long: refused.
      const buy = await submit({ accountId: account, symbol, orderQty: "1", price: passive(symbol, "Buy"), strategy: "halted-s" });
      expect(buy.rejectReason).toMatch(new RegExp(`^TRADING_HALTED: trading is HALTED for ${scope} by user:risk `));
      // Selling its own 10 reduces; one more would take the strategy short in the worst case.
      const sell = await submit({
        accountId: account,
        symbol,
        side: "Sell",
        orderQty: "10",
        price: passive(symbol, "Sell"),
        strategy: "halted-s",
      });
      expect(SENT).toContain(sell.ordStatus);
      const beyond = await submit({
        accountId: account,
        symbol,
        side: "Sell",
        orderQty: "1",
        price: passive(symbol, "Sell"),
        strategy: "halted-s",
      });
      expect(beyond.rejectReason).toMatch(/^TRADING_HALTED/);
      // The other strategy is not in the scope.
      const free = await submit({ accountId: account, symbol, orderQty: "1", price: passive(symbol, "Buy"), strategy: "short-s" });
      expect(SENT).toContain(free.ordStatus);
      // REDUCING on the scope names the strategy's position in its refusal.
      await engine().risk.setTradingState({ scope, state: "REDUCING", reason: "strategy winding down" }, "user:risk");
      const reducing = await submit({ accountId: account, symbol, orderQty: "1", price: passive(symbol, "Buy"), strategy: "halted-s" });
      expect(reducing.rejectReason).toMatch(
        /^TRADING_REDUCING: .*Buy 1 does not reduce the position 10 of strategy halted-s \(working buys 0; worst case 11\)/,
      );
      for (const o of [sell, free]) {
        await engine().orders.cancel(o.orderId, "user:test");
        await reaches(o.orderId, "Cancelled");
      }
    } finally {
      await engine().risk.setTradingState({ scope, state: "ACTIVE", reason: "test over" }, "user:risk");
    }
  });
});

describe("a modify is checked as the order would be after it", () => {
  it("a 1,000 order with 999 filled, modified to 1,999: refused against maxOrderQty 1,000, then against maxPositionQty 1,000", async () => {
    await engine().risk.setLimits({ scope: "account:ACC-GAMMA", limits: { maxOrderQty: "1000" } }, "user:risk");
    const o = await submit({ accountId: "ACC-GAMMA", symbol: "NVDA", orderQty: "1000", price: passive("NVDA", "Buy") });
    const accepted = await reaches(o.orderId, "Accepted");
    engine().orders.onVenueReport(accepted.venueId ?? "", {
      kind: "fill",
      orderId: o.orderId,
      execId: "risk-partial-999",
      lastQty: "999",
      lastPx: accepted.price ?? "0",
    });
    await reaches(o.orderId, "PartiallyFilled");
    expect(position("ACC-GAMMA", "NVDA")).toBe("999");

    const bySize = await commandError(engine().orders.modify({ orderId: o.orderId, orderQty: "1999" }, "user:test"));
    expect(bySize).toMatchObject({ code: "RISK_REJECTED", message: "MAX_ORDER_QTY: quantity 1999 exceeds the limit 1000" });

    await engine().risk.setLimits({ scope: "account:ACC-GAMMA", limits: { maxOrderQty: "100000", maxPositionQty: "1000" } }, "user:risk");
    const byPosition = await commandError(engine().orders.modify({ orderId: o.orderId, orderQty: "1999" }, "user:test"));
    expect(byPosition.code).toBe("RISK_REJECTED");
    expect(byPosition.message).toMatch(/^MAX_POSITION: worst-case position would be 1999 /);
    expect(current(o.orderId)).toMatchObject({ ordStatus: "PartiallyFilled", orderQty: "1000", leavesQty: "1" });

    await engine().orders.cancel(o.orderId, "user:test");
    await reaches(o.orderId, "Cancelled");
  });
});

describe("risk settings are validated against reference data through the engine API", () => {
  it("refuses limits for an unknown account, a negative buyingPower and a trading state for an unknown symbol, changing nothing", async () => {
    const before = (await h.api("/v1/risk")).json;
    const unknownAccount = await h.api("/v1/risk/limits", {
      body: { actor: "user:risk", scope: "account:ACC-NOPE", limits: { maxOrderQty: "1" } },
    });
    expect(unknownAccount.status).toBe(400);
    expect(unknownAccount.json.error).toMatchObject({ code: "INVALID_INPUT", details: { rule: "UNKNOWN_ACCOUNT" } });

    const negative = await h.api("/v1/risk/limits", {
      body: { actor: "user:risk", scope: "account:ACC-ALPHA", limits: { buyingPower: "-1" } },
    });
    expect(negative.status).toBe(400);
    expect(negative.json.error.message).toContain("buyingPower");

    const unknownSymbol = await h.api("/v1/risk/trading-state", {
      body: { actor: "user:risk", scope: "symbol:NOPE", state: "HALTED", reason: "test" },
    });
    expect(unknownSymbol.status).toBe(400);
    expect(unknownSymbol.json.error).toMatchObject({ code: "INVALID_INPUT", details: { rule: "UNKNOWN_INSTRUMENT" } });

    expect((await h.api("/v1/risk")).json).toEqual(before);
  });
});

describe("cancels are throttled per principal and refusals keep the journal bounded", () => {
  it("500 refused cancels at once from one key: RATE_LIMITED past the burst of 200, 20 CommandRefused rows, other principals unaffected", async () => {
    const done = await submit({
      accountId: "ACC-BETA",
      symbol: "TSLA",
      side: "Sell",
      ordType: "Market",
      orderQty: "100",
      price: undefined,
    });
    await reaches(done.orderId, "Filled");
    const codes = await Promise.all(
      Array.from({ length: 500 }, () => commandError(engine().orders.cancel(done.orderId, "key:abuser")).then((e) => e.code)),
    );
    expect(codes.filter((c) => c === "NOT_CANCELLABLE").length).toBeGreaterThanOrEqual(200);
    expect(codes.filter((c) => c === "RATE_LIMITED").length).toBeGreaterThanOrEqual(250);
    await engine().journal.durable();
    const { rows } = await h.pool.query("SELECT count(*)::int AS n FROM journal WHERE type = 'CommandRefused' AND actor = 'key:abuser'");
    expect(rows[0]?.n).toBe(20);
    // the API answers a throttled principal 429; the trader next door is not throttled
    const throttled = await h.api(`/v1/orders/${done.orderId}/cancel`, { body: { actor: "key:abuser" } });
    expect([409, 429]).toContain(throttled.status);
    const other = await h.api(`/v1/orders/${done.orderId}/cancel`, { body: { actor: "user:trader@desk" } });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe("NOT_CANCELLABLE");
  });
});

describe("property: whatever the commands, accepted orders keep the worst case within the limits", () => {
  const ACCOUNT = "ACC-ALPHA";
  const SYMBOLS = ["MSFT", "SPY"] as const;
  const MAX_POSITION = "500";
  const BUYING_POWER = "300000";

  type Op =
    | { kind: "rest"; symbol: (typeof SYMBOLS)[number]; side: "Buy" | "Sell"; qty: number }
    | { kind: "market"; symbol: (typeof SYMBOLS)[number]; side: "Buy" | "Sell"; qty: number }
    | { kind: "modify"; pick: number; qty: number }
    | { kind: "cancel"; pick: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("rest" as const),
        symbol: fc.constantFrom(...SYMBOLS),
        side: fc.constantFrom("Buy" as const, "Sell" as const),
        qty: fc.integer({ min: 1, max: 400 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("market" as const),
        symbol: fc.constantFrom(...SYMBOLS),
        side: fc.constantFrom("Buy" as const, "Sell" as const),
        qty: fc.integer({ min: 1, max: 60 }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("modify" as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 450 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  );

  const working = () =>
    engine()
      .orders.working()
      .filter((o) => o.accountId === ACCOUNT && o.parentId === null);

  /** Computed here from the book, independently of the risk code. */
  function worstCase() {
    const pending = engine().orders.book.pendingChanges;
    let buyNotional: Decimal = "0";
    const bySymbol = new Map<string, { buys: Decimal; sells: Decimal }>();
    for (const o of working()) {
      const requested = pending.get(o.orderId);
      const requestedLeaves = requested ? money.sub(requested.orderQty, o.cumQty) : "0";
      const leaves = money.max(o.leavesQty, requestedLeaves);
      const s = bySymbol.get(o.symbol) ?? { buys: "0", sells: "0" };
      if (o.side === "Buy") s.buys = money.add(s.buys, leaves);
      else s.sells = money.add(s.sells, leaves);
      bySymbol.set(o.symbol, s);
      if (o.side === "Buy") {
        const px = o.price ?? o.stopPx ?? quote(o.symbol).ask;
        const requestedPx = requested?.price ?? px;
        buyNotional = money.add(buyNotional, money.max(money.mul(o.leavesQty, px), money.mul(requestedLeaves, requestedPx)));
      }
    }
    return { bySymbol, buyNotional };
  }

  function assertWithinLimits(): void {
    const { bySymbol, buyNotional } = worstCase();
    for (const symbol of SYMBOLS) {
      const p = position(ACCOUNT, symbol);
      const { buys, sells } = bySymbol.get(symbol) ?? { buys: "0", sells: "0" };
      expect(money.lte(money.add(p, buys), MAX_POSITION), `${symbol}: position ${p} + working buys ${buys}`).toBe(true);
      expect(money.gte(money.sub(p, sells), money.neg(MAX_POSITION)), `${symbol}: position ${p} - working sells ${sells}`).toBe(true);
    }
    expect(money.lte(buyNotional, BUYING_POWER), `open buy notional ${buyNotional}`).toBe(true);
  }

  it("worst-case position within maxPositionQty on both sides, open buys within buying power", async () => {
    await engine().risk.setLimits(
      { scope: `account:${ACCOUNT}`, limits: { maxPositionQty: MAX_POSITION, buyingPower: BUYING_POWER, maxOrderQty: "400" } },
      "user:risk",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          const live = working();
          if (o.kind === "rest")
            await submit({ accountId: ACCOUNT, symbol: o.symbol, side: o.side, orderQty: String(o.qty), price: passive(o.symbol, o.side) });
          else if (o.kind === "market")
            await submit({
              accountId: ACCOUNT,
              symbol: o.symbol,
              side: o.side,
              ordType: "Market",
              orderQty: String(o.qty),
              price: undefined,
            });
          else if (live.length > 0) {
            const target = live[o.pick % live.length] as Order;
            const attempt =
              o.kind === "modify"
                ? engine().orders.modify({ orderId: target.orderId, orderQty: String(o.qty) }, "user:test")
                : engine().orders.cancel(target.orderId, "user:test");
            await attempt.catch((error: unknown) => {
              if (!(error instanceof CommandError)) throw error;
            });
          }
          assertWithinLimits();
        }
        // Clean slate for the next run. A cancel while a replace is pending is refused today (issue 9
        // section 1, another change), so cancel-all is repeated until nothing of the account works.
        await until(async () => {
          await engine().orders.cancelAll({ accountId: ACCOUNT }, "user:test");
          await new Promise((resolve) => setTimeout(resolve, 20));
          return working().length === 0 ? true : undefined;
        });
        assertWithinLimits();
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
