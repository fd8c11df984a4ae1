import type { PrismaClient } from "@fillmore/db";
import { ORD_STATUSES } from "@fillmore/shared";
import { z } from "zod";
import type { HistoryOrder } from "../reports/order-history";

/**
 * The blotter view as an export: the orders read model with the blotter's own filters, as the blotter
 * applies them (components/blotter.tsx): the symbol box matches symbols containing its text (upper
 * case), the find box order ids or ClOrdIDs containing its text (any case), status and account exactly.
 * Newest first, keyset paged on (created_at, id), 500 orders a page. Every order in the read model
 * matches, not only those the browser holds.
 */
const text = z.string().trim().min(1).max(64);
export const blotterViewInput = z
  .object({
    symbol: text.optional(),
    find: text.optional(),
    status: z.enum(ORD_STATUSES).optional(),
    accountId: text.optional(),
  })
  .strict();
export type BlotterView = z.output<typeof blotterViewInput>;

const US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const PAGE = 500;

/** The WHERE clause of the view (parameters only, never user text in SQL), confined to `accounts` when given. */
export function blotterWhere(view: BlotterView, accounts: readonly string[] | null, values: unknown[]): string[] {
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (view.symbol) where.push(`strpos(symbol, ${p(view.symbol.toUpperCase())}) > 0`);
  if (view.find) {
    const find = p(view.find.toLowerCase());
    where.push(`(strpos(lower(cl_ord_id), ${find}) > 0 OR strpos(lower(id), ${find}) > 0)`);
  }
  if (view.status) where.push(`ord_status = ${p(view.status)}`);
  if (view.accountId) where.push(`account_id = ${p(view.accountId)}`);
  if (accounts) where.push(`account_id = ANY(${p(accounts)}::text[])`);
  return where;
}

const clause = (where: string[]) => (where.length ? ` WHERE ${where.join(" AND ")}` : "");

/** How many orders the view holds (the export's "n of N rows"). */
export async function blotterCount(prisma: PrismaClient, view: BlotterView, accounts: readonly string[] | null): Promise<number> {
  const values: unknown[] = [];
  const where = blotterWhere(view, accounts, values);
  const rows = await prisma.$queryRawUnsafe<{ n: string }[]>(`SELECT count(*)::text AS n FROM orders${clause(where)}`, ...values);
  return Number(rows[0]?.n ?? 0);
}

/** A row as read: last_seq is a bigint, read as text. */
type Row = Omit<HistoryOrder, "lastSeq"> & { lastSeq: string };

/** Every order of the view, newest first, a page at a time. */
export async function* blotterRows(
  prisma: PrismaClient,
  view: BlotterView,
  accounts: readonly string[] | null,
): AsyncGenerator<HistoryOrder[]> {
  let after: { ts: string; id: string } | null = null;
  for (;;) {
    const values: unknown[] = [];
    const where = blotterWhere(view, accounts, values);
    if (after) {
      values.push(after.ts, after.id);
      where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length})`);
    }
    const rows: Row[] = await prisma.$queryRawUnsafe<Row[]>(
      `SELECT id AS "orderId", cl_ord_id AS "clOrdId", account_id AS "accountId", strategy, symbol, side, ord_type AS "ordType",
         time_in_force AS "timeInForce", order_qty::text AS "orderQty", price::text AS price, stop_px::text AS "stopPx",
         ord_status AS "ordStatus", cum_qty::text AS "cumQty", leaves_qty::text AS "leavesQty", avg_px::text AS "avgPx",
         venue_id AS "venueId", created_by AS "createdBy", to_char(created_at AT TIME ZONE 'UTC', ${US}) AS "createdAt",
         to_char(updated_at AT TIME ZONE 'UTC', ${US}) AS "updatedAt", last_seq::text AS "lastSeq"
       FROM orders${clause(where)} ORDER BY created_at DESC, id DESC LIMIT ${PAGE}`,
      ...values,
    );
    if (rows.length > 0) yield rows.map(({ lastSeq, ...o }) => ({ ...o, lastSeq: Number(lastSeq) }));
    const last = rows.at(-1);
    if (rows.length < PAGE || !last) return;
    // createdAt is to the microsecond, as stored: the keyset cursor.
    after = { ts: last.createdAt, id: last.orderId };
  }
}
