import { money } from "@fillmore/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type HeldOrder, ORDER_TYPES, rule606Xml, section606 } from "./rule606";

// ../shared/reference/REGULATORY.md, Example B: one month of S&P 500 held orders O1–O8, figures by hand there.
const A = { name: "Venue A", mic: "AAAA" };
const B = { name: "Venue B", mic: "BBBB" };
const C = { name: "Venue C", mic: "CCCC" };
const o = (type: HeldOrder["type"], venue: HeldOrder["venue"], executedQty: string, netPerShare = "0", directed = false): HeldOrder => ({
  month: "2026-08",
  section: "SP500",
  directed,
  type,
  venue,
  executedQty,
  netPerShare,
});
const exampleB = [
  o("market", A, "1500", "0.0020"),
  o("market", B, "300"),
  o("marketableLimit", A, "200"),
  o("nonMarketableLimit", C, "500", "0.0020"),
  o("nonMarketableLimit", A, "400"),
  o("other", C, "1000", "-0.0010"),
  o("market", B, "100", "0", true),
  o("nonMarketableLimit", C, "100", "0", true),
];

describe("Rule 606(a)(1), Example B", () => {
  const s = section606(exampleB);

  it("non-directed 75.00 %; by type 33.33 / 16.67 / 33.33 / 16.67", () => {
    expect(s.ndoPct).toBe("75");
    expect(s.typePct).toEqual({ market: "33.33", marketableLimit: "16.67", nonMarketableLimit: "33.33", other: "16.67" });
  });

  it("venues by orders: A 50.00, C 33.33, B 16.67, with each type's share", () => {
    expect(s.venues.map((v) => [v.name, v.orderPct])).toEqual([
      ["Venue A", "50"],
      ["Venue C", "33.33"],
      ["Venue B", "16.67"],
    ]);
    const [a, c, b] = s.venues;
    expect(a?.typePct).toEqual({ market: "50", marketableLimit: "100", nonMarketableLimit: "50", other: "0" });
    expect(b?.typePct.market).toBe("50");
    expect(c?.typePct).toMatchObject({ nonMarketableLimit: "50", other: "100" });
  });

  it("net payments: A market 3.00 / 20.0000; C non-marketable 1.00 / 20.0000, other −1.00 / −10.0000", () => {
    const [a, c] = s.venues;
    expect([a?.netUsd.market, a?.netCph.market]).toEqual(["3", "20"]);
    expect([c?.netUsd.nonMarketableLimit, c?.netCph.nonMarketableLimit, c?.netUsd.other, c?.netCph.other]).toEqual([
      "1",
      "20",
      "-1",
      "-10",
    ]);
  });

  it("the XML carries the figures with their decimals", () => {
    const xml = rule606Xml({ bd: "Fillmore & Co", year: 2026, quarter: 3, orders: exampleB, materialAspects: "PFOF from A <0.002/sh>" });
    expect(xml).toContain("<bd>Fillmore &amp; Co</bd>");
    expect(xml).toContain("<rSP500>\n      <ndoPct>75.00</ndoPct>");
    expect(xml).toContain("<netPmtPaidRecvMarketOrdersUsd>3.00</netPmtPaidRecvMarketOrdersUsd>");
    expect(xml).toContain("<netPmtPaidRecvOtherOrdersCph>-10.0000</netPmtPaidRecvOtherOrdersCph>");
    expect(xml).toContain("<materialAspects>PFOF from A &lt;0.002/sh&gt;</materialAspects>");
    // August's other sections, and July and September, are in the zero form: 0.00 and no venues.
    expect(xml).toContain("<rOtherStocks>\n      <ndoPct>0.00</ndoPct>");
  });
});

