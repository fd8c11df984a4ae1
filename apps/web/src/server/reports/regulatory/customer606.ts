import { type Decimal, money } from "@fillmore/shared";
import { halfUp, ratio } from "./decimal";
import { epochUs, type OrderRecord } from "./order-record";
import { easternMonth } from "./periods";

// Rule 606(b)(3), the customer's order handling report on request (../shared/reference/REGULATORY.md
// §2.2): for one account, the six months by month, directed and non-directed sections, each venue's
// routed and executed shares, fill rate, fill size, net fee/rebate (cents per 100 shares), liquidity
// provided and removed. Child orders of a split count as routes (the parent is not sent anywhere).
// Pure over the account's order records.

export const CUSTOMER_COLUMNS = [
  "month",
  "section",
  "venue",
  "mic",
  "sharesRouted",
  "sharesRoutedIoc",
  "avgOrderSize",
  "sharesExecuted",
  "fillRate",
  "avgFillSize",
  "netCph",
  "sharesAtMidpoint",
  "midpointPct",
  "sharesFavourable",
  "favourablePct",
  "sharesUnfavourable",
  "unfavourablePct",
  "providedShares",
  "providedPct",
  "providedAvgMs",
  "providedNetCph",
  "removedShares",
  "removedPct",
  "removedNetCph",
] as const;
type Column = (typeof CUSTOMER_COLUMNS)[number];
export type CustomerRow = Partial<Record<Column, string>>;

export interface CustomerReport {
  columns: readonly Column[];
  /** One row per month × section × venue, then a "(total)" row per month × section (shares sent). */
  rows: CustomerRow[];
  notes: string[];
}

interface Acc {
  routed: Decimal;
  ioc: Decimal;
  orders: number;
  executed: Decimal;
  fills: number;
  net: Decimal;
  provided: { q: Decimal; net: Decimal; msQ: Decimal };
  removed: { q: Decimal; net: Decimal };
  /** Shares executed against the NBBO at execution; null once a fill without it is met (unknown). */
  side: { mid: Decimal; favourable: Decimal; unfavourable: Decimal } | null;
}
const empty = (): Acc => ({
  routed: "0",
  ioc: "0",
  orders: 0,
  executed: "0",
  fills: 0,
  net: "0",
  provided: { q: "0", net: "0", msQ: "0" },
  removed: { q: "0", net: "0" },
  side: { mid: "0", favourable: "0", unfavourable: "0" },
});

/**
 * Where a fill's price sits against the NBBO midpoint when it was booked: at the midpoint, on the side of
 * the spread favourable to the order (a buy below the midpoint, a sell above) or unfavourable; null
 * when the fill carries no quote (journaled before FillData.quote existed, or no two-sided quote then).
 */
export function sideOfSpread(
  side: "Buy" | "Sell",
  px: Decimal,
  quote: { mid: Decimal } | undefined,
): "mid" | "favourable" | "unfavourable" | null {
  if (!quote) return null;
  const c = money.cmp(px, quote.mid);
  if (c === 0) return "mid";
  return (side === "Buy" ? c < 0 : c > 0) ? "favourable" : "unfavourable";
}

const d = (v: Decimal | null, places: number) => (v === null ? "" : halfUp(v, places));
const cph = (usd: Decimal, shares: Decimal) => d(ratio(money.mul(usd, "10000"), shares), 4);
const pct = (a: Decimal, b: Decimal) => d(ratio(money.mul(a, "100"), b), 2);

