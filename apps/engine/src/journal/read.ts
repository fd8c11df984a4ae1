import type { AnyEvent } from "@fillmore/shared";
import type pg from "pg";

export interface StoredEvent {
  event: AnyEvent;
  prevHash: string;
  hash: string;
  columns: { seq: number; type: string; orderId: string | null; accountId: string | null; actor: string | null };
}

/** Reads the journal in sequence order, in pages, without loading it all at once. */
export async function* readJournal(pool: pg.Pool, afterSeq = 0, pageSize = 5000): AsyncGenerator<StoredEvent> {
  let after = afterSeq;
  for (;;) {
    const { rows } = await pool.query<{
      seq: string;
      type: string;
      order_id: string | null;
      account_id: string | null;
      actor: string | null;
      payload: AnyEvent;
      prev_hash: string;
      hash: string;
    }>(
      `SELECT seq::text AS seq, type, order_id, account_id, actor, payload, prev_hash, hash
       FROM journal WHERE journal.seq > $1 ORDER BY journal.seq LIMIT $2`,
      [after, pageSize],
    );
    for (const row of rows) {
      yield {
        event: row.payload,
        prevHash: row.prev_hash,
        hash: row.hash,
        columns: { seq: Number(row.seq), type: row.type, orderId: row.order_id, accountId: row.account_id, actor: row.actor },
      };
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = Number(last.seq);
  }
}

export async function readOrderEvents(pool: pg.Pool, orderId: string): Promise<AnyEvent[]> {
  const { rows } = await pool.query<{ payload: AnyEvent }>("SELECT payload FROM journal WHERE order_id = $1 ORDER BY seq", [orderId]);
  return rows.map((r) => r.payload);
}
