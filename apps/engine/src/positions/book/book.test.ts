import { describe, expect, it } from "vitest";
import { apportionFee, type BookFill, PositionBook, type PositionView } from "./index";

const T0 = "2026-11-25T14:00:00.000000Z";
const NOW = Date.parse(T0);
let seq = 0;

function fill(side: "Buy" | "Sell", qty: string, px: string, over: Partial<BookFill> = {}): BookFill {
  seq++;
  return {
    fillId: `F${seq}`,
    orderId: `O${seq}`,
    accountId: "ACC-ALPHA",
    strategy: null,
    symbol: "AAPL",
    side,
    qty,
    px,
    fees: [{ amount: "1.00", currency: "USD" }],
    ts: T0,
    quoteCurrency: "USD",
    ...over,
  };
}

const key = { accountId: "ACC-ALPHA", strategy: null, symbol: "AAPL" };
const newBook = () => new PositionBook({ markMaxAgeMs: 60_000 });
const mark = (px: string, ts = T0) => ({ px, source: "mid" as const, ts });
function view(book: PositionBook, k = key, now: number = NOW): PositionView {
  const v = book.position(k, now);
  if (!v) throw new Error("no position");
  return v;
}

describe("POSITIONS.md §2 worked examples", () => {
  it("1. average cost and FIFO side by side", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "10.00"));
    book.applyFill(fill("Buy", "100", "12.00"));
    book.applyFill(fill("Sell", "50", "13.00"));
    book.setMark("AAPL", mark("12.50"));
    const v = view(book);
    expect(v.qty).toBe("150");
    expect(v.avgPx).toBe("11");
    expect(v.realizedBy).toEqual({ avgCost: "100", fifo: "150" });
    expect(v.unrealizedBy).toEqual({ avgCost: "225", fifo: "175" });
    expect(v.fees).toEqual({ USD: "3" });
    expect(v.method).toBe("avgCost");
    expect([v.realized, v.unrealized, v.gross, v.net]).toEqual(["100", "225", "325", "322"]);
    expect(v.lots.map((l) => [l.qty, l.px])).toEqual([
      ["50", "10"],
      ["100", "12"],
    ]);
    book.setAccountMethod("ACC-ALPHA", "fifo");
    const f = view(book);
    expect([f.method, f.realized, f.unrealized, f.gross, f.net]).toEqual(["fifo", "150", "175", "325", "322"]);
    expect(f.exposure).toEqual({ long: "1875", short: "0", net: "1875", notional: "1875" });
  });

  it("2. a flip is split into a closing and an opening leg, fees apportioned", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "10.00"));
    const sell = fill("Sell", "150", "12.00", { fees: [{ amount: "3.00", currency: "USD" }] });
    book.applyFill(sell);
    expect(book.fillLegs(sell.fillId)).toEqual([
      { kind: "close", qty: "100", px: "12.00", fees: [{ amount: "2", currency: "USD" }], realizedBy: { avgCost: "200", fifo: "200" } },
      { kind: "open", qty: "50", px: "12.00", fees: [{ amount: "1", currency: "USD" }] },
    ]);
    const mid = view(book);
    expect([mid.qty, mid.avgPx, mid.lots.length, mid.lots[0]?.px]).toEqual(["-50", "12", 1, "12"]);
    const buy = fill("Buy", "50", "11.00");
    book.applyFill(buy);
    expect(book.fillLegs(buy.fillId)?.[0]?.realizedBy).toEqual({ avgCost: "50", fifo: "50" });
    const v = view(book); // flat: no mark needed
    expect(v.qty).toBe("0");
    expect(v.realizedBy).toEqual({ avgCost: "250", fifo: "250" });
    expect(v.fees).toEqual({ USD: "5" });
    expect([v.unrealized, v.gross, v.net]).toEqual(["0", "250", "245"]);
  });

  it("3. a round trip at one price nets to minus its fees", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "10.00"));
    book.applyFill(fill("Sell", "100", "10.00"));
    const v = view(book);
    expect([v.realized, v.fees.USD, v.net]).toEqual(["0", "2", "-2"]);
  });

  it("4. FX: EURUSD round trip realizes 50.00 USD", () => {
    const book = newBook();
    const k = { ...key, symbol: "EURUSD" };
    book.applyFill(fill("Buy", "10000", "1.08000", { symbol: "EURUSD" }));
    book.applyFill(fill("Sell", "10000", "1.08500", { symbol: "EURUSD" }));
    const v = view(book, k);
    expect([v.realized, v.usd.realized, v.net, v.usd.net]).toEqual(["50", "50", "48", "48"]);
  });

  it("4b. a EUR-quoted instrument: realized at the rate when realized (kept), unrealized at the current rate", () => {
    const book = newBook();
    const k = { ...key, symbol: "SAP" };
    const eur = (side: "Buy" | "Sell", qty: string, px: string) =>
      fill(side, qty, px, { symbol: "SAP", quoteCurrency: "EUR", fees: [{ amount: "1.00", currency: "EUR" }] });
    book.setFxMark("EURUSD", mark("1.10000"));
    book.applyFill(eur("Buy", "20", "100.00"));
    book.setFxMark("EURUSD", mark("1.20000"));
    book.applyFill(eur("Sell", "10", "110.00")); // realizes 100 EUR at 1.20 = 120 USD
    book.setFxMark("EURUSD", mark("1.25000"));
    book.setMark("SAP", mark("120.00")); // unrealized 200 EUR at 1.25 = 250 USD
    const v = view(book, k);
    expect([v.realized, v.unrealized, v.fees.EUR, v.net]).toEqual(["100", "200", "2", "298"]);
    expect([v.usd.realized, v.usd.unrealized, v.usd.fees, v.usd.net]).toEqual(["120", "250", "2.3", "367.7"]);
    expect(v.usd.exposure).toEqual({ long: "1500", short: "0", net: "1500", gross: "1500" });
    const [firm] = book.rollup("firm", NOW);
    expect(firm?.realized).toBe("120");
    expect(firm?.net).toBe("367.7");
  });

  it("5. split 7-for-1 of 100 @ 70.00 gives 700 @ 10.00, not 699", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "70.00"));
    book.applySplit({ id: "CA1", symbol: "AAPL", ratioNew: "7", ratioOld: "1", cashInLieuPx: "10.00", ts: T0 });
    const v = view(book);
    expect([v.qty, v.avgPx, v.realized, v.cost]).toEqual(["700", "10", "0", "7000"]);
    expect(v.lots.map((l) => [l.qty, l.px])).toEqual([["700", "10"]]);
    expect(v.realizedBy.fifo).toBe("0");
  });

  it("6. reverse split 1-for-3 of 100 @ 10.00 with cash in lieu at 31.50: 33 @ 30.00, realizes 0.50", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "10.00"));
    book.applySplit({ id: "CA2", symbol: "AAPL", ratioNew: "1", ratioOld: "3", cashInLieuPx: "31.50", ts: T0 });
    const v = view(book);
    expect([v.qty, v.avgPx, v.cost]).toEqual(["33", "30", "990"]);
    expect(v.realizedBy).toEqual({ avgCost: "0.5", fifo: "0.5" });
    expect(v.lots.map((l) => [l.qty, l.px, l.cost])).toEqual([["33", "30", "990"]]);
    expect(v.cashFlow).toBe("-989.5"); // −1000 paid, +10.50 cash in lieu
  });

  it("6b. reverse split over two lots: the fraction leaves the oldest lot, lots still sum to the position", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "50", "10.00"));
    book.applyFill(fill("Buy", "50", "16.00"));
    book.applySplit({ id: "CA3", symbol: "AAPL", ratioNew: "1", ratioOld: "3", cashInLieuPx: "40.00", ts: T0 });
    const v = view(book);
    expect(v.qty).toBe("33");
    // FIFO: the ⅓ new share = 1 old share of the 10.00 lot (basis 10.00), paid 40/3
    expect(v.realizedBy.fifo).toBe("3.333333333333333333333333333333333333");
    // average cost: basis 13.00
    expect(v.realizedBy.avgCost).toBe("0.333333333333333333333333333333333333");
    const sum = v.lots.reduce((a, l) => a + Number(l.qty), 0);
    expect(sum).toBeCloseTo(33, 9);
    book.setMark("AAPL", mark("40.00"));
    const w = view(book);
    expect(Number(w.unrealizedBy.avgCost) + Number(w.realizedBy.avgCost)).toBeCloseTo(
      Number(w.unrealizedBy.fifo) + Number(w.realizedBy.fifo),
      9,
    );
  });

  it("7. cash dividend 0.25 per share: long 200 → +50.00, short 200 → −50.00, avg unchanged", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "200", "10.00"));
    book.applyFill(fill("Sell", "200", "10.00", { accountId: "ACC-BETA" }));
    book.applyDividend({ id: "D1", symbol: "AAPL", perShare: "0.25", ts: T0 });
    const long = view(book);
    const short = view(book, { ...key, accountId: "ACC-BETA" });
    expect([long.dividends, long.realized, long.realizedBy.fifo, long.avgPx]).toEqual(["50", "50", "50", "10"]);
    expect([short.dividends, short.realized, short.avgPx]).toEqual(["-50", "-50", "10"]);
  });
});

