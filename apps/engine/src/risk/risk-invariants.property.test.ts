import { DEFAULT_RISK_LIMITS, type Decimal, money, type Order, type RiskLimits, type TradingState } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOrder, type RiskContext } from "./checks";
import { type RequestedChanges, workingExposure } from "./exposure";

/**
 * A model of one account's book in one symbol plus another symbol's open buys, driven by any
 * sequence of submits, modifies (replaced at once or left pending), partial fills, replace
 * confirmations and cancels. Submits and modifies go through the real pure checks with the context
 * built by the real exposure function; whatever they accept is applied. After every step the
 * invariants of docs/RISK.md must hold.
 */

const SYMBOL = "AAPL";
const OTHER = "SPY";
const ASK: Record<string, Decimal> = { AAPL: "100", SPY: "50" };
const farTouch = (symbol: string) => ASK[symbol];
const INSTRUMENT = { symbol: SYMBOL, tickSize: "0.01", lotSize: "1", tradable: true };

const LIMITS: RiskLimits = {
  ...DEFAULT_RISK_LIMITS,
  maxOrderQty: "400",
  maxOrderNotional: "1000000",
  priceCollarPct: "50",
  maxPositionQty: "1000",
  maxOpenOrders: 1000,
  buyingPower: "150000",
};

type Op =
  | { kind: "submit"; side: "Buy" | "Sell"; qty: number; px: number | null; symbol: string }
  | { kind: "modify"; pick: number; qty: number; px: number; pending: boolean }
  | { kind: "fill"; pick: number; part: number }
  | { kind: "confirm"; pick: number }
  | { kind: "cancel"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      side: fc.constantFrom("Buy" as const, "Sell" as const),
      qty: fc.integer({ min: 1, max: 500 }),
      // limit prices within the collar, or a market order (valued at the ask)
      px: fc.option(fc.integer({ min: 60, max: 140 }), { freq: 3 }),
      symbol: fc.constantFrom(SYMBOL, SYMBOL, SYMBOL, OTHER),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("modify" as const),
      pick: fc.nat(),
      qty: fc.integer({ min: 1, max: 600 }),
      px: fc.integer({ min: 60, max: 140 }),
      pending: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fill" as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("confirm" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
);

class ModelBook {
  readonly live = new Map<string, Order>();
  readonly pending = new Map<string, RequestedChanges>();
  position: Decimal;
  private seq = 0;

  constructor(
    startPosition: Decimal,
    private readonly state: TradingState,
  ) {
    this.position = startPosition;
  }

  private context(order: Order): RiskContext {
    const exposure = workingExposure(this.live.values(), order, this.pending, farTouch);
    const px = farTouch(order.symbol);
    return {
      instrument: { ...INSTRUMENT, symbol: order.symbol },
      accountKnown: true,
      limits: LIMITS,
      tradingState: this.state,
      referencePx: px,
      midPx: px,
      // the model keeps one position: the other symbol's orders only spend buying power
      position: order.symbol === SYMBOL ? this.position : "0",
      ...exposure,
      tokensAvailable: Number.POSITIVE_INFINITY,
    };
  }

  private pick(n: number): Order | undefined {
    const orders = [...this.live.values()];
    return orders.length === 0 ? undefined : orders[n % orders.length];
  }

