import type { Order } from "@fillmore/shared";
import type { JournalEntry } from "./journal";

interface FillRow {
  execId: string;
  orderId: string;
  venueId: string;
  lastQty: string;
  lastPx: string;
  ts: string;
}

const ORDER_COLUMNS = [
  ["orderId", "text"],
  ["clOrdId", "text"],
  ["accountId", "text"],
  ["symbol", "text"],
  ["side", "text"],
  ["ordType", "text"],
  ["timeInForce", "text"],
  ["orderQty", "numeric"],
  ["price", "numeric"],
  ["stopPx", "numeric"],
  ["ordStatus", "text"],
  ["cumQty", "numeric"],
  ["leavesQty", "numeric"],
  ["avgPx", "numeric"],
  ["venueId", "text"],
  ["strategy", "text"],
  ["createdBy", "text"],
  ["createdAt", "timestamptz"],
  ["updatedAt", "timestamptz"],
  ["lastSeq", "bigint"],
] as const satisfies readonly (readonly [keyof Order, string])[];

/** The journal rows of one batch, as one statement (one round trip, one transaction). */
export function journalStatement(batch: readonly JournalEntry[]): { text: string; values: unknown[] } {
  return {
    text: `INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash)
      SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])`,
    values: [
      batch.map((e) => e.event.seq),
      batch.map((e) => e.event.ts),
      batch.map((e) => e.event.type),
      batch.map((e) => e.event.orderId),
      batch.map((e) => e.event.accountId),
      batch.map((e) => e.event.actor),
      batch.map((e) => JSON.stringify(e.event)),
      batch.map((e) => e.prevHash),
      batch.map((e) => e.hash),
    ],
  };
}

/**
 * The read model of committed entries: the latest state of every order they touched and their
 * fills, as one statement. Rebuildable from the journal, so it is written after the commit.
 */
export function projectionStatement(entries: readonly JournalEntry[]): { text: string; values: unknown[] } | null {
  const latest = new Map<string, Order>();
  const fills: FillRow[] = [];
  for (const entry of entries) {
    if (entry.orderAfter) latest.set(entry.orderAfter.orderId, entry.orderAfter);
    const e = entry.event;
    if ((e.type === "OrderFilled" || e.type === "OrderPartiallyFilled") && e.orderId) {
      const { venueId, execId, lastQty, lastPx } = e.data;
      fills.push({ execId: `${venueId}:${execId}`, orderId: e.orderId, venueId, lastQty, lastPx, ts: e.ts });
    }
  }
  if (latest.size === 0 && fills.length === 0) return null;
  const orders = [...latest.values()];
  const values: unknown[] = [
    ...ORDER_COLUMNS.map(([key]) => orders.map((o) => o[key])),
    ...(["execId", "orderId", "venueId", "lastQty", "lastPx", "ts"] as const).map((k) => fills.map((f) => f[k])),
  ];
  const orderParams = ORDER_COLUMNS.map(([, type], i) => `$${1 + i}::${type}[]`).join(", ");
  const f = 1 + ORDER_COLUMNS.length;
  const text = `
    WITH order_rows AS (
      INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, price, stop_px,
        ord_status, cum_qty, leaves_qty, avg_px, venue_id, strategy, created_by, created_at, updated_at, last_seq)
      SELECT * FROM unnest(${orderParams})
      ON CONFLICT (id) DO UPDATE SET order_qty = excluded.order_qty, price = excluded.price, stop_px = excluded.stop_px,
        ord_status = excluded.ord_status, cum_qty = excluded.cum_qty, leaves_qty = excluded.leaves_qty,
        avg_px = excluded.avg_px, venue_id = excluded.venue_id, updated_at = excluded.updated_at, last_seq = excluded.last_seq
      WHERE orders.last_seq < excluded.last_seq
      RETURNING 1
    )
    INSERT INTO fill (exec_id, order_id, venue_id, last_qty, last_px, ts)
    SELECT * FROM unnest($${f}::text[], $${f + 1}::text[], $${f + 2}::text[], $${f + 3}::numeric[], $${f + 4}::numeric[], $${f + 5}::timestamptz[])
    ON CONFLICT (exec_id) DO NOTHING`;
  return { text, values };
}
