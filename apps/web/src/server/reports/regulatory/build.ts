import { createHash } from "node:crypto";
import type { PrismaClient } from "@fillmore/db";
import { bzip2 } from "./bzip2";
import { type CatFirm, type CatRecord, catFile, catFileName, catMetadata, catMetadataFileName, catRecords } from "./cat";
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

export const REGULATORY_KINDS = ["rule605", "rule605Summary", "rule606", "rule606Pdf", "cat", "catMetadata", "customer606"] as const;
export type RegulatoryKind = (typeof REGULATORY_KINDS)[number];

/** Also the file's extension in the export store (never plain "json": that is the store's metadata). */
export type RegulatoryFormat = "psv" | "csv" | "xml" | "pdf" | "bz2" | "meta.json";

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
  bz2: "application/x-bzip2",
  "meta.json": "application/json",
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
  "Fields 45–49 (marketable types) against the best available displayed price: the NBBO at the reference time, as Fillmore's market data has no odd-lot quotes that could better it.",
  "Fields 50–51 (size improvement) left empty: Fillmore's quotes carry no displayed sizes. Fields 52–55 (non-marketable limit and stop types): orders executed in full, shares executed in regular hours and of them on an exchange (venues listed as exchanges in the firm's CAT table), ms to execution of the orders executed in full.",
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
  "Every order is held (Fillmore has no not-held marking); directed = the client named the venue. A split order counts once, at its first child's venue.",
  "Options section (rOptions): written in its zero form (0.00, no venues) every month, since Fillmore trades no options (its instruments have no asset class or option terms; orders are in shares).",
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

const catFirmOf = (firm: Firm): CatFirm => ({
  submitterId: firm.catSubmitterId,
  reporterImid: firm.catReporterImid,
  destinations: Object.fromEntries(Object.entries(firm.catDestinations)),
});

/** The day's CAT records (US Eastern day) and their bzip2-compressed file, one JSON record per line. */
async function catDay(prisma: PrismaClient, firm: Firm, day: string): Promise<{ records: CatRecord[]; compressed: Buffer }> {
  const orders = await collect(ordersActiveIn(prisma, dayPeriod(day), CAT_TYPES), (r) => r);
  const events = orders.flatMap((r) => r.events).sort((a, b) => a.seq - b.seq);
  const compact = day.replace(/-/g, "");
  const records = catRecords(catFirmOf(firm), events).filter((r) => String(r.eventTimestamp).startsWith(compact));
  return { records, compressed: await bzip2(Buffer.from(catFile(records), "utf8")) };
}

const CAT_COLUMNS = [
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
const CAT_NOTES = [
  "Agency orders routed to venues: MENO, MEOR, MEOM, MEOC; no MEOT (the venue executes and reports). The day is the US Eastern calendar day.",
  "The data file is bzip2-compressed (.json.bz2, the system bzip2 binary); its companion metadata file (CAT metadata) names it with its record count and the SHA-256 of the compressed bytes.",
];

/** The order-events data file as submitted: `.json.bz2`. The preview shows the records. */
export async function catFileFor(prisma: PrismaClient, firm: Firm, day: string): Promise<RegulatoryFile> {
  const { records, compressed } = await catDay(prisma, firm, day);
  return file({
    kind: "cat",
    fileName: catFileName(catFirmOf(firm), day, firm.catGroup, 1),
    format: "bz2",
    content: compressed,
    rows: records.length,
    preview: { columns: CAT_COLUMNS, rows: records.map((r) => CAT_COLUMNS.map((c) => (r[c] === undefined ? "" : String(r[c])))) },
    notes: CAT_NOTES,
  });
}

/** The data file's companion metadata (`.meta.json`): its name, record count and the SHA-256 of its compressed bytes. */
export async function catMetadataFileFor(prisma: PrismaClient, firm: Firm, day: string): Promise<RegulatoryFile> {
  const { records, compressed } = await catDay(prisma, firm, day);
  const cat = catFirmOf(firm);
  const meta = catMetadata(cat, catFileName(cat, day, firm.catGroup, 1), records.length, {
    sha256: createHash("sha256").update(compressed).digest("hex"),
    bytes: compressed.length,
  });
  const columns = Object.keys(meta);
  return file({
    kind: "catMetadata",
    fileName: catMetadataFileName(cat, day, firm.catGroup, 1),
    format: "meta.json",
    content: Buffer.from(`${JSON.stringify(meta, null, 2)}\n`, "utf8"),
    rows: 1,
    preview: { columns, rows: [columns.map((c) => String(meta[c as keyof typeof meta]))] },
    notes: CAT_NOTES,
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
    | { kind: "cat" | "catMetadata"; day: string }
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
    case "catMetadata":
      return catMetadataFileFor(prisma, firm, request.day);
    case "customer606":
      return customer606File(prisma, firm, request.accountId, request.month);
  }
}
