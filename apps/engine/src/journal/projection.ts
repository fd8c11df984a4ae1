import type { Order } from "@fillmore/shared";
import type pg from "pg";
import type { JournalEntry } from "./journal";

/** Upserts the latest state of every order touched by a batch, and inserts its fills, in the journal's transaction. */
export async function writeProjections(client: pg.PoolClient, batch: readonly JournalEntry[]): Promise<void> {
  const latest = new Map<string, Order>();
  const fills: { execId: string; orderId: string; venueId: string; lastQty: string; lastPx: string; ts: string }[] = [];
  for (const entry of batch) {
    if (entry.orderAfter) latest.set(entry.orderAfter.orderId, entry.orderAfter);
    const e = entry.event;
    if ((e.type === "OrderFilled" || e.type === "OrderPartiallyFilled") && e.orderId) {
      fills.push({
        execId: `${e.data.venueId}:${e.data.execId}`,
        orderId: e.orderId,
        venueId: e.data.venueId,
        lastQty: e.data.lastQty,
        lastPx: e.data.lastPx,
        ts: e.ts,
      });
    }
  }
  if (latest.size > 0) await upsertOrders(client, [...latest.values()]);
  if (fills.length > 0) {
    await client.query(
      `INSERT INTO fill (exec_id, order_id, venue_id, last_qty, last_px, ts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::timestamptz[])
       ON CONFLICT (exec_id) DO NOTHING`,
      [
        fills.map((f) => f.execId),
        fills.map((f) => f.orderId),
        fills.map((f) => f.venueId),
        fills.map((f) => f.lastQty),
        fills.map((f) => f.lastPx),
        fills.map((f) => f.ts),
      ],
    );
  }
}

export async function upsertOrders(client: pg.PoolClient | pg.Pool, orders: readonly Order[]): Promise<void> {
  const col = <K extends keyof Order>(k: K) => orders.map((o) => o[k]);
  await client.query(
    `INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, price, stop_px,
       ord_status, cum_qty, leaves_qty, avg_px, venue_id, strategy, created_by, created_at, updated_at, last_seq)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[],
       $9::numeric[], $10::numeric[], $11::text[], $12::numeric[], $13::numeric[], $14::numeric[], $15::text[], $16::text[],
       $17::text[], $18::timestamptz[], $19::timestamptz[], $20::bigint[])
     ON CONFLICT (id) DO UPDATE SET order_qty = excluded.order_qty, price = excluded.price, stop_px = excluded.stop_px,
       ord_status = excluded.ord_status, cum_qty = excluded.cum_qty, leaves_qty = excluded.leaves_qty,
       avg_px = excluded.avg_px, venue_id = excluded.venue_id, updated_at = excluded.updated_at, last_seq = excluded.last_seq
     WHERE orders.last_seq < excluded.last_seq`,
    [
      col("orderId"),
      col("clOrdId"),
      col("accountId"),
      col("symbol"),
      col("side"),
      col("ordType"),
      col("timeInForce"),
      col("orderQty"),
      col("price"),
      col("stopPx"),
      col("ordStatus"),
      col("cumQty"),
      col("leavesQty"),
      col("avgPx"),
      col("venueId"),
      col("strategy"),
      col("createdBy"),
      col("createdAt"),
      col("updatedAt"),
      col("lastSeq"),
    ],
  );
}