  apply(op: Op): void {
    if (op.kind === "submit") {
      this.seq += 1;
      const order = orderFrom(
        {
          symbol: op.symbol,
          side: op.side,
          orderQty: String(op.qty),
          ...(op.px === null ? { ordType: "Market" as const, price: undefined } : { price: String(op.px) }),
        },
        { orderId: `O${this.seq}` },
      );
      if (checkOrder(order, this.context(order)) === null) this.live.set(order.orderId, { ...order, ordStatus: "Accepted" });
      return;
    }
    const order = this.pick(op.pick);
    if (!order) return;
    if (op.kind === "modify") {
      if (this.pending.has(order.orderId) || op.qty <= Number(order.cumQty) || order.price === null) return;
      const changes = { orderQty: String(op.qty), price: String(op.px), stopPx: null };
      const after: Order = { ...order, ...changes, leavesQty: money.sub(changes.orderQty, order.cumQty) };
      const ctx = { ...this.context(after), openOrders: 0 };
      if (checkOrder(after, ctx) !== null) return;
      if (op.pending) {
        this.pending.set(order.orderId, changes);
        this.live.set(order.orderId, { ...order, ordStatus: "PendingReplace" });
      } else this.live.set(order.orderId, after);
    } else if (op.kind === "confirm") {
      const changes = this.pending.get(order.orderId);
      if (!changes) return;
      this.pending.delete(order.orderId);
      const leavesQty = money.sub(changes.orderQty, order.cumQty);
      if (!money.isPositive(leavesQty)) this.live.delete(order.orderId);
      else this.live.set(order.orderId, { ...order, ...changes, leavesQty, ordStatus: "Accepted" });
    } else if (op.kind === "fill") {
      // the venue fills the order as it knows it (a pending replace may not have reached it)
      const qty = money.max("1", money.div(money.mul(order.leavesQty, String(op.part)), "100", 0));
      const lastQty = money.min(qty, order.leavesQty);
      if (order.symbol === SYMBOL)
        this.position = order.side === "Buy" ? money.add(this.position, lastQty) : money.sub(this.position, lastQty);
      const leavesQty = money.sub(order.leavesQty, lastQty);
      const cumQty = money.add(order.cumQty, lastQty);
      const requested = this.pending.get(order.orderId);
      const stillWanted = requested && money.gt(requested.orderQty, cumQty);
      if (money.isZero(leavesQty) && !stillWanted) {
        this.live.delete(order.orderId);
        this.pending.delete(order.orderId);
      } else this.live.set(order.orderId, { ...order, leavesQty, cumQty });
    } else {
      this.live.delete(order.orderId);
      this.pending.delete(order.orderId);
    }
  }

  /** The worst case: every working buy (or sell) fills in full, at the larger of its current and requested leaves. */
  worst(): { long: Decimal; short: Decimal; buyNotional: Decimal } {
    const e = workingExposure(this.live.values(), { orderId: "", accountId: "ACC-ALPHA", symbol: SYMBOL }, this.pending, farTouch);
    return {
      long: money.add(this.position, e.workingBuyQty),
      short: money.sub(this.position, e.workingSellQty),
      buyNotional: e.openBuyNotional,
    };
  }
}

describe("pre-trade risk invariants over any sequence of commands", () => {
  it("ACTIVE: the worst-case position stays within maxPositionQty on both sides and open buys within buying power", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const book = new ModelBook("0", "ACTIVE");
        for (const op of ops) {
          book.apply(op);
          const { long, short, buyNotional } = book.worst();
          expect(money.lte(long, LIMITS.maxPositionQty), `long worst case ${long}`).toBe(true);
          expect(money.gte(short, money.neg(LIMITS.maxPositionQty)), `short worst case ${short}`).toBe(true);
          expect(money.lte(buyNotional, LIMITS.buyingPower), `open buy notional ${buyNotional}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("REDUCING: the worst case never crosses zero and never grows the absolute position", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -900, max: 900 }).filter((p) => p !== 0),
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        (start, ops) => {
          const book = new ModelBook(String(start), "REDUCING");
          for (const op of ops) {
            book.apply(op);
            const { long, short } = book.worst();
            if (start > 0) {
              expect(money.gte(short, "0"), `short worst case ${short} from long ${start}`).toBe(true);
              expect(money.lte(long, String(start)), `long worst case ${long} from long ${start}`).toBe(true);
            } else {
              expect(money.lte(long, "0"), `long worst case ${long} from short ${start}`).toBe(true);
              expect(money.gte(short, String(start)), `short worst case ${short} from short ${start}`).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("values every open buy at its own instrument's price", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const book = new ModelBook("0", "ACTIVE");
        for (const op of ops) book.apply(op);
        let expected = "0";
        for (const o of book.live.values()) {
          if (o.side !== "Buy") continue;
          // its own limit, else its own symbol's ask: never the price of another symbol
          const px = o.price ?? ASK[o.symbol] ?? "0";
          const requested = book.pending.get(o.orderId);
          const requestedNotional = requested ? money.mul(money.sub(requested.orderQty, o.cumQty), requested.price ?? px) : "0";
          expected = money.add(expected, money.max(money.mul(o.leavesQty, px), requestedNotional));
        }
        expect(book.worst().buyNotional).toBe(money.normalize(expected));
      }),
    );
  });
});
