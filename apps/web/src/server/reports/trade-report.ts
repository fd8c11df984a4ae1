import type { PrismaClient } from "@fillmore/db";
import { type Decimal, money } from "@fillmore/shared";
import { z } from "zod";
import { AverageCostBooks, bookKey } from "./realized";

// The customer's TradeReport, from the fill projection (packages/db/migrations/1764000000030): booked
// fills only (not a split parent's copies, not busted; a corrected fill counts at its corrected qty/px),
// so every figure traces back to OrderFilled/OrderPartiallyFilled events by their seq.

const name = z.string().trim().min(1).max(128);
const instant = z.iso.datetime({ offset: true, local: false });

export const REPORT_TYPES = ["daily", "weekly", "monthly", "regulatory"] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

export const reportFilters = z
  .object({
    strategy: name.optional(),
    symbol: name.optional(),
    /** The venue (broker) the fill came from. */
    broker: name.optional(),
    accountId: name.optional(),
  })
  .strict();
export type ReportFilters = z.output<typeof reportFilters>;

/** A report's range is [from, to): given, or the UTC day, ISO week (Monday) or month holding `asOf`. */
export const tradeReportQuery = z
  .object({
    reportType: z.enum(REPORT_TYPES),
    dateRange: z.object({ from: instant, to: instant }).strict().optional(),
    /** A day (YYYY-MM-DD, UTC) inside the period; default today. Ignored when dateRange is given. */
    asOf: z.iso.date().optional(),
    filters: reportFilters.default({}),
  })
  .strict()
  .refine((q) => !q.dateRange || Date.parse(q.dateRange.from) < Date.parse(q.dateRange.to), {
    message: "dateRange.from must be before dateRange.to",
    path: ["dateRange"],
  })
  .refine((q) => !q.dateRange || Date.parse(q.dateRange.to) - Date.parse(q.dateRange.from) <= 400 * 86_400_000, {
    message: "a report spans at most 400 days",
    path: ["dateRange"],
  });
export type TradeReportQuery = z.output<typeof tradeReportQuery>;

export const tradeReportInput = tradeReportQuery.and(
  z
    .object({ limit: z.number().int().min(0).max(1000).default(200) })
    .strict()
    .partial(),
);

const DAY = 86_400_000;

/** The period of a report: its dateRange, else the day, week (Monday 00:00 UTC) or month of asOf. */
export function reportPeriod(
  q: Pick<TradeReportQuery, "reportType" | "dateRange" | "asOf">,
  today = new Date(),
): { from: string; to: string } {
  if (q.dateRange) return { from: new Date(q.dateRange.from).toISOString(), to: new Date(q.dateRange.to).toISOString() };
  const day = q.asOf
    ? new Date(`${q.asOf}T00:00:00.000Z`)
    : new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const t = day.getTime();
  switch (q.reportType) {
    case "daily":
      return { from: day.toISOString(), to: new Date(t + DAY).toISOString() };
    case "weekly": {
      const monday = t - ((day.getUTCDay() + 6) % 7) * DAY;
      return { from: new Date(monday).toISOString(), to: new Date(monday + 7 * DAY).toISOString() };
    }
    default: {
      // monthly, and regulatory without a range: the calendar month (Rule 605 reports by month).
      const y = day.getUTCFullYear();
      const m = day.getUTCMonth();
      return { from: new Date(Date.UTC(y, m, 1)).toISOString(), to: new Date(Date.UTC(y, m + 1, 1)).toISOString() };
    }
  }
}

/** One booked fill of the report, with the order's details and what it realized (average cost). */
export interface TradeRow {
  seq: number;
  /** UTC, microseconds. */
  ts: string;
  execId: string;
  orderId: string;
  clOrdId: string | null;
  accountId: string;
  strategy: string | null;
  symbol: string;
  side: "Buy" | "Sell";
  qty: Decimal;
  px: Decimal;
  notional: Decimal;
  venueId: string;
  liquidity: string | null;
  fees: Decimal;
  currency: string | null;
  realizedPnL: Decimal;
  corrected: boolean;
}

