import type { PrismaClient } from "@fillmore/db";
import { catFile, catFileName, catRecords } from "./cat";
import { customer606, customer606Xml } from "./customer606";
import type { Firm } from "./firm";
import { coveredOrder, heldOrder } from "./inputs";
import { ordersActiveIn, ordersReceived } from "./journal-source";
import type { OrderRecord } from "./order-record";
import { dayPeriod, monthPeriod, quarterMonths, quarterPeriod, sixMonths } from "./periods";
import { rule605Detailed, rule605Summary, summaryFileName } from "./rule605";
import { type HeldOrder, rule606Xml, section606 } from "./rule606";
import { rule606Pdf } from "./rule606-pdf";

// The regulatory files for a period, computed from the journal: what each procedure previews and each
// download writes. One function per file; each answers the file and a table preview of it.

export const REGULATORY_KINDS = ["rule605", "rule605Summary", "rule606", "rule606Pdf", "cat", "customer606"] as const;
export type RegulatoryKind = (typeof REGULATORY_KINDS)[number];

export type RegulatoryFormat = "psv" | "csv" | "xml" | "pdf" | "ndjson";

export interface RegulatoryFile {
  kind: RegulatoryKind;
  fileName: string;
  format: RegulatoryFormat;
  contentType: string;
  content: Buffer;
  /** Records in the file (rows, XML venue rows, CAT events). */
  rows: number;
  /** A table of the file's content for the console. */
  preview: { columns: string[]; rows: string[][] };
  /** What the file leaves out or assumes, for the reader. */
  notes: string[];
}

const CONTENT_TYPES: Record<RegulatoryFormat, string> = {
  psv: "text/plain; charset=us-ascii",
  csv: "text/csv; charset=us-ascii",
  xml: "application/xml",
  pdf: "application/pdf",
  ndjson: "application/x-ndjson",
};

const file = (f: Omit<RegulatoryFile, "contentType">): RegulatoryFile => ({ ...f, contentType: CONTENT_TYPES[f.format] });

async function collect<T>(records: AsyncIterable<OrderRecord>, pick: (r: OrderRecord) => T | null): Promise<T[]> {
  const out: T[] = [];
  for await (const r of records) {
    const v = pick(r);
    if (v !== null) out.push(v);
  }
  return out;
}

/** Delimited text → header and rows. */
function table(text: string, sep: string, eol: string): { columns: string[]; rows: string[][] } {
  const [head = "", ...lines] = text.split(eol).filter(Boolean);
  return { columns: head.split(sep), rows: lines.map((l) => l.split(sep)) };
}

const NOTES_605 = [
  "Not computed, left empty: BADP (best available displayed price, needs odd-lot SIP data), size improvement, NMLO fill statistics (fields 45–55).",
  "Realized spreads only where the engine sampled a midpoint at that horizon after the fill (MarkoutSampled).",
  "Reference time: receipt (NBBO from OrderReceived.arrival); for stops the trigger (the quote at routing). Not covered: child orders, non-NMS symbols, risk-denied orders, FOK, receipt outside 09:30–16:00 ET or without a two-sided NBBO.",
];

export async function rule605File(prisma: PrismaClient, firm: Firm, month: string, summary: boolean): Promise<RegulatoryFile> {
  const orders = await collect(ordersReceived(prisma, monthPeriod(month)), (r) => coveredOrder(r, firm));
  const header = { dsgntParticipant: firm.dsgntParticipant, rprtEntityCd: firm.rprtEntityCd, month: month.replace("-", "") };
  if (summary) {
    const text = rule605Summary(header, orders);
    const preview = table(text, ",", "\r\n");
    return file({
      kind: "rule605Summary",
      fileName: summaryFileName(header),
      format: "csv",
      content: Buffer.from(text, "ascii"),
      rows: preview.rows.length,
      preview,
      notes: [`${orders.length} covered orders.`, ...NOTES_605],
    });
  }
  const text = rule605Detailed(header, orders);
  const preview = table(text, "|", "\n");
  return file({
    kind: "rule605",
    fileName: `${header.rprtEntityCd}${header.month}.txt`,
    format: "psv",
    content: Buffer.from(text, "ascii"),
    rows: preview.rows.length,
    preview,
    notes: [`${orders.length} covered orders.`, ...NOTES_605],
  });
}

/** Venue name and MIC (`config.mic` when the venue has one, else its id) from the reference data. */
export async function venueNames(prisma: PrismaClient): Promise<(id: string) => { name: string; mic: string }> {
  const rows = await prisma.$queryRawUnsafe<{ id: string; name: string; mic: string | null }[]>(
    "SELECT id, name, config->>'mic' AS mic FROM venue",
  );
  const byId = new Map(rows.map((r) => [r.id, { name: r.name, mic: r.mic ?? r.id }]));
  return (id) => byId.get(id) ?? { name: id, mic: id };
}

export interface Quarter606 {
  bd: string;
  year: number;
  quarter: number;
  orders: HeldOrder[];
  materialAspects: string;
}

const NOTES_606 = [
  "Net payment: the venues' fees (paid, negative) and rebates (received, positive) on the orders' fills in USD, from each fill's journaled fee lines (the venue's figure or its fee schedule); Fillmore receives no payment for order flow. Orders without fees count zero.",
  "Every order is held (Fillmore has no not-held marking); directed = the client named the venue. A split order counts once, at its first child's venue. No options section.",
];

