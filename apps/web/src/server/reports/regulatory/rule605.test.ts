import { describe, expect, it } from "vitest";
import { halfUp } from "./decimal";
import {
  type CoveredOrder,
  classify605,
  DETAILED_FIELDS,
  lotSizeFlag,
  rule605Detailed,
  rule605Summary,
  SUMMARY_FIELDS,
  sizeBucket,
  usToMs,
} from "./rule605";

// ../shared/reference/REGULATORY.md, Example A: market buy 300 XYZ; NBBO 20.00 × 20.04; fills 200 @ 20.03
// at +1.200 ms and 100 @ 20.04 at +3.500 ms; M_15s = 20.03, M_1min = 20.05. Figures computed by hand there.

const exampleA: CoveredOrder = {
  symbol: "XYZ",
  side: "Buy",
  orderType: "MXXNN",
  qty: "300",
  bid: "20.00",
  ask: "20.04",
  cancelledQty: "0",
  sp500: true,
  executions: [
    { qty: "200", px: "20.03", afterUs: 1200, away: false, midAfter: { "15sec": "20.03", "1min": "20.05" } },
    { qty: "100", px: "20.04", afterUs: 3500, away: false, midAfter: { "15sec": "20.03", "1min": "20.05" } },
  ],
};
const header = { dsgntParticipant: "FINRA", rprtEntityCd: "FLMR", month: "202608" };

function row(text: string, fields: readonly string[], sep: string, eol = "\n"): Record<string, string> {
  const lines = text.split(eol).filter(Boolean);
  expect(lines[0]).toBe(fields.join(sep));
  const cells = (lines[1] ?? "").split(sep);
  expect(cells).toHaveLength(fields.length);
  return Object.fromEntries(fields.map((f, i) => [f, cells[i] ?? ""]));
}

describe("Rule 605 detailed report, Example A", () => {
  const r = row(rule605Detailed(header, [exampleA]), DETAILED_FIELDS, "|");

  it("classifies the row: 6,006 notional → 5000, ROUND, MXXNN", () => {
    expect([r.Symbol, r.LotSizeFlag, r.OrderSize, r.OrderType, r.RptDate]).toEqual(["XYZ", "ROUND", "5000", "MXXNN", "202608"]);
    expect([r.CvrdOrderCnt, r.CvrdOrderSize, r.CvrdOrderQty, r.CvrdOrderExctdQty, r.CvrdOrderExctdAwayQty]).toEqual([
      "1",
      "6006",
      "300",
      "300",
      "0",
    ]);
  });

  it("effective spread 0.026667, %ES 0.001332, E/Q 0.666667, quoted spread 0.04, midpoint 20.02", () => {
    expect([r.AvgEffctvSprd, r.AvgEffctvSprdPct, r.AvgEFQPct, r.ExctdOrderAvgQuotSprd, r.ExctdOrderMidPtAvg]).toEqual([
      "0.026667",
      "0.001332",
      "0.666667",
      "0.04",
      "20.02",
    ]);
  });

  it("price improvement: 200 sh by 0.01 in 1.2 ms; 100 at the quote in 3.5 ms; none outside", () => {
    expect([r.ExctdPIOrdersQty, r.ExctdPIOrdWghtdAvgAmtPerShare, r.ExctdPIOrdWghtdAvgTime]).toEqual(["200", "0.01", "1.2"]);
    expect([r.ExctdOrderAtQuotQty, r.ExctdAtQuotOrdWghtdAvgTime, r.ExctdOrderOutQuotQty, r.ExctdOutQuotOrdWghtdAvgAmt]).toEqual([
      "100",
      "3.5",
      "0",
      "",
    ]);
  });

  it("realized spread 15 s 0.006667, 1 min −0.033333; horizons without a midpoint stay empty, never 0", () => {
    expect([r.AvgRealSprd15sec, r.AvgRealSprd1min, r.AvgRealSprd50millisec, r.AvgRealSprd5min]).toEqual(["0.006667", "-0.033333", "", ""]);
  });

  it("speed: all 300 shares in the to10millisec bucket", () => {
    expect([r.CvrdOrderQtyto1millisec, r.CvrdOrderQtyto10millisec, r.CvrdOrderQtyto1sec, r.CvrdOrderQtyOthr]).toEqual([
      "0",
      "300",
      "0",
      "0",
    ]);
  });
});

describe("Rule 605 summary report, Example A", () => {
  const text = rule605Summary(header, [exampleA]);
  const lines = text.split("\r\n").filter(Boolean);

  it("a row for the 5000 bucket and one for all sizes under $200k (199999), CRLF", () => {
    expect(lines).toHaveLength(3);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(lines.slice(1).map((l) => l.split(",").slice(3, 6).join(","))).toEqual(["Y,199999,M", "Y,5000,M"]);
  });

  it("PctExctdPI 0.666667, at quote or better 1, WghtdAvgPctPI 0.000333, AvgPctQuotSprd 0.001998, time 1.966667 ms", () => {
    const r = row(`${lines[0]}\n${lines[2]}`, SUMMARY_FIELDS, ",");
    expect(r).toMatchObject({
      AvgOrderQty: "300",
      AvgOrderSize: "6006",
      ExctdOrderMidPtAvg: "20.02",
      PctExctdAtQuotOrBetter: "1",
      PctExctdPI: "0.666667",
      WghtdAvgPctPI: "0.000333",
      AvgEffctvSprdPct: "0.001332",
      AvgPctQuotSprd: "0.001998",
      AvgEFQPct: "0.666667",
      AvgRealSprdPct1min: "-0.001665",
      WghtdAvgExctnTime: "1.966667",
    });
  });
});