describe("book behaviour", () => {
  it("apportions fees: close leg rounded to the fee's places (≥ 2), the open leg takes the rest", () => {
    expect(apportionFee({ amount: "1.00", currency: "USD" }, "1", "3")).toEqual(["0.33", "0.67"]);
    expect(apportionFee({ amount: "0.0035", currency: "USD" }, "1", "3")).toEqual(["0.0012", "0.0023"]);
    expect(apportionFee({ amount: "3.00", currency: "USD" }, "100", "150")).toEqual(["2", "1"]);
  });

  it("a stale mark is still used and said so; a missing mark leaves unrealized unknown", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "10", "100"));
    expect(view(book).unrealized).toBeNull();
    expect(book.rollup("firm", NOW)[0]).toMatchObject({ incomplete: true, missingMarks: ["AAPL"] });
    book.setMark("AAPL", mark("101", "2026-11-25T13:58:00.000000Z"));
    const v = view(book);
    expect(v.unrealized).toBe("10");
    expect(v.mark).toMatchObject({ px: "101", source: "mid", ageMs: 120_000, stale: true });
    expect(book.rollup("firm", NOW)[0]).toMatchObject({ incomplete: false, staleMarks: ["AAPL"], unrealized: "10" });
    book.setMarkSource("AAPL", "last");
    expect(view(book).unrealized).toBeNull();
    book.setMark("AAPL", { px: "102", source: "last", ts: T0 });
    expect(view(book).mark).toMatchObject({ source: "last", stale: false });
  });

  it("bust and correction rebuild the key from its remaining fills", () => {
    const book = newBook();
    const a = fill("Buy", "100", "10");
    const b = fill("Buy", "100", "12");
    const c = fill("Sell", "50", "13");
    for (const f of [a, b, c]) book.applyFill(f);
    expect(book.applyFill(a)).toBe(false); // the same fill twice is booked once
    expect(book.bustFill(a.fillId)).toBe(true);
    let v = view(book);
    expect([v.qty, v.realizedBy.avgCost, v.fees.USD]).toEqual(["50", "50", "2"]);
    expect(book.correctFill(c.fillId, { qty: "20", px: "14" })).toBe(true);
    v = view(book);
    expect([v.qty, v.realizedBy.avgCost]).toEqual(["80", "40"]);
    expect(book.bustFill("nope")).toBe(false);
  });

  it("a correction that would be invalid is refused and the key left as it was", () => {
    const book = newBook();
    const a = fill("Buy", "100", "10");
    book.applyFill(a);
    expect(() => book.correctFill(a.fillId, { qty: "-5", px: "10" })).toThrow();
    expect(view(book).qty).toBe("100");
  });

  it("daily P&L: realized since the boundary + Δunrealized from the boundary mark − fees since", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "10"));
    book.rollSession({ ts: T0, marks: { AAPL: "11" } });
    book.applyFill(fill("Sell", "40", "12")); // realized 80, fee 1
    book.setMark("AAPL", mark("12.50"));
    // realized 80 + (unrealized now 60·2.5 = 150 − at boundary 100) − 1 = 129
    const v = view(book);
    expect(v.daily).toBe("129");
    expect(v.usd.daily).toBe("129");
    expect(book.rollup("account", NOW)[0]?.daily).toBe("129");
  });

  it("refuses a fill whose quote currency or multiplier differs from its position's", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "1", "10"));
    expect(() => book.applyFill(fill("Buy", "1", "10", { quoteCurrency: "EUR" }))).toThrow(/quote currency/);
    expect(() => book.applyFill(fill("Buy", "1", "10", { multiplier: "100" }))).toThrow(/multiplier/);
    expect(book.fillCount).toBe(1);
    expect(() => book.applyFill(fill("Buy", "0", "10", { symbol: "MSFT" }))).toThrow(/qty/);
    expect(() => book.applyFill(fill("Buy", "1", "1.5e3", { symbol: "MSFT" }))).toThrow(/decimal/);
    expect(book.keyList()).toEqual([key]); // a refused fill leaves no empty position behind
  });

  it("multiplier enters realized, unrealized and notional", () => {
    const book = newBook();
    const k = { ...key, symbol: "ES" };
    book.applyFill(fill("Sell", "2", "5000.25", { symbol: "ES", multiplier: "50" }));
    book.applyFill(fill("Buy", "1", "4990.25", { symbol: "ES", multiplier: "50" }));
    book.setMark("ES", mark("5000.25"));
    const v = view(book, k);
    expect([v.qty, v.avgPx, v.realized, v.unrealized]).toEqual(["-1", "5000.25", "500", "0"]);
    expect(v.exposure).toEqual({ long: "0", short: "250012.5", net: "-250012.5", notional: "-250012.5" });
  });

  it("FX missing when realized: kept apart and converted at the first FX mark that arrives", () => {
    const book = newBook();
    const k = { ...key, symbol: "SAP" };
    const eur = (side: "Buy" | "Sell", px: string) => fill(side, "10", px, { symbol: "SAP", quoteCurrency: "EUR", fees: [] });
    book.applyFill(eur("Buy", "100"));
    book.applyFill(eur("Sell", "110"));
    let v = view(book, k);
    expect([v.realized, v.usd.realized, v.usd.fxMissing]).toEqual(["100", "0", ["EUR"]]);
    book.setFxMark("EURUSD", mark("1.1"));
    v = view(book, k);
    expect([v.usd.realized, v.usd.fxMissing]).toEqual(["110", []]);
    book.setFxMark("EURUSD", mark("1.3")); // kept: realized at the rate it was converted at
    expect(view(book, k).usd.realized).toBe("110");
  });

  it("rollups per account, per strategy and firm-wide; account positions sum the strategy books", () => {
    const book = newBook();
    book.applyFill(fill("Buy", "100", "10", { strategy: "s1" }));
    book.applyFill(fill("Sell", "30", "11", { strategy: "s2" }));
    book.applyFill(fill("Buy", "5", "20", { accountId: "ACC-BETA", symbol: "MSFT" }));
    book.setMark("AAPL", mark("12"));
    book.setMark("MSFT", mark("21"));
    expect(book.accountPositions("ACC-ALPHA")).toEqual([{ symbol: "AAPL", qty: "70", cashFlow: "-670", fees: { USD: "2" } }]);
    const byAcc = book.rollup("account", NOW);
    expect(byAcc.find((r) => r.group.accountId === "ACC-ALPHA")).toMatchObject({
      unrealized: "170", // s1: 100 · (12 − 10) = +200; s2: −30 · (12 − 11) = −30
      fees: "2",
      exposure: { long: "1200", short: "360", net: "840", gross: "1560" },
    });
    expect(
      book
        .rollup("strategy", NOW)
        .map((r) => r.group.strategy)
        .sort(),
    ).toEqual([null, "s1", "s2"].sort());
    expect(book.rollup("firm", NOW)[0]).toMatchObject({ positions: 3, unrealized: "175", fees: "3", net: "172" });
  });
});