export async function quarter606(prisma: PrismaClient, firm: Firm, quarter: string): Promise<Quarter606> {
  const names = await venueNames(prisma);
  const orders = await collect(ordersReceived(prisma, quarterPeriod(quarter)), (r) => heldOrder(r, firm, names));
  return {
    bd: firm.name,
    year: Number(quarter.slice(0, 4)),
    quarter: Number(quarter.slice(6)),
    orders,
    materialAspects: firm.materialAspects,
  };
}

/** One preview row per month × section × venue. */
export function preview606(q: Quarter606, quarter: string): { columns: string[]; rows: string[][] } {
  const rows: string[][] = [];
  for (const month of quarterMonths(quarter)) {
    for (const section of ["SP500", "OtherStocks"] as const) {
      const list = q.orders.filter((o) => o.month === month && o.section === section);
      if (list.length === 0) continue;
      const s = section606(list);
      for (const v of s.venues)
        rows.push([
          month,
          section,
          s.ndoPct,
          v.name,
          v.mic,
          v.orderPct,
          v.typePct.market,
          v.typePct.marketableLimit,
          v.typePct.nonMarketableLimit,
          v.typePct.other,
          v.netUsd.market,
          v.netUsd.marketableLimit,
          v.netUsd.nonMarketableLimit,
          v.netUsd.other,
        ]);
    }
  }
  return {
    columns: [
      "month",
      "section",
      "ndoPct",
      "venue",
      "mic",
      "orderPct",
      "marketPct",
      "marketableLimitPct",
      "nonMarketableLimitPct",
      "otherPct",
      "netMarketUsd",
      "netMarketableLimitUsd",
      "netNonMarketableLimitUsd",
      "netOtherUsd",
    ],
    rows,
  };
}

export async function rule606File(prisma: PrismaClient, firm: Firm, quarter: string, pdf: boolean): Promise<RegulatoryFile> {
  const q = await quarter606(prisma, firm, quarter);
  const preview = preview606(q, quarter);
  const base = `${firm.rprtEntityCd}_606a_${quarter}`;
  const common = { rows: preview.rows.length, preview, notes: [`${q.orders.length} held orders routed.`, ...NOTES_606] };
  if (pdf) return file({ kind: "rule606Pdf", fileName: `${base}.pdf`, format: "pdf", content: await rule606Pdf(q, quarter), ...common });
  return file({ kind: "rule606", fileName: `${base}.xml`, format: "xml", content: Buffer.from(rule606Xml(q), "utf8"), ...common });
}

const CAT_TYPES = ["OrderReceived", "OrderSubmitted", "OrderReplaced", "OrderCancelled"];

export async function catFileFor(prisma: PrismaClient, firm: Firm, day: string): Promise<RegulatoryFile> {
  const records = await collect(ordersActiveIn(prisma, dayPeriod(day), CAT_TYPES), (r) => r);
  const events = records.flatMap((r) => r.events).sort((a, b) => a.seq - b.seq);
  const destinations = Object.fromEntries(Object.entries(firm.catDestinations));
  const compact = day.replace(/-/g, "");
  const cat = catRecords({ submitterId: firm.catSubmitterId, reporterImid: firm.catReporterImid, destinations }, events).filter((r) =>
    String(r.eventTimestamp).startsWith(compact),
  );
  const columns = [
    "type",
    "eventTimestamp",
    "orderID",
    "symbol",
    "side",
    "quantity",
    "orderType",
    "destination",
    "routedOrderID",
    "firmROEID",
  ];
  return file({
    kind: "cat",
    fileName: catFileName({ submitterId: firm.catSubmitterId, reporterImid: firm.catReporterImid, destinations }, day, firm.catGroup, 1),
    format: "ndjson",
    content: Buffer.from(catFile(cat), "utf8"),
    rows: cat.length,
    preview: { columns, rows: cat.map((r) => columns.map((c) => (r[c] === undefined ? "" : String(r[c])))) },
    notes: [
      "Agency orders routed to venues: MENO, MEOR, MEOM, MEOC; no MEOT (the venue executes and reports). The day is the US Eastern calendar day.",
      "Not built: bzip2 compression and the companion metadata file.",
    ],
  });
}

export async function customer606File(prisma: PrismaClient, firm: Firm, accountId: string, month: string): Promise<RegulatoryFile> {
  const months = sixMonths(month);
  const names = await venueNames(prisma);
  const period = { from: monthPeriod(months[0] as string).from, to: monthPeriod(month).to };
  const report = await customer606(ordersReceived(prisma, period, { accountId }), names);
  const rows = report.rows;
  return file({
    kind: "customer606",
    fileName: `${firm.rprtEntityCd}_606b3_${accountId}_${month}.xml`,
    format: "xml",
    content: Buffer.from(customer606Xml(firm.name, accountId, months, report), "utf8"),
    rows: rows.length,
    preview: { columns: [...report.columns], rows: rows.map((r) => report.columns.map((c) => String(r[c] ?? ""))) },
    notes: report.notes,
  });
}

/** The file of a kind for its period. */
export function regulatoryFile(
  prisma: PrismaClient,
  firm: Firm,
  request:
    | { kind: "rule605" | "rule605Summary"; month: string }
    | { kind: "rule606" | "rule606Pdf"; quarter: string }
    | { kind: "cat"; day: string }
    | { kind: "customer606"; accountId: string; month: string },
): Promise<RegulatoryFile> {
  switch (request.kind) {
    case "rule605":
    case "rule605Summary":
      return rule605File(prisma, firm, request.month, request.kind === "rule605Summary");
    case "rule606":
    case "rule606Pdf":
      return rule606File(prisma, firm, request.quarter, request.kind === "rule606Pdf");
    case "cat":
      return catFileFor(prisma, firm, request.day);
    case "customer606":
      return customer606File(prisma, firm, request.accountId, request.month);
  }
}
