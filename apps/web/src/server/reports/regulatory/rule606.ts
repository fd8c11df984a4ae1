import { type Decimal, money } from "@fillmore/shared";
import { halfUp } from "./decimal";

// SEC Rule 606(a)(1) quarterly routing report (../shared/reference/REGULATORY.md §2.1): per month and
// section (S&P 500 stocks, other NMS stocks), non-directed held orders by type, the venues that got the
// most of them, and net payment for order flow per venue and type. Percentages count orders, not
// shares, 0–100 with 2 decimals; payments in USD and cents per 100 shares (4 decimals). XML in the
// shape of the SEC's schema (oh-20191231.xsd: rMonthly / rSP500 | rOtherStocks | rOptions / rVenues) [verify element
// order against the schema before filing].

export const ORDER_TYPES = ["market", "marketableLimit", "nonMarketableLimit", "other"] as const;
export type OrderType606 = (typeof ORDER_TYPES)[number];
/**
 * The report's sections in the schema's order. Options: Fillmore trades no options (its instruments have
 * no asset class, underlying, expiry, strike or right; orders are in shares), so no order is ever in that
 * section and it is written in its zero form: every percentage 0.00 and no venues.
 */
export const SECTIONS = ["SP500", "OtherStocks", "Options"] as const;
export type Section = (typeof SECTIONS)[number];
const SECTION_TAG: Record<Section, string> = { SP500: "rSP500", OtherStocks: "rOtherStocks", Options: "rOptions" };

export interface HeldOrder {
  month: string; // YYYY-MM
  section: Section;
  directed: boolean;
  type: OrderType606;
  venue: { name: string; mic: string };
  /** Shares executed (the per-share base of payments). */
  executedQty: Decimal;
  /** Net payment per share on this order: PFOF and rebates received positive, fees paid negative. */
  netPerShare: Decimal;
  /** The order's net payment in USD when known exactly (wins over executedQty × netPerShare). */
  netUsd?: Decimal;
}

export interface VenueRow {
  name: string;
  mic: string;
  orderPct: Decimal;
  typePct: Record<OrderType606, Decimal>;
  netUsd: Record<OrderType606, Decimal>;
  netCph: Record<OrderType606, Decimal>;
}

export interface SectionReport {
  ndoPct: Decimal;
  typePct: Record<OrderType606, Decimal>;
  venues: VenueRow[];
}

const pct = (a: number, b: number): Decimal => (b === 0 ? "0" : halfUp(money.div(String(a * 100), String(b), 12), 2));
const byType = <T>(f: (t: OrderType606) => T) => Object.fromEntries(ORDER_TYPES.map((t) => [t, f(t)])) as Record<OrderType606, T>;

/** One month's section: percentages of non-directed orders, the top ten venues plus any with ≥ 5 %. */
export function section606(orders: readonly HeldOrder[]): SectionReport {
  const ndo = orders.filter((o) => !o.directed);
  const ofType = (t: OrderType606, list: readonly HeldOrder[]) => list.filter((o) => o.type === t);
  const venues = new Map<string, HeldOrder[]>();
  for (const o of ndo) venues.set(o.venue.mic, [...(venues.get(o.venue.mic) ?? []), o]);
  const ranked = [...venues.values()].sort((a, b) => b.length - a.length || (a[0]?.venue.name ?? "").localeCompare(b[0]?.venue.name ?? ""));
  const shown = ranked.filter((list, i) => i < 10 || list.length * 20 >= ndo.length);
  return {
    ndoPct: pct(ndo.length, orders.length),
    typePct: byType((t) => pct(ofType(t, ndo).length, ndo.length)),
    venues: shown.map((list) => {
      const first = list[0] as HeldOrder;
      const usd = (t: OrderType606) => money.sum(ofType(t, list).map((o) => o.netUsd ?? money.mul(o.executedQty, o.netPerShare)));
      const shares = (t: OrderType606) => money.sum(ofType(t, list).map((o) => o.executedQty));
      return {
        name: first.venue.name,
        mic: first.venue.mic,
        orderPct: pct(list.length, ndo.length),
        typePct: byType((t) => pct(ofType(t, list).length, ofType(t, ndo).length)),
        netUsd: byType((t) => halfUp(usd(t), 2)),
        netCph: byType((t) => (money.isZero(shares(t)) ? "0" : halfUp(money.div(money.mul(usd(t), "10000"), shares(t), 12), 4))),
      };
    }),
  };
}

