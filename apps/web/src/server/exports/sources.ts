import type { PrismaClient } from "@fillmore/db";
import type { z } from "zod";
import type { EngineClient } from "../engine-client";
import { type HistoryOrder, orderHistoryInput, orderHistoryRows } from "../reports/order-history";
import { prismaArrays, reportPeriod, type SqlArrays, tradePages, tradeReportQuery } from "../reports/trade-report";
import { type AuditEvent, asOfExportInput, auditSearchInput, resolveOrders, searchQuery, toAuditEvent } from "../routers/audit";
import type { AccountScope } from "../scope";
import { asOfOrders } from "./as-of-view";
import { blotterCount, blotterRows, blotterViewInput } from "./blotter-view";
import type { Columns } from "./columns";
import { orderTrail, orderTrailInput, type TrailLine, trailColumns } from "./order-trail";
import { qualityDocument, qualityExportInput, qualityText } from "./quality-document";
import { tradeColumns } from "./trade-columns";
import type { ExportFormat, ExportHeading } from "./writers";

/**
 * What can be exported: a trade report, an audit search result, the blotter / order history view.
 * Each source has its input (the same filters as its screen), its columns and its rows, read page
 * by page so an export never holds more than a page in memory.
 */
export interface SourceContext {
  prisma: PrismaClient;
  /** Where the trade report reads its fills as arrays (the export process's pg pool); default through Prisma. */
  sql?: SqlArrays;
  scope: Pick<AccountScope, "accountIds" | "assertAccount">;
  /** The engine, for an order's FIX messages (the order source) and the book as of T (asOf). */
  engine?: Pick<EngineClient, "orderFixMessages" | "bookAsOf">;
}

type Rows<T> = AsyncIterable<T | readonly T[]>;

/** A source's rows ready to write, with their number when it is known before writing (progress "n of N"). */
export interface Prepared<T> {
  rows: Rows<T>;
  total: number | null;
  /** A file that is not one table (the Quality page's CSV sections): its whole text, written as is. */
  text?: (format: ExportFormat, heading: ExportHeading) => string;
}

const auditColumns: Columns<AuditEvent> = [
  { header: "seq", value: (e) => e.seq, kind: "int", width: 45 },
  { header: "time (UTC)", value: (e) => e.ts, kind: "time", width: 120 },
  { header: "type", value: (e) => e.type, kind: "text", width: 90 },
  { header: "orderId", value: (e) => e.orderId, kind: "text", width: 50 },
  { header: "account", value: (e) => e.accountId, kind: "text", width: 60 },
  { header: "actor", value: (e) => e.actor, kind: "text", width: 90 },
  { header: "data", value: (e) => e.data, kind: "text", width: 260 },
  { header: "hash", value: (e) => e.hash, kind: "text", width: 80, chars: 64 },
];

const orderColumns: Columns<HistoryOrder> = [
  { header: "orderId", value: (o) => o.orderId, kind: "text", width: 50 },
  { header: "clOrdId", value: (o) => o.clOrdId, kind: "text", width: 70 },
  { header: "account", value: (o) => o.accountId, kind: "text", width: 60 },
  { header: "strategy", value: (o) => o.strategy, kind: "text", width: 60 },
  { header: "symbol", value: (o) => o.symbol, kind: "text", width: 40 },
  { header: "side", value: (o) => o.side, kind: "text", width: 30 },
  { header: "type", value: (o) => o.ordType, kind: "text", width: 45 },
  { header: "tif", value: (o) => o.timeInForce, kind: "text", width: 30 },
  { header: "qty", value: (o) => o.orderQty, kind: "decimal", width: 45 },
  { header: "price", value: (o) => o.price, kind: "decimal", width: 45 },
  { header: "status", value: (o) => o.ordStatus, kind: "text", width: 70 },
  { header: "cumQty", value: (o) => o.cumQty, kind: "decimal", width: 45 },
  { header: "avgPx", value: (o) => o.avgPx, kind: "decimal", width: 50 },
  { header: "venue", value: (o) => o.venueId, kind: "text", width: 50 },
  { header: "createdBy", value: (o) => o.createdBy, kind: "text", width: 80 },
  { header: "created (UTC)", value: (o) => o.createdAt, kind: "time", width: 120 },
];

const auditExportInput = auditSearchInput.omit({ cursor: true, limit: true, direction: true });

function auditRows(ctx: SourceContext, input: z.output<typeof auditExportInput>): AsyncIterable<AuditEvent[]> {
  if (input.accountId !== undefined) ctx.scope.assertAccount(input.accountId);
  return auditPages(ctx, input);
}