export interface TradeMetrics {
  totalTrades: number;
  totalVolume: Decimal;
  /** Average cost, in the instruments' quote currency. */
  realizedPnL: Decimal;
  /** Σ fees of the fills (commissions and venue fees), in their currency. */
  commissions: Decimal;
  commissionsByCurrency: Record<string, Decimal>;
  /** Σ qty·px / Σ qty, half-even to 8 places; null without trades. */
  averageFillPrice: Decimal | null;
  totalNotional: Decimal;
}

export interface TradeReport {
  reportType: ReportType;
  period: { from: string; to: string };
  filters: ReportFilters;
  metrics: TradeMetrics;
  trades: TradeRow[];
  /** More trades than `trades` holds (the preview limit). */
  truncated: boolean;
  generatedAt: string;
}

/**
 * Rows of a query as arrays, in the select list's order: pg's rowMode "array" in the export process
 * (exports/export-process.ts: no Prisma, no object per row), Prisma's rows turned into arrays in the
 * console (the report preview).
 */
export type SqlArrays = (text: string, values: unknown[]) => Promise<unknown[][]>;

export const prismaArrays =
  (prisma: PrismaClient): SqlArrays =>
  async (text, values) =>
    (await prisma.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values)).map((r) => Object.values(r));

/** The columns tradePages selects, by position. */
const F = {
  seq: 0,
  ts: 1,
  execId: 2,
  orderId: 3,
  clOrdId: 4,
  accountId: 5,
  strategy: 6,
  symbol: 7,
  side: 8,
  qty: 9,
  px: 10,
  notional: 11,
  venueId: 12,
  liquidity: 13,
  fees: 14,
  currency: 15,
  corrected: 16,
  inPeriod: 17,
} as const;

const PAGE = 5000;

/** The report's trades one by one (tradePages, flattened). */
export async function* tradeRows(
  sql: SqlArrays,
  q: TradeReportQuery,
  accounts: readonly string[] | null,
  period = reportPeriod(q),
): AsyncGenerator<TradeRow> {
  for await (const page of tradePages(sql, q, accounts, period)) yield* page;
}

/**
 * Every booked fill of the books the filters select, oldest first, up to `to`: the fills before
 * `from` only build the books' cost basis; those in [from, to) matching the broker filter are yielded
 * with what they realized, a page at a time. Keyset paging on seq, bounded memory (two pages and one
 * entry per book).
 */
export async function* tradePages(
  sql: SqlArrays,
  q: TradeReportQuery,
  accounts: readonly string[] | null,
  period = reportPeriod(q),
): AsyncGenerator<TradeRow[]> {
  const books = new AverageCostBooks();
  const page = (after: string) => {
    const values: unknown[] = [period.from];
    const p = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    const where = [
      "NOT f.parent_copy",
      "NOT f.busted",
      "f.seq IS NOT NULL",
      `f.seq > ${p(after)}::bigint`,
      `f.ts < ${p(period.to)}::timestamptz`,
    ];
    if (q.filters.accountId) where.push(`f.account_id = ${p(q.filters.accountId)}`);
    if (q.filters.strategy) where.push(`f.strategy = ${p(q.filters.strategy)}`);
    if (q.filters.symbol) where.push(`f.symbol = ${p(q.filters.symbol)}`);
    if (accounts) where.push(`f.account_id = ANY(${p(accounts)}::text[])`);
    return sql(
      `SELECT f.seq::text AS seq, to_char(f.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts, f.exec_id, f.order_id,
         o.cl_ord_id, f.account_id, f.strategy, f.symbol, f.side, trim_scale(f.last_qty)::text AS qty, trim_scale(f.last_px)::text AS px,
         trim_scale(f.last_qty * f.last_px)::text AS notional, f.venue_id, f.liquidity, trim_scale(f.fees)::text AS fees, f.currency, f.corrected,
         f.ts >= $1::timestamptz AS in_period
       FROM fill f LEFT JOIN orders o ON o.id = f.order_id
       WHERE ${where.join(" AND ")} ORDER BY f.seq LIMIT ${PAGE}`,
      values,
    );
  };
  // The next page is asked for before this one is processed: Postgres reads it while this process
  // realizes and writes the current one (two pages in memory at most).
  let pending: Promise<unknown[][]> | null = page("0");
  const broker = q.filters.broker;
  try {
    while (pending) {
      const rows: unknown[][] = await pending;
      const last = rows.at(-1);
      pending = last && rows.length === PAGE ? page(last[F.seq] as string) : null;
      const trades: TradeRow[] = [];
      for (const r of rows) {
        const side = r[F.side] as "Buy" | "Sell";
        const qty = r[F.qty] as Decimal;
        const px = r[F.px] as Decimal;
        const book = bookKey(r[F.accountId] as string, r[F.strategy] as string | null, r[F.symbol] as string);
        const realizedPnL = books.apply({ book, side, qty, px });
        if (r[F.inPeriod] !== true) continue;
        if (broker && r[F.venueId] !== broker) continue;
        trades.push(tradeRow(r, side, qty, px, realizedPnL));
      }
      if (trades.length > 0) yield trades;
    }
  } finally {
    // A consumer that stops early (a failed export) leaves the prefetched page unread: never an unhandled rejection.
    pending?.catch(() => undefined);
  }
}

