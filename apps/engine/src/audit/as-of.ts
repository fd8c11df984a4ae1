import { type AnyEvent, applyOrderEvent, isTerminal, type Order, type OrderEvent, type PositionsSnapshot } from "@fillmore/shared";
import type pg from "pg";
import { z } from "zod";
import { readJournal } from "../journal/read";
import { CommandError } from "../orders/errors";
import { DEFAULT_LIVE_POSITIONS_CONFIG, LivePositions, type LivePositionsConfig } from "../positions/live-positions";
import { type Position, Positions } from "../positions/positions";

/**
 * The book as of a past moment (GET /v1/audit/as-of?ts=… or ?seq=…): every order's state and every
 * position rebuilt from the journal up to that point, by the same pure code the engine replays with
 * at start (applyOrderEvent, the order state machine; Positions, the fill-by-fill position book;
 * reconciliation's PositionAdjusted entries). Read only: nothing is journaled, the live engine is
 * untouched. The journal is read from the start in pages (bounded memory besides the rebuilt book);
 * the time is the journal's own (events are stamped in seq order). The quantities come from the
 * fill-by-fill book with reconciliation's adjustments (`positions`); the positions view with P&L
 * (`pnl`) from the live positions book fed the same events, corporate actions included, at that
 * moment: average price, realized P&L and fees as they stood; unrealized P&L unknown (marks are not
 * journaled).
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
  /** The positions view (rows and roll-ups) as it stood, without marks. */
  pnl: PositionsSnapshot;
}

export async function bookAsOf(
  pool: pg.Pool,
  url: URL,
  positionsConfig: LivePositionsConfig = DEFAULT_LIVE_POSITIONS_CONFIG,
): Promise<BookAsOf> {
  const parsed = query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success)
    throw new CommandError("INVALID_INPUT", parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  const q = parsed.data;
  const until = q.ts === undefined ? null : Date.parse(q.ts);
  const orders = new Map<string, Order>();
  const positions = new Positions();
  // The live book's clock is the journal's: each event's own time as it is applied.
  let nowMs = 0;
  const pnlBook = new LivePositions(
    { nowMs: () => nowMs, nowIso: () => new Date(nowMs).toISOString(), monoUs: () => nowMs * 1000 },
    positionsConfig,
  );
  let last: AnyEvent | null = null;
  for await (const { event } of readJournal(pool)) {
    if (q.seq !== undefined && event.seq > q.seq) break;
    if (until !== null && Date.parse(event.ts) > until) break;
    nowMs = Date.parse(event.ts);
    let order: Order | undefined;
    if (event.orderId !== null && event.type.startsWith("Order")) {
      order = applyOrderEvent(orders.get(event.orderId), event as OrderEvent);
      orders.set(event.orderId, order);
    }
    pnlBook.onApplied(event, order);
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
    pnl: pnlBook.snapshot({ method: "avgCost" }),
  };
}
