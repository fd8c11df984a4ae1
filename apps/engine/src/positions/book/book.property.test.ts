import { money } from "@fillmore/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BookFill, PositionBook } from "./index";

const T0 = "2026-11-25T14:00:00.000000Z";
const NOW = Date.parse(T0);
const RUNS = { numRuns: 200 };

/** Decimal with `places` decimals from an integer of hundredths etc. */
const dec = (min: number, max: number, places: number) =>
  fc.integer({ min, max }).map((n) => (places === 0 ? String(n) : money.div(String(n), String(10 ** places), places)));

const fillArb = fc.record({
  side: fc.constantFrom("Buy" as const, "Sell" as const),
  qty: fc.oneof(dec(1, 500, 0), dec(1, 50_000, 3)),
  px: dec(1, 200_000, 2),
  fee: dec(0, 500, 2),
  strategy: fc.constantFrom(null, "s1", "s2"),
});
type FillSpec = typeof fillArb extends fc.Arbitrary<infer T> ? T : never;

const toFills = (specs: FillSpec[], symbol = "AAPL", multiplier?: string): BookFill[] =>
  specs.map((s, i) => ({
    fillId: `F${i}`,
    orderId: `O${i}`,
    accountId: "ACC-ALPHA",
    strategy: s.strategy,
    symbol,
    side: s.side,
    qty: s.qty,
    px: s.px,
    fees: [{ amount: s.fee, currency: "USD" }],
    ts: T0,
    quoteCurrency: "USD",
    ...(multiplier ? { multiplier } : {}),
  }));

const newBook = () => new PositionBook({ markMaxAgeMs: 60_000 });
const markArb = dec(1, 200_000, 2);
const multArb = fc.constantFrom(undefined, "1", "50", "0.1");

/** Corporate actions interleaved with fills. */
const actionArb = fc.oneof(
  fc.record({ kind: fc.constant("dividend" as const), perShare: dec(1, 100, 2) }),
  fc.record({
    kind: fc.constant("split" as const),
    ratio: fc.constantFrom(["7", "1"], ["1", "3"], ["3", "2"], ["2", "1"], ["1", "10"]),
    cash: dec(1, 200_000, 2),
  }),
);
const stepArb = fc.oneof({ weight: 6, arbitrary: fillArb.map((f) => ({ kind: "fill" as const, f })) }, { weight: 1, arbitrary: actionArb });
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function run(book: PositionBook, steps: Step[], multiplier?: string): void {
  let i = 0;
  for (const s of steps) {
    i++;
    if (s.kind === "fill") {
      const [f] = toFills([s.f], "AAPL", multiplier);
      if (f) book.applyFill({ ...f, fillId: `F${i}`, orderId: `O${i}` });
    } else if (s.kind === "dividend") book.applyDividend({ id: `D${i}`, symbol: "AAPL", perShare: s.perShare, ts: T0 });
    else book.applySplit({ id: `S${i}`, symbol: "AAPL", ratioNew: s.ratio[0], ratioOld: s.ratio[1], cashInLieuPx: s.cash, ts: T0 });
  }
}

const snapshot = (book: PositionBook) => book.positions(NOW).sort((a, b) => String(a.key.strategy).localeCompare(String(b.key.strategy)));

