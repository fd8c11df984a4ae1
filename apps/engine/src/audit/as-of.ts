import {
  type AnyEvent,
  applyOrderEvent,
  isTerminal,
  ORD_STATUSES,
  type Order,
  type OrderEvent,
  type PositionsSnapshot,
} from "@fillmore/shared";
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
 *
 * The orders are paged by offset over a stable order (the working ones at that moment first, then the
 * rest; each newest first by first event) and filtered by account, symbol and status. The replay runs
 * on a worker thread (audit-thread.ts), which keeps the last rebuilt book, so the next page of the same
 * moment costs no second replay.
 */
const id = z.string().trim().min(1).max(128);
export const asOfQuery = z
  .object({
    ts: z.iso.datetime({ offset: true }).optional(),
    seq: z.coerce.number().int().positive().optional(),
    /** Orders skipped (paging over the stable order above). */
    offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
    /** Orders returned. */
    limit: z.coerce.number().int().min(1).max(10_000).default(2000),
    /** Only these accounts' orders and positions (repeat the parameter for several). */
    accountId: z.array(id).max(64).optional(),
    symbol: id.optional(),
    /** Only orders in these states at that moment (repeat the parameter for several). */
    status: z.array(z.enum(ORD_STATUSES)).max(ORD_STATUSES.length).optional(),
  })
  .strict()
  .refine((q) => (q.ts === undefined) !== (q.seq === undefined), { message: "give either ts or seq" });
export type AsOfQuery = z.output<typeof asOfQuery>;

const LISTS = new Set(["accountId", "status"]);

/** The query string's parameters, checked (a CommandError INVALID_INPUT, HTTP 400, when wrong). */
export function parseAsOfQuery(url: URL): AsOfQuery {
  const raw: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) raw[key] = LISTS.has(key) ? url.searchParams.getAll(key) : url.searchParams.get(key);
  const parsed = asOfQuery.safeParse(raw);
  if (!parsed.success)
    throw new CommandError("INVALID_INPUT", parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return parsed.data;
}

export interface BookAsOf {
  /** The last event applied. */
  asOf: { seq: number; ts: string | null; requested: { ts: string | null; seq: number | null } };
  /** This page of the orders matching the filters. */
  orders: Order[];
  /** Every order in the book at that moment (of the accounts asked for, if any). */
  ordersTotal: number;
  /** Working at that moment, of those. */
  working: number;
  /** Orders matching the filters (the pages run over these). */
  matched: number;
  offset: number;
  limit: number;
  /** Positions (of the accounts and symbol asked for): at most accounts × instruments, so not paged. */
  positions: Position[];
  /** The positions view (rows and roll-ups) as it stood, without marks. */
  pnl: PositionsSnapshot;
}

/** The moment a book is rebuilt at: a time or a seq. */
export type AsOfBound = { ts: string | null; seq: number | null };

/**
 * One rebuilt book, advanced through the journal up to its bound. `final` once an event past the bound
 * was seen (the book cannot change any more); otherwise a later `advance` reads only the events since.
 */
export class BookReplay {
  private readonly orders = new Map<string, Order>();
  private readonly positions = new Positions();
  private readonly pnlBook: LivePositions;
  private nowMs = 0;
  private last: AnyEvent | null = null;
  private readonly untilMs: number | null;
  final = false;
  /** Events applied. */
  applied = 0;

  constructor(
    readonly bound: AsOfBound,
    positionsConfig: LivePositionsConfig = DEFAULT_LIVE_POSITIONS_CONFIG,
  ) {
    this.untilMs = bound.ts === null ? null : Date.parse(bound.ts);
    // The live book's clock is the journal's: each event's own time as it is applied.
    this.pnlBook = new LivePositions(
      { nowMs: () => this.nowMs, nowIso: () => new Date(this.nowMs).toISOString(), monoUs: () => this.nowMs * 1000 },
      positionsConfig,
    );
  }

  /** Whether this replay is of the moment asked for. */
  isOf(bound: AsOfBound): boolean {
    return bound.ts === this.bound.ts && bound.seq === this.bound.seq;
  }

  async advance(pool: pg.Pool): Promise<void> {
    if (this.final) return;
    for await (const { event } of readJournal(pool, this.last?.seq ?? 0)) {
      if (this.bound.seq !== null && event.seq > this.bound.seq) return this.finish();
      if (this.untilMs !== null && Date.parse(event.ts) > this.untilMs) return this.finish();
      this.apply(event);
    }
  }

  private finish(): void {
    this.final = true;
  }

  private apply(event: AnyEvent): void {
    this.nowMs = Date.parse(event.ts);
    let order: Order | undefined;
    if (event.orderId !== null && event.type.startsWith("Order")) {
      order = applyOrderEvent(this.orders.get(event.orderId), event as OrderEvent);
      this.orders.set(event.orderId, order);
    }
    this.pnlBook.onApplied(event, order);
    if (event.type === "PositionAdjusted" && event.accountId) this.positions.adjust(event.accountId, event.data.symbol, event.data.delta);
    else this.positions.apply(event);
    this.last = event;
    this.applied += 1;
  }

  /** One page of the book, filtered. */
  page(q: AsOfQuery): BookAsOf {
    const accounts = q.accountId && q.accountId.length > 0 ? new Set(q.accountId) : null;
    const statuses = q.status && q.status.length > 0 ? new Set<string>(q.status) : null;
    const all = [...this.orders.values()].filter((o) => accounts === null || accounts.has(o.accountId));
    const working = all.filter((o) => !isTerminal(o.ordStatus));
    const done = all.filter((o) => isTerminal(o.ordStatus));
    const wanted = (x: { accountId: string; symbol: string }) =>
      (accounts === null || accounts.has(x.accountId)) && (q.symbol === undefined || x.symbol === q.symbol);
    const matching = [...working.reverse(), ...done.reverse()].filter((o) => wanted(o) && (statuses === null || statuses.has(o.ordStatus)));
    const pnl = this.pnlBook.snapshot({ method: "avgCost", ...(accounts ? { accountIds: [...accounts] } : {}) });
    return {
      asOf: { seq: this.last?.seq ?? 0, ts: this.last?.ts ?? null, requested: this.bound },
      orders: matching.slice(q.offset, q.offset + q.limit),
      ordersTotal: all.length,
      working: working.length,
      matched: matching.length,
      offset: q.offset,
      limit: q.limit,
      positions: this.positions.all().filter((p) => wanted(p) && (p.boughtQty !== "0" || p.soldQty !== "0" || p.qty !== "0")),
      // A symbol asked for narrows the rows; the roll-ups stay those of the accounts.
      pnl: q.symbol === undefined ? pnl : { ...pnl, rows: pnl.rows.filter((r) => r.symbol === q.symbol) },
    };
  }
}

export const boundOf = (q: AsOfQuery): AsOfBound => ({ ts: q.ts ?? null, seq: q.seq ?? null });

/**
 * The book as of the query's moment, one page of it. `previous`: the last replay, reused when it is of
 * the same moment (advanced past any events journaled since, if it had reached the journal's end).
 */
export async function bookAsOf(
  pool: pg.Pool,
  q: AsOfQuery,
  positionsConfig: LivePositionsConfig = DEFAULT_LIVE_POSITIONS_CONFIG,
  previous?: BookReplay | null,
): Promise<{ book: BookAsOf; replay: BookReplay }> {
  const bound = boundOf(q);
  const replay = previous?.isOf(bound) ? previous : new BookReplay(bound, positionsConfig);
  await replay.advance(pool);
  return { book: replay.page(q), replay };
}