describe("classification", () => {
  const quote = { bid: "20.00", ask: "20.04" };
  it.each([
    [{ ordType: "Market", side: "Buy" }, "MXXNN"],
    [{ ordType: "Limit", side: "Buy", price: "20.04" }, "LYNNN"],
    [{ ordType: "Limit", side: "Sell", price: "20.00", ioc: true }, "LYNYN"],
    [{ ordType: "Limit", side: "Buy", price: "20.02" }, "LNYNN"],
    [{ ordType: "Limit", side: "Buy", price: "20.01", ioc: true }, "LNNYN"],
    [{ ordType: "Stop", side: "Sell" }, "MXXNY"],
  ] as const)("%j is %s", (o, code) => expect(classify605({ ...quote, ...o })).toBe(code));

  it.each([
    ["249.99", "0"],
    ["250", "250"],
    ["6006", "5000"],
    ["199999.99", "50000"],
    ["200000", "200000"],
  ])("notional %s is bucket %s", (n, code) => expect(sizeBucket(n)).toBe(code));

  it("lot size: fractional, odd, round", () => {
    expect([lotSizeFlag("0.5"), lotSizeFlag("99"), lotSizeFlag("100")]).toEqual(["FRACTIONAL", "ODD", "ROUND"]);
  });

  it("rounds half-up at 6 places", () => {
    expect([halfUp("0.0266666666", 6), halfUp("-0.0333333333", 6), halfUp("0.0000005", 6), halfUp("1.5", 6)]).toEqual([
      "0.026667",
      "-0.033333",
      "0.000001",
      "1.5",
    ]);
  });
});

describe("usToMs", () => {
  it("shifts the decimal point exactly", () => {
    expect([usToMs(1200), usToMs(3500), usToMs(5), usToMs(0), usToMs(123456789)]).toEqual(["1.2", "3.5", "0.005", "0", "123456.789"]);
  });
});

describe("Rule 605 fields 45–55: best available displayed price, size improvement, fill statistics", () => {
  const BADP = [
    "ExctdPIOrderRltvBestPrQty",
    "ExctdPIOrderRltvBestPrWghtdAvg",
    "ExctdOrderAtBestPrQty",
    "ExctdOrderOutBestPrQty",
    "ExctdOrderOutBestPrWghtdAvgAmt",
  ];
  const SIZE = ["ExctdOrderSizeBnchmrkQty", "ExctdSIOutsizedQty"];
  const FILLS = ["FilledOrderCnt", "RegExctdOrderQty", "RegExctdOrderOnXchngQty", "FilledOrderWghtdAvgTime"];
  const pick = (r: Record<string, string>, names: string[]) => names.map((n) => r[n]);

  it("Example A, no odd-lot quote better than the NBBO: BADP is the NBBO, so 200 improved by 0.01, 100 at it, 0 outside", () => {
    const r = row(rule605Detailed(header, [exampleA]), DETAILED_FIELDS, "|");
    expect(pick(r, BADP)).toEqual(["200", "0.01", "100", "0", ""]);
    // A market order: no fill statistics (non-marketable and stop types only); size improvement unknown.
    expect(pick(r, [...SIZE, ...FILLS])).toEqual(["", "", "", "", "", ""]);
  });

  it("Example A with an odd-lot offer at 20.03 inside the 20.04 NBO: 200 at the BADP, 100 outside it by 0.01", () => {
    const r = row(rule605Detailed(header, [{ ...exampleA, badp: { bid: "20.00", ask: "20.03" } }]), DETAILED_FIELDS, "|");
    expect(pick(r, BADP)).toEqual(["0", "", "200", "100", "0.01"]);
    // The NBBO columns are unchanged: 200 improved against the NBO 20.04.
    expect([r.ExctdPIOrdersQty, r.ExctdOrderAtQuotQty]).toEqual(["200", "100"]);
  });

  it("non-marketable limits: filled orders, shares executed in RTH and on an exchange, time of the filled orders", () => {
    // Two buy limits 300 @ 20.01 against 20.00 × 20.04 (below the 20.02 midpoint: LNNNN), notional 6,006 → 5000.
    // N1 fills 100 on an exchange at +2 s and 200 off-exchange at +30.5 s: filled. N2 fills 100 after the close: not filled.
    const nmlo = (executions: CoveredOrder["executions"]): CoveredOrder => ({
      ...exampleA,
      orderType: "LNNNN",
      executions,
    });
    const n1 = nmlo([
      { qty: "100", px: "20.01", afterUs: 2_000_000, away: false, onExchange: true },
      { qty: "200", px: "20.01", afterUs: 30_500_000, away: false },
    ]);
    const n2 = nmlo([{ qty: "100", px: "20.01", afterUs: 1_000_000, away: false, regularHours: false }]);
    const r = row(rule605Detailed(header, [n1, n2]), DETAILED_FIELDS, "|");
    expect([r.OrderType, r.CvrdOrderCnt, r.CvrdOrderExctdQty]).toEqual(["LNNNN", "2", "400"]);
    // FilledOrderCnt 1; RTH shares 300 (N2's 100 came after 16:00); on an exchange 100;
    // time of N1's shares (100·2,000 + 200·30,500)/300 = 21,000 ms.
    expect(pick(r, FILLS)).toEqual(["1", "300", "100", "21000"]);
    // BADP columns are the marketable types' only.
    expect(pick(r, BADP)).toEqual(["", "", "", "", ""]);
  });
});