export async function customer606(
  records: AsyncIterable<OrderRecord>,
  venueName: (id: string) => { name: string; mic: string },
): Promise<CustomerReport> {
  const all: OrderRecord[] = [];
  for await (const r of records) all.push(r);
  const directedParent = new Map(all.map((r) => [r.order.orderId, r.order.requestedVenueId !== null]));
  const groups = new Map<string, Acc>();
  for (const r of all) {
    const route = r.routes[0];
    if (!route) continue; // never sent (denied, or a split parent: its children are the routes)
    const o = r.order;
    const directed = o.parentId === null ? o.requestedVenueId !== null : (directedParent.get(o.parentId) ?? false);
    const key = JSON.stringify([easternMonth(r.receivedTs), directed ? "directed" : "nonDirected", route.venueId]);
    const acc = groups.get(key) ?? empty();
    acc.routed = money.add(acc.routed, o.orderQty);
    if (o.timeInForce === "IOC") acc.ioc = money.add(acc.ioc, o.orderQty);
    acc.orders += 1;
    const own = r.fills.filter((f) => !f.childOrderId);
    for (const f of own) {
      const fillNet = money.neg(money.sum(f.fees.filter((l) => l.currency === "USD").map((l) => l.amount)));
      acc.executed = money.add(acc.executed, f.qty);
      acc.fills += 1;
      acc.net = money.add(acc.net, fillNet);
      const at = sideOfSpread(o.side, f.px, f.quote);
      acc.side = at === null || acc.side === null ? null : { ...acc.side, [at]: money.add(acc.side[at], f.qty) };
      if (f.liquidity === "maker") {
        const ms = money.div(String(epochUs(f.ts) - epochUs(route.ts)), "1000", 6);
        acc.provided = {
          q: money.add(acc.provided.q, f.qty),
          net: money.add(acc.provided.net, fillNet),
          msQ: money.add(acc.provided.msQ, money.mul(f.qty, ms)),
        };
      } else if (f.liquidity === "taker") {
        acc.removed = { q: money.add(acc.removed.q, f.qty), net: money.add(acc.removed.net, fillNet) };
      }
    }
    groups.set(key, acc);
  }
  const rows: CustomerRow[] = [];
  const totals = new Map<string, Decimal>();
  for (const [key, a] of [...groups].sort(([x], [y]) => x.localeCompare(y))) {
    const [month, section, venueId] = JSON.parse(key) as [string, string, string];
    const v = venueName(venueId);
    totals.set(JSON.stringify([month, section]), money.add(totals.get(JSON.stringify([month, section])) ?? "0", a.routed));
    rows.push({
      month,
      section,
      venue: v.name,
      mic: v.mic,
      sharesRouted: money.normalize(a.routed),
      sharesRoutedIoc: money.normalize(a.ioc),
      avgOrderSize: d(ratio(a.routed, String(a.orders)), 2),
      sharesExecuted: money.normalize(a.executed),
      fillRate: d(ratio(a.executed, a.routed), 4),
      avgFillSize: d(ratio(a.executed, String(a.fills)), 2),
      netCph: cph(a.net, a.executed),
      sharesAtMidpoint: a.side ? money.normalize(a.side.mid) : "",
      midpointPct: a.side ? pct(a.side.mid, a.executed) : "",
      sharesFavourable: a.side ? money.normalize(a.side.favourable) : "",
      favourablePct: a.side ? pct(a.side.favourable, a.executed) : "",
      sharesUnfavourable: a.side ? money.normalize(a.side.unfavourable) : "",
      unfavourablePct: a.side ? pct(a.side.unfavourable, a.executed) : "",
      providedShares: money.normalize(a.provided.q),
      providedPct: pct(a.provided.q, a.executed),
      providedAvgMs: d(ratio(a.provided.msQ, a.provided.q), 3),
      providedNetCph: cph(a.provided.net, a.provided.q),
      removedShares: money.normalize(a.removed.q),
      removedPct: pct(a.removed.q, a.executed),
      removedNetCph: cph(a.removed.net, a.removed.q),
    });
  }
  for (const [key, sent] of [...totals].sort(([x], [y]) => x.localeCompare(y))) {
    const [month, section] = JSON.parse(key) as [string, string];
    rows.push({ month, section, venue: "(total)", sharesRouted: money.normalize(sent), sharesExecuted: "" });
  }
  return {
    columns: CUSTOMER_COLUMNS,
    rows,
    notes: [
      "Every order counts (Fillmore has no not-held marking); executed as principal and exposed by actionable IOI: none (agency only).",
      "At the midpoint / favourable / unfavourable side: each fill's price against the NBBO midpoint the engine held when it booked the fill (the fill event's quote); empty for a venue row with a fill journaled before that quote was (older journals) or without a two-sided quote.",
      "Net fee/rebate: the fills' USD fee lines (fees paid negative, rebates positive), cents per 100 executed shares.",
    ],
  };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The report as XML under `notHeldOrderHandlingCustomerReport` [verify element names against the SEC schema]. */
export function customer606Xml(bd: string, accountId: string, months: readonly string[], report: CustomerReport): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<notHeldOrderHandlingCustomerReport>",
    `  <bd>${esc(bd)}</bd>`,
    `  <customer>${esc(accountId)}</customer>`,
    `  <startPeriod>${months[0]}</startPeriod>`,
    `  <endPeriod>${months.at(-1)}</endPeriod>`,
  ];
  for (const month of months) {
    lines.push("  <hMonthly>", `    <year>${month.slice(0, 4)}</year>`, `    <mon>${Number(month.slice(5))}</mon>`);
    for (const section of ["directed", "nonDirected"]) {
      const rows = report.rows.filter((r) => r.month === month && r.section === section);
      if (rows.length === 0) continue;
      const total = rows.find((r) => r.venue === "(total)");
      lines.push(
        `    <${section}>`,
        `      <sharesSent>${total?.sharesRouted ?? "0"}</sharesSent>`,
        "      <sharesExecutedAsPrincipal>0</sharesExecutedAsPrincipal>",
        "      <ordersExposedIoi>0</ordersExposedIoi>",
      );
      for (const r of rows.filter((x) => x.venue !== "(total)")) {
        lines.push("      <hVenue>");
        for (const c of CUSTOMER_COLUMNS.slice(2)) lines.push(`        <${c}>${esc(r[c] ?? "")}</${c}>`);
        lines.push("      </hVenue>");
      }
      lines.push(`    </${section}>`);
    }
    lines.push("  </hMonthly>");
  }
  lines.push("</notHeldOrderHandlingCustomerReport>", "");
  return lines.join("\n");
}
