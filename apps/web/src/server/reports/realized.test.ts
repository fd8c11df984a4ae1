import { money } from "@fillmore/shared";
import Big from "big.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AverageCostBooks, bookKey, costShare } from "./realized";

// The book's fast path (sign work on decimal text, money's scaled-integer sums and products) against
// a plain big.js model of average cost: every fill realizes exactly the same amount.

interface Fill {
  book: number;
  side: "Buy" | "Sell";
  qty: string;
  px: string;
}

/** Average cost in big.js throughout (the cost share taken out rounded as money.div rounds it at 36 places). */
function modelRealized(fills: readonly Fill[]): Big[] {
  const books = new Map<number, { q: Big; cost: Big }>();
  return fills.map((f) => {
    const book = books.get(f.book) ?? { q: new Big(0), cost: new Big(0) };
    books.set(f.book, book);
    const signed = f.side === "Buy" ? new Big(f.qty) : new Big(f.qty).neg();
    if (book.q.eq(0) || book.q.gt(0) === signed.gt(0)) {
      book.q = book.q.plus(signed);
      book.cost = book.cost.plus(signed.times(f.px));
      return new Big(0);
    }
    const open = book.q.abs();
    const closed = new Big(f.qty).lt(open) ? new Big(f.qty) : open;
    const costOut = closed.eq(open) ? book.cost : new Big(money.div(book.cost.times(closed).toFixed(), open.toFixed(), 36));
    const long = book.q.gt(0);
    const proceeds = closed.times(f.px);
    const realized = (long ? proceeds : proceeds.neg()).minus(costOut);
    book.cost = book.cost.minus(costOut);
    book.q = long ? book.q.minus(closed) : book.q.plus(closed);
    const rest = new Big(f.qty).minus(closed);
    if (rest.gt(0)) {
      book.q = f.side === "Buy" ? rest : rest.neg();
      book.cost = book.q.times(f.px);
    }
    return realized;
  });
}

/** A decimal with up to `places` places from an integer count of its smallest unit. */
const decimal = (min: number, max: number, places: number) =>
  fc.integer({ min, max }).map((units) => new Big(units).div(10 ** places).toFixed());

const fillArb = fc.record({
  book: fc.integer({ min: 0, max: 2 }),
  side: fc.constantFrom("Buy" as const, "Sell" as const),
  qty: fc.oneof(decimal(1, 5000, 0), decimal(1, 5_000_000, 4)),
  px: fc.oneof(decimal(1, 100_000, 2), decimal(1, 10_000_000_000, 6)),
});

describe("AverageCostBooks", () => {
  it("realizes exactly what a big.js model of average cost realizes, fill by fill (property)", () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 40 }), (fills) => {
        const books = new AverageCostBooks();
        const model = modelRealized(fills);
        fills.forEach((f, i) => {
          const realized = books.apply({ book: String(f.book), side: f.side, qty: f.qty, px: f.px });
          expect(realized).toBe(money.normalize(model[i]?.toFixed() ?? "x"));
        });
      }),
      { numRuns: 500 },
    );
  });

  it("the cost share taken out is money.div's to the digit, ties half-even included (property)", () => {
    const places = fc.integer({ min: 0, max: 36 });
    const dec = (max: number) =>
      fc
        .tuple(fc.integer({ min: -max, max }), places)
        .map(([units, p]) => money.normalize(new Big(units).div(new Big(10).pow(p)).toFixed()));
    const positive = fc
      .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 6 }))
      .map(([u, p]) => money.normalize(new Big(u).div(new Big(10).pow(p)).toFixed()));
    fc.assert(
      fc.property(dec(1_000_000_000), positive, positive, (cost, closed, open) => {
        expect(costShare(cost, closed, open)).toBe(money.normalize(money.div(money.mul(cost, closed), open, 36)));
      }),
      { numRuns: 3000 },
    );
    // 3e-36 · 1 / 2 = 1.5e-36: half-even to 2e-36; 1e-36 / 2 = 0.5e-36: to 0.
    expect(costShare("0.000000000000000000000000000000000003", "1", "2")).toBe("0.000000000000000000000000000000000002");
    expect(costShare("0.000000000000000000000000000000000001", "1", "2")).toBe("0");
  });

  it("a flip through zero: Buy 100 @ 10, Sell 150 @ 12, Buy 50 @ 11 realizes 0, 200, 50", () => {
    const books = new AverageCostBooks();
    expect(books.apply({ book: "b", side: "Buy", qty: "100", px: "10" })).toBe("0");
    expect(books.apply({ book: "b", side: "Sell", qty: "150", px: "12" })).toBe("200");
    expect(books.apply({ book: "b", side: "Buy", qty: "50", px: "11" })).toBe("50");
  });

  it("book keys keep a null strategy apart from an empty one, and fields apart", () => {
    expect(bookKey("A", null, "X")).not.toBe(bookKey("A", "", "X"));
    expect(bookKey("A", "B", "X")).not.toBe(bookKey("A", "BX", ""));
  });
});
