import type pg from "pg";
import type { JournalEntry } from "../journal/journal";
import type { Projector } from "../journal/projector";
import { readJournal } from "../journal/read";
import type { OrderManager } from "../orders/order-manager";
import type { RiskSettings } from "../risk/risk-settings";

/**
 * Rebuilds live state from the journal. The read model may lag the journal after a crash: whatever
 * it had not written yet is handed to the projector. Returns how many events were replayed.
 */
export async function replayJournal(pool: pg.Pool, orders: OrderManager, risk: RiskSettings, projector: Projector): Promise<number> {
  const { rows } = await pool.query<{ seq: string }>("SELECT coalesce(max(last_seq), 0)::text AS seq FROM orders");
  const projectedSeq = Number(rows[0]?.seq ?? 0);
  const catchUp: JournalEntry[] = [];
  let replayed = 0;
  for await (const stored of readJournal(pool)) {
    orders.replay(stored.event);
    risk.replay(stored.event);
    replayed += 1;
    if (stored.event.seq > projectedSeq && stored.event.orderId !== null) {
      catchUp.push({ ...stored, orderAfter: orders.get(stored.event.orderId) });
    }
  }
  projector.enqueue(catchUp);
  return replayed;
}