function tradeRow(r: unknown[], side: "Buy" | "Sell", qty: Decimal, px: Decimal, realizedPnL: Decimal): TradeRow {
  return {
    seq: Number(r[F.seq]),
    ts: r[F.ts] as string,
    execId: r[F.execId] as string,
    orderId: r[F.orderId] as string,
    clOrdId: r[F.clOrdId] as string | null,
    accountId: r[F.accountId] as string,
    strategy: r[F.strategy] as string | null,
    symbol: r[F.symbol] as string,
    side,
    qty,
    px,
    notional: r[F.notional] as Decimal,
    venueId: r[F.venueId] as string,
    liquidity: r[F.liquidity] as string | null,
    fees: r[F.fees] as Decimal,
    currency: r[F.currency] as string | null,
    realizedPnL,
    corrected: r[F.corrected] as boolean,
  };
}

/** Accumulates the report's metrics over its trades (the same rows an export writes). */
export class MetricsAccumulator {
  private trades = 0;
  private volume = "0";
  private notional = "0";
  private realized = "0";
  private fees = "0";
  private readonly byCurrency = new Map<string, Decimal>();

  add(t: TradeRow): void {
    this.trades += 1;
    this.volume = money.add(this.volume, t.qty);
    this.notional = money.add(this.notional, t.notional);
    this.realized = money.add(this.realized, t.realizedPnL);
    this.fees = money.add(this.fees, t.fees);
    const currency = t.currency ?? "USD";
    this.byCurrency.set(currency, money.add(this.byCurrency.get(currency) ?? "0", t.fees));
  }

  result(): TradeMetrics {
    return {
      totalTrades: this.trades,
      totalVolume: money.normalize(this.volume),
      realizedPnL: money.normalize(this.realized),
      commissions: money.normalize(this.fees),
      commissionsByCurrency: Object.fromEntries([...this.byCurrency].map(([c, v]) => [c, money.normalize(v)])),
      averageFillPrice: this.trades === 0 || money.isZero(this.volume) ? null : money.normalize(money.div(this.notional, this.volume, 8)),
      totalNotional: money.normalize(this.notional),
    };
  }
}

/** The report with its metrics over every trade of the period and the first `limit` trades. */
export async function tradeReport(
  prisma: PrismaClient,
  q: TradeReportQuery,
  accounts: readonly string[] | null,
  limit = 200,
): Promise<TradeReport> {
  const period = reportPeriod(q);
  const metrics = new MetricsAccumulator();
  const trades: TradeRow[] = [];
  for await (const t of tradeRows(prismaArrays(prisma), q, accounts, period)) {
    metrics.add(t);
    if (trades.length < limit) trades.push(t);
  }
  const m = metrics.result();
  return {
    reportType: q.reportType,
    period,
    filters: q.filters,
    metrics: m,
    trades,
    truncated: m.totalTrades > trades.length,
    generatedAt: new Date().toISOString(),
  };
}