describe("Rule 606(a)(1) sections: S&P 500, other stocks, options", () => {
  const zero = (tag: string) =>
    [
      `    <${tag}>`,
      "      <ndoPct>0.00</ndoPct>",
      "      <ndoMarketPct>0.00</ndoMarketPct>",
      "      <ndoMarketableLimitPct>0.00</ndoMarketableLimitPct>",
      "      <ndoNonmarketableLimitPct>0.00</ndoNonmarketableLimitPct>",
      "      <ndoOtherPct>0.00</ndoOtherPct>",
      "      <rVenues>",
      "      </rVenues>",
      `    </${tag}>`,
    ].join("\n");
  const monthly = (xml: string) => xml.split("<rMonthly>").slice(1);

  it("every month of the quarter has the three sections in the schema's order; options in the zero form (Fillmore trades none)", () => {
    const xml = rule606Xml({ bd: "F", year: 2026, quarter: 3, orders: exampleB, materialAspects: "" });
    const months = monthly(xml);
    expect(months.map((m) => /<mon>(\d+)<\/mon>/.exec(m)?.[1])).toEqual(["7", "8", "9"]);
    for (const m of months) {
      expect(
        [m.indexOf("<rSP500>"), m.indexOf("<rOtherStocks>"), m.indexOf("<rOptions>")].every(
          (i, k, a) => i > 0 && (k === 0 || i > (a[k - 1] ?? 0)),
        ),
      ).toBe(true);
      expect(m).toContain(zero("rOptions"));
    }
    expect(months[0]).toContain(zero("rSP500"));
    expect(months[1]).toContain("<rSP500>\n      <ndoPct>75.00</ndoPct>");
  });

  it("orders in the options section are computed like the others: Example B as options", () => {
    const options = exampleB.map((o) => ({ ...o, section: "Options" as const }));
    const august = monthly(rule606Xml({ bd: "F", year: 2026, quarter: 3, orders: options, materialAspects: "" }))[1] ?? "";
    expect(august).toContain(zero("rSP500"));
    const section = august.slice(august.indexOf("<rOptions>"));
    expect(section).toContain("<ndoPct>75.00</ndoPct>");
    expect(section).toContain("<ndoMarketPct>33.33</ndoMarketPct>");
    expect(section).toContain("<netPmtPaidRecvMarketOrdersUsd>3.00</netPmtPaidRecvMarketOrdersUsd>");
  });
});

describe("Rule 606(a)(1) properties", () => {
  const venues = [A, B, C, { name: "Venue D", mic: "DDDD" }];
  const order = fc.record({
    type: fc.constantFrom(...ORDER_TYPES),
    venue: fc.integer({ min: 0, max: 3 }),
    directed: fc.boolean(),
    executedQty: fc.integer({ min: 0, max: 10_000 }),
    netCents: fc.integer({ min: -500, max: 500 }),
  });

  it("type shares of non-directed orders add up to 100 within rounding; each venue's net USD is the exact sum of its orders' rounded to cents", () => {
    fc.assert(
      fc.property(fc.array(order, { minLength: 1, maxLength: 60 }), (list) => {
        const orders: HeldOrder[] = list.map((x) => ({
          month: "2026-08",
          section: "SP500",
          directed: x.directed,
          type: x.type,
          venue: venues[x.venue] as HeldOrder["venue"],
          executedQty: String(x.executedQty),
          netPerShare: "0",
          netUsd: money.div(String(x.netCents), "100", 2),
        }));
        const s = section606(orders);
        const nd = orders.filter((o) => !o.directed);
        if (nd.length === 0) return;
        const total = money.sum(ORDER_TYPES.map((t) => s.typePct[t]));
        expect(Math.abs(Number(total) - 100)).toBeLessThanOrEqual(0.02);
        expect(Math.abs(Number(money.sum(s.venues.map((v) => v.orderPct))) - 100)).toBeLessThanOrEqual(0.02);
        for (const v of s.venues) {
          const mine = nd.filter((o) => o.venue.mic === v.mic);
          const net = money.sum(mine.map((o) => o.netUsd ?? "0"));
          expect(money.sum(ORDER_TYPES.map((t) => v.netUsd[t]))).toBe(money.normalize(net));
        }
      }),
    );
  });
});