async function* auditPages(ctx: SourceContext, input: z.output<typeof auditExportInput>): AsyncGenerator<AuditEvent[]> {
  const run = (text: string, values: unknown[]) => ctx.prisma.$queryRawUnsafe<{ order_id: string }[]>(text, ...values);
  const resolved = await resolveOrders(run, { ...input, limit: 1000 });
  let cursor: number | undefined;
  for (;;) {
    const { text, values } = searchQuery({ ...input, limit: 1000, cursor }, ctx.scope.accountIds, resolved);
    const rows = await ctx.prisma.$queryRawUnsafe<Parameters<typeof toAuditEvent>[0][]>(text, ...values);
    const page = rows.slice(0, 1000).map(toAuditEvent);
    if (page.length > 0) yield page;
    if (rows.length <= 1000) return;
    cursor = page.at(-1)?.seq;
  }
}

/** An export source: its input, title, columns and rows. */
function source<I extends z.ZodType, T>(s: {
  input: I;
  title: (input: z.output<I>) => string;
  columns: Columns<T>;
  /** The rows, one by one or a page (array) at a time. */
  rows: (ctx: SourceContext, input: z.output<I>) => Rows<T>;
  /** The rows and their count, checked and loaded before the export starts (when a source can say more than `rows`). */
  prepare?: (ctx: SourceContext, input: z.output<I>) => Promise<Prepared<T>>;
  /** The formats it is written in, when not all. */
  formats?: readonly ExportFormat[];
}) {
  return s;
}

/** The blotter's rows; a bound key naming another account is refused (FORBIDDEN), not exported empty. */
function blotterView(ctx: SourceContext, view: z.output<typeof blotterViewInput>) {
  if (view.accountId) ctx.scope.assertAccount(view.accountId);
  return blotterRows(ctx.prisma, view, ctx.scope.accountIds);
}

/** An order's history: loaded whole (at most 5,000 events and its FIX messages), so its count is known. */
async function preparedTrail(ctx: SourceContext, input: z.output<typeof orderTrailInput>): Promise<Prepared<TrailLine>> {
  const lines = await orderTrail(ctx, input);
  return {
    rows: (async function* () {
      yield lines;
    })(),
    total: lines.length,
  };
}

export const SOURCES = {
  trades: source({
    input: tradeReportQuery,
    title: (q) => {
      const p = reportPeriod(q);
      return `Trade report (${q.reportType}) ${p.from.slice(0, 10)} to ${p.to.slice(0, 10)}`;
    },
    columns: tradeColumns,
    rows: (ctx, q) => {
      if (q.filters.accountId) ctx.scope.assertAccount(q.filters.accountId);
      return tradePages(ctx.sql ?? prismaArrays(ctx.prisma), q, ctx.scope.accountIds);
    },
  }),
  audit: source({ input: auditExportInput, title: () => "Audit trail search", columns: auditColumns, rows: auditRows }),
  orders: source({
    input: orderHistoryInput.omit({ cursor: true, limit: true }),
    title: () => "Order history",
    columns: orderColumns,
    rows: (ctx, input) => {
      if (input.filters.accountId) ctx.scope.assertAccount(input.filters.accountId);
      return orderHistoryRows(ctx.prisma, { ...input, limit: 500 }, ctx.scope.accountIds);
    },
  }),
  /** One order's complete history: its events and FIX messages in and out (the Audit page's order history). */
  order: source({
    input: orderTrailInput,
    title: (input) => `Order ${input.orderId}: complete history`,
    columns: trailColumns,
    rows: (ctx, input) =>
      (async function* () {
        yield await orderTrail(ctx, input);
      })(),
    prepare: preparedTrail,
  }),
  /** The blotter as filtered on screen, read from the orders read model (every matching order). */
  blotter: source({
    input: blotterViewInput,
    title: () => "Blotter",
    columns: orderColumns,
    rows: blotterView,
    prepare: async (ctx, view) => ({ rows: blotterView(ctx, view), total: await blotterCount(ctx.prisma, view, ctx.scope.accountIds) }),
  }),
  /** The book as of T's orders (the Audit page's historical blotter), every page of them. */
  asOf: source({
    input: asOfExportInput,
    title: (input) => `Book as of ${input.ts ?? `journal seq ${input.seq}`}: orders (historical)`,
    columns: orderColumns,
    rows: asOfOrders,
  }),
  /** The Quality page's figures as its CSV sections (or JSON), computed on the server for the page's filter. */
  quality: source({
    input: qualityExportInput,
    title: () => "Execution quality",
    columns: [],
    rows: () => noRows(),
    prepare: async (ctx, input) => {
      const doc = await qualityDocument(ctx.prisma, input, ctx.scope.accountIds);
      return { rows: noRows(), total: doc.rows, text: (format, heading) => qualityText(doc, format === "json" ? "json" : "csv", heading) };
    },
    formats: ["csv", "json"],
  }),
};

async function* noRows(): AsyncGenerator<never> {}
export type ExportSource = keyof typeof SOURCES;
export const EXPORT_SOURCES = Object.keys(SOURCES) as [ExportSource, ...ExportSource[]];