const XML_TYPE: Record<OrderType606, string> = {
  market: "Market",
  marketableLimit: "MarketableLimit",
  nonMarketableLimit: "NonMarketableLimit",
  other: "Other",
};
const PCT_TYPE: Record<OrderType606, string> = {
  market: "marketPct",
  marketableLimit: "marketableLimitPct",
  nonMarketableLimit: "nonMarketableLimitPct",
  other: "otherPct",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fixed = (d: Decimal, places: number) => {
  const [i, f = ""] = d.split(".");
  return `${i}.${f.padEnd(places, "0")}`;
};

function sectionXml(tag: string, s: SectionReport, indent: string): string {
  const lines = [
    `${indent}<${tag}>`,
    `${indent}  <ndoPct>${fixed(s.ndoPct, 2)}</ndoPct>`,
    `${indent}  <ndoMarketPct>${fixed(s.typePct.market, 2)}</ndoMarketPct>`,
    `${indent}  <ndoMarketableLimitPct>${fixed(s.typePct.marketableLimit, 2)}</ndoMarketableLimitPct>`,
    `${indent}  <ndoNonmarketableLimitPct>${fixed(s.typePct.nonMarketableLimit, 2)}</ndoNonmarketableLimitPct>`,
    `${indent}  <ndoOtherPct>${fixed(s.typePct.other, 2)}</ndoOtherPct>`,
    `${indent}  <rVenues>`,
  ];
  for (const v of s.venues) {
    lines.push(`${indent}    <rVenue>`, `${indent}      <name>${esc(v.name)}</name>`, `${indent}      <mic>${esc(v.mic)}</mic>`);
    lines.push(`${indent}      <orderPct>${fixed(v.orderPct, 2)}</orderPct>`);
    for (const t of ORDER_TYPES) lines.push(`${indent}      <${PCT_TYPE[t]}>${fixed(v.typePct[t], 2)}</${PCT_TYPE[t]}>`);
    for (const t of ORDER_TYPES) {
      lines.push(`${indent}      <netPmtPaidRecv${XML_TYPE[t]}OrdersUsd>${fixed(v.netUsd[t], 2)}</netPmtPaidRecv${XML_TYPE[t]}OrdersUsd>`);
      lines.push(`${indent}      <netPmtPaidRecv${XML_TYPE[t]}OrdersCph>${fixed(v.netCph[t], 4)}</netPmtPaidRecv${XML_TYPE[t]}OrdersCph>`);
    }
    lines.push(`${indent}    </rVenue>`);
  }
  lines.push(`${indent}  </rVenues>`, `${indent}</${tag}>`);
  return lines.join("\n");
}

/** The quarter's months, YYYY-MM. */
const monthsOf = (year: number, quarter: number) => [1, 2, 3].map((i) => `${year}-${String((quarter - 1) * 3 + i).padStart(2, "0")}`);

/**
 * The quarter's XML: one rMonthly for each of its three months with all three sections (a section
 * without orders in its zero form: percentages 0.00, no venues) [verify against oh-20191231.xsd], and
 * the material aspects text.
 */
export function rule606Xml(report: {
  bd: string;
  year: number;
  quarter: number;
  orders: readonly HeldOrder[];
  materialAspects: string;
}): string {
  const months = monthsOf(report.year, report.quarter);
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<heldOrderRoutingPublicReport>",
    `  <bd>${esc(report.bd)}</bd>`,
    `  <year>${report.year}</year>`,
    `  <qtr>${report.quarter}</qtr>`,
  ];
  for (const month of months) {
    const inMonth = report.orders.filter((o) => o.month === month);
    parts.push("  <rMonthly>", `    <year>${month.slice(0, 4)}</year>`, `    <mon>${Number(month.slice(5, 7))}</mon>`);
    for (const section of SECTIONS)
      parts.push(sectionXml(SECTION_TAG[section], section606(inMonth.filter((o) => o.section === section)), "    "));
    parts.push("  </rMonthly>");
  }
  parts.push(`  <materialAspects>${esc(report.materialAspects)}</materialAspects>`, "</heldOrderRoutingPublicReport>", "");
  return parts.join("\n");
}
