import type { PrismaClient } from "@fillmore/db";
import { type JournalEvent, type OrderRecord, orderRecord } from "./order-record";
import type { Period } from "./periods";

// Reading the journal for the regulatory reports with indexed queries only: the orders received in a
// period come from the (type, seq) / ts indexes, a page of them at a time; each page's events come in
// one query by order id (journal_order_id_seq_idx). Nothing is read row by row.

export const PAGE = 500;
/** Journal seqs per window of the period: each window is one bounded (type, seq) range read. */
export const WINDOW = 5000;

/** The payload as text, parsed here: faster than the driver's jsonb decoding. */
interface PayloadRow {
  payload: string;
}

/** Every event of these orders, in journal order, grouped by order. */
export async function eventsOf(prisma: PrismaClient, orderIds: readonly string[]): Promise<Map<string, JournalEvent[]>> {
  const byOrder = new Map<string, JournalEvent[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const rows = await prisma.$queryRawUnsafe<PayloadRow[]>(
    "SELECT payload::text AS payload FROM journal WHERE order_id = ANY($1::text[]) ORDER BY seq",
    orderIds as string[],
  );
  for (const row of rows) {
    const p = JSON.parse(row.payload) as { seq: number; ts: string; type: string; orderId: string | null; data?: Record<string, unknown> };
    if (!p.orderId) continue;
    byOrder.get(p.orderId)?.push({ seq: p.seq, ts: p.ts, type: p.type, orderId: p.orderId, data: p.data ?? {} });
  }
  return byOrder;
}

/**
 * The journal seqs of the period's first and last events, each one row off `journal_ts_idx`, so the
 * page queries walk `(type, seq)` over the period only (the engine stamps ts in seq order).
 */
async function seqBounds(prisma: PrismaClient, period: Period): Promise<{ first: number; last: number } | null> {
  const [row] = await prisma.$queryRawUnsafe<{ first: number | null; last: number | null }[]>(
    `SELECT (SELECT seq::float8 FROM journal WHERE ts >= $1::timestamptz ORDER BY ts LIMIT 1) AS first,
            (SELECT seq::float8 FROM journal WHERE ts < $2::timestamptz ORDER BY ts DESC LIMIT 1) AS last`,
    period.from,
    period.to,
  );
  return row?.first != null && row.last != null && row.first <= row.last ? { first: row.first, last: row.last } : null;
}

/** Orders received in the period (optionally of one account), a seq window at a time, each with its whole history. */
export async function* ordersReceived(
  prisma: PrismaClient,
  period: Period,
  options: { accountId?: string; window?: number } = {},
): AsyncGenerator<OrderRecord> {
  const window = options.window ?? WINDOW;
  const bounds = await seqBounds(prisma, period);
  if (!bounds) return;
  for (let after = bounds.first - 1; after < bounds.last; after += window) {
    const values: unknown[] = [period.from, period.to, after, Math.min(after + window, bounds.last)];
    const account = options.accountId === undefined ? "" : " AND account_id = $5";
    if (options.accountId !== undefined) values.push(options.accountId);
    const ids = await prisma.$queryRawUnsafe<{ order_id: string }[]>(
      `SELECT order_id FROM journal
        WHERE type = 'OrderReceived' AND seq > $3 AND seq <= $4 AND ts >= $1::timestamptz AND ts < $2::timestamptz${account}
        ORDER BY seq`,
      ...values,
    );
    for (let i = 0; i < ids.length; i += PAGE) {
      const events = await eventsOf(
        prisma,
        ids.slice(i, i + PAGE).map((r) => r.order_id),
      );
      for (const list of events.values()) {
        const record = orderRecord(list);
        if (record) yield record;
      }
    }
  }
}

/** Orders with an event in the period (CAT: a day's events), with every event of theirs, received earlier included. */
export async function* ordersActiveIn(prisma: PrismaClient, period: Period, types: readonly string[]): AsyncGenerator<OrderRecord> {
  const ids = await prisma.$queryRawUnsafe<{ order_id: string }[]>(
    `SELECT DISTINCT order_id FROM journal
      WHERE ts >= $1::timestamptz AND ts < $2::timestamptz AND type = ANY($3::text[]) AND order_id IS NOT NULL`,
    period.from,
    period.to,
    types as string[],
  );
  for (let i = 0; i < ids.length; i += PAGE) {
    const events = await eventsOf(
      prisma,
      ids.slice(i, i + PAGE).map((r) => r.order_id),
    );
    for (const list of events.values()) {
      const record = orderRecord(list);
      if (record) yield record;
    }
  }
}
