import { type AnyEvent, applyOrderEvent, isTerminal, type Order, type OrderEvent } from "@fillmore/shared";
import type pg from "pg";
import { z } from "zod";
import { readJournal } from "../journal/read";
import { CommandError } from "../orders/errors";
import { type Position, Positions } from "../positions/positions";

/**
 * The book as of a past moment (GET /v1/audit/as-of?ts=… or ?seq=…): every order's state and every
 * position rebuilt from the journal up to that point, by the same pure code the engine replays with
 * at start (applyOrderEvent, the order state machine; Positions, the fill-by-fill position book;
 * reconciliation's PositionAdjusted entries). Read only: nothing is journaled, the live engine is
 * untouched. The journal is read from the start in pages (bounded memory besides the rebuilt book);
 * the time is the journal's own (events are stamped in seq order). Corporate actions are not applied
 * (the live positions book applies them; docs/REPORTS.md).
 */
const query = z
  .object({
    ts: z.iso.datetime({ offset: true }).optional(),
    seq: z.coerce.number().int().positive().optional(),
    /** Orders returned: the working ones at that moment first, then the rest, newest first. */
    limit: z.coerce.number().int().min(1).max(10_000).default(2000),
  })
  .strict()
  .refine((q) => (q.ts === undefined) !== (q.seq === undefined), { message: "give either ts or seq" });

export interface BookAsOf {
  /** The last event applied. */
  asOf: { seq: number; ts: string | null; requested: { ts: string | null; seq: number | null } };
  orders: Order[];
  ordersTotal: number;
  working: number;
  positions: Position[];
}

export async function bookAsOf(pool: pg.Pool, url: URL): Promise<BookAsOf> {
  const parsed = query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success)
    throw new CommandError("INVALID_INPUT", parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  const q = parsed.data;
  const until = q.ts === undefined ? null : Date.parse(q.ts);
  const orders = new Map<string, Order>();
  const positions = new Positions();
  let last: AnyEvent | null = null;
  for await (const { event } of readJournal(pool)) {
    if (q.seq !== undefined && event.seq > q.seq) break;
    if (until !== null && Date.parse(event.ts) > until) break;
    if (event.orderId !== null && event.type.startsWith("Order"))
      orders.set(event.orderId, applyOrderEvent(orders.get(event.orderId), event as OrderEvent));
    if (event.type === "PositionAdjusted" && event.accountId) positions.adjust(event.accountId, event.data.symbol, event.data.delta);
    else positions.apply(event);
    last = event;
  }
  const all = [...orders.values()];
  const working = all.filter((o) => !isTerminal(o.ordStatus));
  const done = all.filter((o) => isTerminal(o.ordStatus)).reverse();
  return {
    asOf: { seq: last?.seq ?? 0, ts: last?.ts ?? null, requested: { ts: q.ts ?? null, seq: q.seq ?? null } },
    orders: [...working.reverse(), ...done].slice(0, q.limit),
    ordersTotal: all.length,
    working: working.length,
    positions: positions.all().filter((p) => p.boughtQty !== "0" || p.soldQty !== "0" || p.qty !== "0"),
  };
}
