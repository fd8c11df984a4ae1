import { describe, expect, it } from "vitest";
import { matchPositions, splitRatio, suggestCause } from "../src/positions/reconciliation/match";
import { parseStatement } from "../src/positions/reconciliation/statement";

const evidence = (execIds: string[] = [], orders: string[] = ["O1"], fees: Record<string, string> = {}) => ({
  bookedExecIds: new Set(execIds),
  knownOrder: (id: string) => orders.includes(id),
  feeOf: (id: string) => fees[id],
});

describe("suggested cause (pure)", () => {
  it("a fill of our order we never booked", () => {
    const r = suggestCause({
      ours: "100",
      theirs: "150",
      missing: [{ execId: "E2", orderId: "O1", side: "Buy", qty: "50", px: "10" }],
      external: [],
    });
    expect(r.cause).toBe("MISSING_FILL");
    expect(r.explanation).toContain("E2 (O1)");
  });
  it("a trade of no order of ours", () => {
    const r = suggestCause({
      ours: "100",
      theirs: "70",
      missing: [],
      external: [{ execId: "X1", orderId: null, side: "Sell", qty: "30", px: "10" }],
    });
    expect(r.cause).toBe("EXTERNAL_TRADE");
  });
  it("a split not applied, and a consolidation", () => {
    expect(suggestCause({ ours: "100", theirs: "700", missing: [], external: [] }).cause).toBe("CORPORATE_ACTION");
    expect(splitRatio("100", "700")).toBe("7");
    expect(splitRatio("-100", "-10")).toBe("1/10");
    expect(splitRatio("100", "150")).toBeNull();
    expect(splitRatio("100", "-200")).toBeNull();
  });
  it("nothing explains it", () => {
    expect(suggestCause({ ours: "100", theirs: "103", missing: [], external: [] }).cause).toBe("UNEXPLAINED");
  });
});

describe("matchPositions", () => {
  it("equal books give no break; a missing row is zero on that side", () => {
    expect(
      matchPositions("venue:S", [{ accountId: "A", symbol: "AAPL", qty: "5" }], [{ accountId: "A", symbol: "AAPL", qty: "5" }], evidence()),
    ).toEqual([]);
    const [b] = matchPositions("venue:S", [], [{ accountId: "A", symbol: "MSFT", qty: "-3" }], evidence());
    expect(b).toMatchObject({ kind: "position", accountId: "A", symbol: "MSFT", ours: "0", theirs: "-3", difference: "-3" });
  });
  it("fee breaks for the same exec id", () => {
    const theirs = [
      {
        accountId: "A",
        symbol: "AAPL",
        qty: "10",
        trades: [{ execId: "E1", orderId: "O1", side: "Buy" as const, qty: "10", px: "1", fee: "1.25" }],
      },
    ];
    const breaks = matchPositions(
      "statement:eod",
      [{ accountId: "A", symbol: "AAPL", qty: "10" }],
      theirs,
      evidence(["E1"], ["O1"], { E1: "1.00" }),
    );
    expect(breaks).toEqual([
      expect.objectContaining({ kind: "fee", cause: "FEE_DIFFERENCE", ours: "1.00", theirs: "1.25", difference: "0.25" }),
    ]);
  });
});

describe("statement import", () => {
  it("maps columns, adds rows up, signs shorts, attaches trades", () => {
    const s = parseStatement({
      name: "prime-eod",
      positions: "Acct;Ticker;Qty;L/S\nACC-1;aapl;1,000;Long\nACC-1;MSFT;(5);\nACC-1;AAPL;10;L\nACC-2;TSLA;7;Short\n",
      trades: "Acct;Ticker;Side;Qty;Px;Ref;Comm\nACC-1;AAPL;B;10;100.5;E9;0.35\n",
      delimiter: ";",
      mapping: {
        positions: { account: "Acct", symbol: "Ticker", qty: "Qty", side: "L/S" },
        trades: { account: "Acct", symbol: "Ticker", side: "Side", qty: "Qty", price: "Px", execId: "Ref", fee: "Comm" },
      },
    });
    expect(s.source).toBe("statement:prime-eod");
    expect(s.rows).toEqual({ positions: 4, trades: 1 });
    const by = Object.fromEntries(s.positions.map((p) => [`${p.accountId}|${p.symbol}`, p]));
    expect(by["ACC-1|AAPL"]).toMatchObject({
      qty: "1010",
      trades: [{ execId: "E9", side: "Buy", qty: "10", px: "100.5", fee: "0.35", orderId: null }],
    });
    expect(by["ACC-1|MSFT"]?.qty).toBe("-5");
    expect(by["ACC-2|TSLA"]?.qty).toBe("-7");
  });
  it("refuses a bad cell or a missing column, naming it", () => {
    expect(() => parseStatement({ name: "x", positions: "account,symbol,quantity\nA,AAPL,12x\n" })).toThrow(
      /row 2.*quantity.*not a decimal/,
    );
    expect(() => parseStatement({ name: "x", positions: "acct,symbol,quantity\nA,AAPL,1\n" })).toThrow(/no column "account"/);
  });
});