describe("POSITIONS.md §3 invariants (property)", () => {
  it("realized + unrealized is equal under average cost and FIFO, for any fills, splits, dividends and mark", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), markArb, multArb, (steps, mark, mult) => {
        const book = newBook();
        run(book, steps, mult);
        book.setMark("AAPL", { px: mark, source: "mid", ts: T0 });
        for (const v of book.positions(NOW)) {
          const avg = money.add(v.realizedBy.avgCost, v.unrealizedBy.avgCost ?? "x");
          const fifo = money.add(v.realizedBy.fifo, v.unrealizedBy.fifo ?? "x");
          expect(money.eq(avg, fifo)).toBe(true);
          // and it is the cash flow plus the position marked to market
          const mtm = money.mul(money.mul(v.qty, mark), v.multiplier);
          expect(money.eq(avg, money.add(v.cashFlow, mtm))).toBe(true);
          // the lots sum to the position
          expect(money.eq(money.sum(v.lots.map((l) => l.qty)), v.qty)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("Δ(realized + unrealized) between two marks = Δmark · q · multiplier for an unchanged position", () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 20 }), markArb, markArb, multArb, (specs, m1, m2, mult) => {
        const book = newBook();
        for (const f of toFills(specs, "AAPL", mult)) book.applyFill(f);
        const gross = (m: string) => {
          book.setMark("AAPL", { px: m, source: "mid", ts: T0 });
          return book
            .positions(NOW)
            .map((v) => ({ v, avg: v.gross ?? "x", fifo: money.add(v.realizedBy.fifo, v.unrealizedBy.fifo ?? "x") }));
        };
        const a = gross(m1);
        const b = gross(m2);
        a.forEach((x, i) => {
          const y = b[i];
          if (!y) throw new Error("missing");
          const expected = money.mul(money.mul(money.sub(m2, m1), x.v.qty), x.v.multiplier);
          expect(money.eq(money.sub(y.avg, x.avg), expected)).toBe(true);
          expect(money.eq(money.sub(y.fifo, x.fifo), expected)).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it("a round trip at one price nets to minus its fees", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ qty: dec(1, 1000, 0), fee: dec(0, 500, 2) }), { minLength: 1, maxLength: 10 }),
        dec(1, 100_000, 2),
        (legs, px) => {
          const book = newBook();
          let pos = "0";
          let fees = "0";
          const specs: FillSpec[] = legs.map((l, i) => ({
            side: i % 2 === 0 ? "Buy" : "Sell",
            qty: l.qty,
            px,
            fee: l.fee,
            strategy: null,
          }));
          for (const s of specs) {
            pos = s.side === "Buy" ? money.add(pos, s.qty) : money.sub(pos, s.qty);
            fees = money.add(fees, s.fee);
          }
          // close whatever is left at the same price, with no fee
          if (!money.isZero(pos))
            specs.push({ side: money.isPositive(pos) ? "Sell" : "Buy", qty: money.abs(pos), px, fee: "0", strategy: null });
          for (const f of toFills(specs)) book.applyFill(f);
          const [v] = book.positions(NOW);
          expect(v?.qty).toBe("0");
          expect(money.eq(v?.net ?? "x", money.neg(fees))).toBe(true);
          expect(money.eq(v?.realizedBy.fifo ?? "x", "0")).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it("the sum of an account's strategy books = the account's position (quantity, cash flows, fees, P&L at a mark)", () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 30 }), markArb, (specs, mark) => {
        const byStrategy = newBook();
        const whole = newBook();
        for (const f of toFills(specs)) {
          byStrategy.applyFill(f);
          whole.applyFill({ ...f, strategy: null });
        }
        for (const b of [byStrategy, whole]) b.setMark("AAPL", { px: mark, source: "mid", ts: T0 });
        expect(byStrategy.accountPositions("ACC-ALPHA")).toEqual(whole.accountPositions("ACC-ALPHA"));
        const sumGross = money.sum(byStrategy.positions(NOW).map((v) => v.gross ?? "x"));
        const [w] = whole.positions(NOW);
        expect(money.eq(sumGross, w?.gross ?? "0")).toBe(true);
        const [firmS] = byStrategy.rollup("account", NOW);
        const [firmW] = whole.rollup("account", NOW);
        expect(money.eq(firmS?.net ?? "0", firmW?.net ?? "0")).toBe(true);
      }),
      RUNS,
    );
  });

  it("replay: the same fills and actions in a fresh book give an identical book", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), markArb, (steps, mark) => {
        const books = [newBook(), newBook()].map((b) => {
          run(b, steps);
          b.setMark("AAPL", { px: mark, source: "mid", ts: T0 });
          return snapshot(b);
        });
        expect(books[0]).toEqual(books[1]);
      }),
      RUNS,
    );
  });

  it("bust: busting a fill gives the book without it; re-adding it gives the book with it last (the same book when it was last)", () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 25 }), fc.nat(), markArb, (specs, pick, mark) => {
        const fills = toFills(specs);
        const victim = fills[pick % fills.length] as BookFill;
        const others = fills.filter((f) => f !== victim);
        const fresh = (list: BookFill[]) => {
          const b = newBook();
          for (const f of list) b.applyFill(f);
          b.setMark("AAPL", { px: mark, source: "mid", ts: T0 });
          return b;
        };
        const book = fresh(fills);
        book.bustFill(victim.fillId);
        const without = fresh(others);
        // a key emptied of fills stays listed, flat: compare the keys both have
        const keep = (b: PositionBook) => snapshot(b).filter((v) => v.fillCount > 0);
        expect(keep(book)).toEqual(keep(without));
        book.applyFill(victim);
        expect(snapshot(book)).toEqual(snapshot(fresh([...others, victim])));
        if (victim === fills[fills.length - 1]) expect(snapshot(book)).toEqual(snapshot(fresh(fills)));
      }),
      RUNS,
    );
  });

  it("Σ signed fills = quantity (no splits), and every booked fill is counted once", () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 30 }), (specs) => {
        const book = newBook();
        const fills = toFills(specs);
        for (const f of fills) book.applyFill(f);
        for (const f of fills) expect(book.applyFill(f)).toBe(false);
        const signed = money.sum(fills.map((f) => (f.side === "Buy" ? f.qty : money.neg(f.qty))));
        expect(money.eq(money.sum(book.positions(NOW).map((v) => v.qty)), signed)).toBe(true);
        expect(book.fillCount).toBe(fills.length);
      }),
      RUNS,
    );
  });

  it("a position asked without its lots is the same position, lots left out", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), markArb, (steps, px) => {
        const book = newBook();
        run(book, steps);
        book.setMark("AAPL", { px, source: "mid", ts: T0 });
        for (const key of book.keyList()) {
          const full = book.position(key, NOW);
          expect(full).toBeDefined();
          expect(book.position(key, NOW, { lots: false })).toEqual({ ...full, lots: [] });
        }
      }),
      RUNS,
    );
  });
});
