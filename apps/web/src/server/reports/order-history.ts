import type { PrismaClient } from "@fillmore/db";
import { ORD_STATUSES } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

// Order history over the orders projection: every order ever received (the blotter is the live view),
// filtered, sorted on the server by any of a few columns and paged by keyset ((sort value, id) after
// the cursor's), never OFFSET, so page 5,000 costs what page 1 costs. The same query feeds the
// blotter and history exports.

const name = z.string().trim().min(1).max(128);
const instant = z.iso.datetime({ offset: true, local: false });

/** Sortable columns and the SQL expression each sorts by (constants only: never user text in SQL). */
export const ORDER_SORTS = {
  createdAt: "created_at",
  updatedAt: "updated_at",
  symbol: "symbol",
  accountId: "account_id",
  ordStatus: "ord_status",
  orderQty: "order_qty",
  cumQty: "cum_qty",
} as const;
export type OrderSort = keyof typeof ORDER_SORTS;

export const orderFilters = z
  .object({
    accountId: name.optional(),
    symbol: name.optional(),
    strategy: name.optional(),
    side: z.enum(["Buy", "Sell"]).optional(),
    ordStatus: z.array(z.enum(ORD_STATUSES)).max(ORD_STATUSES.length).optional(),
    /** Created in [from, to). */
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();
export type OrderFilters = z.output<typeof orderFilters>;

export const orderHistoryInput = z
  .object({
    filters: orderFilters.default({}),
    sort: z.enum(Object.keys(ORDER_SORTS) as [OrderSort, ...OrderSort[]]).default("createdAt"),
    dir: z.enum(["asc", "desc"]).default("desc"),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().max(512).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export type OrderHistoryInput = z.input<typeof orderHistoryInput>;

export interface HistoryOrder {
  orderId: string;
  clOrdId: string;
  accountId: string;
  strategy: string | null;
  symbol: string;
  side: string;
  ordType: string;
  timeInForce: string;
  orderQty: string;
  price: string | null;
  stopPx: string | null;
  ordStatus: string;
  cumQty: string;
  leavesQty: string;
  avgPx: string;
  venueId: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastSeq: number;
}

interface Row {
  id: string;
  cl_ord_id: string;
  account_id: string;
  strategy: string | null;
  symbol: string;
  side: string;
  ord_type: string;
  time_in_force: string;
  order_qty: string;
  price: string | null;
  stop_px: string | null;
  ord_status: string;
  cum_qty: string;
  leaves_qty: string;
  avg_px: string;
  venue_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_seq: string;
  sort_value: string;
}

const US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

function toOrder(r: Row): HistoryOrder {
  return {
    orderId: r.id,
    clOrdId: r.cl_ord_id,
    accountId: r.account_id,
    strategy: r.strategy,
    symbol: r.symbol,
    side: r.side,
    ordType: r.ord_type,
    timeInForce: r.time_in_force,
    orderQty: r.order_qty,
    price: r.price,
    stopPx: r.stop_px,
    ordStatus: r.ord_status,
    cumQty: r.cum_qty,
    leavesQty: r.leaves_qty,
    avgPx: r.avg_px,
    venueId: r.venue_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastSeq: Number(r.last_seq),
  };
}

function badCursor(): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message: "cursor: not a cursor of this order history" });
}

function decodeCursor(cursor: string): { v: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string")
      return { v: parsed[0], id: parsed[1] };
  } catch {
    // falls through
  }
  throw badCursor();
}

const encodeCursor = (v: string, id: string) => Buffer.from(JSON.stringify([v, id])).toString("base64url");

/** One page of orders, sorted and filtered on the server; `nextCursor` null on the last page. */
export async function orderHistoryPage(
  prisma: PrismaClient,
  input: z.output<typeof orderHistoryInput>,
  accounts: readonly string[] | null,
): Promise<{ orders: HistoryOrder[]; nextCursor: string | null }> {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const f = input.filters;
  const where: string[] = [];
  if (f.accountId) where.push(`account_id = ${p(f.accountId)}`);
  if (f.symbol) where.push(`symbol = ${p(f.symbol)}`);
  if (f.strategy) where.push(`strategy = ${p(f.strategy)}`);
  if (f.side) where.push(`side = ${p(f.side)}`);
  if (f.ordStatus && f.ordStatus.length > 0) where.push(`ord_status = ANY(${p(f.ordStatus)}::text[])`);
  if (f.from) where.push(`created_at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`created_at < ${p(f.to)}::timestamptz`);
  if (accounts) where.push(`account_id = ANY(${p(accounts)}::text[])`);
  const column = ORDER_SORTS[input.sort];
  const numeric = input.sort === "orderQty" || input.sort === "cumQty";
  const timestamp = input.sort === "createdAt" || input.sort === "updatedAt";
  const cast = numeric ? "::numeric" : timestamp ? "::timestamptz" : "";
  if (input.cursor) {
    const c = decodeCursor(input.cursor);
    if ((numeric && !/^-?\d+(\.\d+)?$/.test(c.v)) || (timestamp && Number.isNaN(Date.parse(c.v)))) throw badCursor();
    where.push(`(${column}, id) ${input.dir === "asc" ? ">" : "<"} (${p(c.v)}${cast}, ${p(c.id)})`);
  }
  const dir = input.dir === "asc" ? "ASC" : "DESC";
  // The table's columns, qualified: the SELECT list has text aliases of the same names, which ORDER BY would take.
  const sortValue = timestamp ? `to_char(orders.${column} AT TIME ZONE 'UTC', ${US})` : `orders.${column}::text`;
  const rows = await prisma.$queryRawUnsafe<Row[]>(
    `SELECT id, cl_ord_id, account_id, strategy, symbol, side, ord_type, time_in_force, order_qty::text AS order_qty,
       price::text AS price, stop_px::text AS stop_px, ord_status, cum_qty::text AS cum_qty, leaves_qty::text AS leaves_qty,
       avg_px::text AS avg_px, venue_id, created_by, to_char(created_at AT TIME ZONE 'UTC', ${US}) AS created_at,
       to_char(updated_at AT TIME ZONE 'UTC', ${US}) AS updated_at, last_seq::text AS last_seq, ${sortValue} AS sort_value
     FROM orders${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
     ORDER BY orders.${column} ${dir}, orders.id ${dir} LIMIT ${p(input.limit + 1)}`,
    ...values,
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    orders: page.map(toOrder),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.sort_value, last.id) : null,
  };
}

/** Every order matching the filters, in the sort, page by page (exports). */
export async function* orderHistoryRows(
  prisma: PrismaClient,
  input: z.output<typeof orderHistoryInput>,
  accounts: readonly string[] | null,
): AsyncGenerator<HistoryOrder> {
  let cursor: string | undefined;
  for (;;) {
    const page = await orderHistoryPage(prisma, { ...input, cursor, limit: 500 }, accounts);
    yield* page.orders;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
