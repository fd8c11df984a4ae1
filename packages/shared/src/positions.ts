/**
 * Positions and P&L as the engine exposes them (internal API and its positions stream) and the console
 * shows them. Every money figure is an exact decimal string; nothing here is a float.
 *
 * Conventions: docs/POSITIONS.md (average cost and FIFO, fees kept apart, marks with staleness, USD roll-ups).
 *
 * ## Engine internal API (loopback, `Authorization: Bearer <service token>`)
 *
 * `GET /v1/positions?accountId=&strategy=&method=avgCost|fifo`
 *   → `PositionsResponse`: a `PositionsSnapshot` (rows + roll-ups per account, per strategy, firm-wide, in USD)
 *     plus `positions`: the old quantity-only list (accountId, symbol, qty, boughtQty, soldQty, …) kept for the Risk page.
 *   - `accountId` may be repeated (`?accountId=A1&accountId=A2`) or comma-separated: only those accounts (the console
 *     confines account-bound keys this way). Absent: every account.
 *   - `strategy`: only that strategy's books; `strategy=` (empty) selects the books without a strategy (null).
 *   - `method`: which split of realized/unrealized the `realized`/`unrealized` fields (and roll-ups) show. Absent:
 *     each account's own method (configured; default avgCost) and `method` in the answer is "account".
 *     Both methods are always on each row in `realizedBy`/`unrealizedBy`.
 *   - `seq`: the journal sequence number the snapshot reflects; follow `/v1/positions/stream` for later changes.
 *
 * `GET /v1/positions/fills?accountId=&symbol=&strategy=`
 *   → `{ fills: PositionFill[] }`: the fills behind one position (accountId and symbol required; `strategy` absent or
 *     empty = the book without a strategy), oldest first, busted ones included with `busted: true` (a position leaves
 *     them out), corrected ones with their current qty/px and `corrected` set. A split parent's copies are not listed
 *     (the child's fill is; `parentOrderId` names the parent).
 *
 * `GET /v1/positions/pnl-series?accountId=`
 *   → `{ accountId: string | null, intervalMs, points: PnlPoint[] }`: intraday P&L sampled every `intervalMs` into
 *     memory (bounded; oldest dropped), oldest first. Without `accountId`: firm-wide. Figures use each account's method.
 *
 * `GET /v1/positions/stream` (server-sent events)
 *   → one `data: <PositionChanged JSON>` per change of a position: at once for fills, busts and corrections; mark and
 *     FX moves are coalesced per position (at most one message per position per `markPublishMs`, default 1000 ms).
 *     A `: heartbeat` comment every 5 s. No resume: on (re)connect take a new `GET /v1/positions` snapshot first.
 *     (The order stream `/v1/stream` is unchanged: it carries journal entries only.)
 */
import type { Decimal } from "./money";
import type { Side } from "./orders/enums";

export type PnlMethod = "avgCost" | "fifo";
export type MarkSource = "mid" | "last" | "manual";

export interface PositionFee {
  amount: Decimal;
  currency: string;
  /** "commission" (the venue's report, or the schedule's per-share/bps/minimum charge), "exchange", … */
  kind: string;
}

export interface PositionMark {
  px: Decimal;
  source: MarkSource;
  /** UTC ISO-8601 of the quote the mark came from. */
  ts: string;
  /** Older than the configured limit: still used for unrealized, and shown as stale. */
  stale: boolean;
}

export interface PositionRow {
  accountId: string;
  strategy: string | null;
  symbol: string;
  /** The instrument's quote currency: the currency of avgPx, mark and the non-USD figures below. */
  currency: string;
  /** Signed: long > 0, short < 0; "0" once flat (the row stays: it still has realized P&L and fees). */
  qty: Decimal;
  /** Average cost price; "0" when flat. */
  avgPx: Decimal;
  mark: PositionMark | null;
  /** For the chosen method; null when the position is open and has no mark. */
  unrealized: Decimal | null;
  /** For the chosen method (incl. dividends and cash in lieu). */
  realized: Decimal;
  /** Fees in `currency` (fees charged in other currencies: `feesByCurrency`, and inside `netUsd`). */
  fees: Decimal;
  feesByCurrency: Record<string, Decimal>;
  /** realized + unrealized − fees, in `currency`; null when unrealized is unknown. */
  net: Decimal | null;
  /** |qty| × mark × multiplier, in `currency`; null without a mark. */
  grossExposure: Decimal | null;
  /** Signed qty × mark × multiplier, in `currency`; null without a mark. */
  notional: Decimal | null;
  realizedUsd: Decimal;
  /** null when the mark or the FX rate is unknown. */
  unrealizedUsd: Decimal | null;
  /** realizedUsd + unrealizedUsd − fees in USD; null when unrealizedUsd is. */
  netUsd: Decimal | null;
  /** The method `realized`/`unrealized` show. */
  method: PnlMethod;
  /** Both methods, always (the console's toggle needs no new request). */
  realizedBy: { avgCost: Decimal; fifo: Decimal };
  unrealizedBy: { avgCost: Decimal | null; fifo: Decimal | null };
  realizedUsdBy: { avgCost: Decimal; fifo: Decimal };
  unrealizedUsdBy: { avgCost: Decimal | null; fifo: Decimal | null };
  feesUsd: Decimal;
  /** Since the session boundary (SESSION_END_UTC): realized + Δunrealized − fees, USD; null when unknown. */
  dailyUsd: Decimal | null;
  /** Currencies whose amounts could not be converted to USD yet (no FX mark): the USD figures leave them out. */
  fxMissing: string[];
  fxStale: boolean;
  fillCount: number;
  lastFillTs: string | null;
}

/** A roll-up in USD (per account, per strategy across accounts, or firm-wide). */
export interface Rollup {
  group: { accountId?: string; strategy?: string | null };
  currency: string;
  positions: number;
  realized: Decimal;
  unrealized: Decimal;
  fees: Decimal;
  gross: Decimal;
  net: Decimal;
  daily: Decimal;
  exposure: { long: Decimal; short: Decimal; net: Decimal; gross: Decimal };
  /** True when a figure above leaves something out (a position without mark, an amount without FX rate); the lists say what. */
  incomplete: boolean;
  missingMarks: string[];
  staleMarks: string[];
  fxMissing: string[];
  fxStale: boolean;
}

export interface PositionsSnapshot {
  /** The method shown; "account" = each account's own method. */
  method: PnlMethod | "account";
  rows: PositionRow[];
  byAccount: Rollup[];
  byStrategy: Rollup[];
  firm: Rollup;
  /** UTC ISO-8601 the figures were computed at. */
  asOf: string;
  /** The journal sequence number the snapshot reflects. */
  seq: number;
}

/** The old quantity-only position (risk reads it). */
export interface QtyPosition {
  accountId: string;
  symbol: string;
  qty: Decimal;
  boughtQty: Decimal;
  soldQty: Decimal;
  boughtNotional: Decimal;
  soldNotional: Decimal;
}

export interface PositionsResponse extends PositionsSnapshot {
  positions: QtyPosition[];
}

export interface PositionFill {
  orderId: string;
  /** The split parent this child order belongs to, if any. */
  parentOrderId: string | null;
  execId: string;
  /** UTC ISO-8601 of the fill event. */
  ts: string;
  side: Side;
  qty: Decimal;
  px: Decimal;
  fees: PositionFee[];
  venueId: string;
  liquidity: "maker" | "taker" | null;
  busted: boolean;
  /** Set after a trade correction: the qty/px first booked (qty/px above are the corrected ones). */
  corrected: { qty: Decimal; px: Decimal } | null;
  /** The journal sequence number of the fill event. */
  seq: number;
}

export interface PnlPoint {
  /** UTC ISO-8601. */
  ts: string;
  realizedUsd: Decimal;
  unrealizedUsd: Decimal;
  netUsd: Decimal;
}

export interface PnlSeries {
  accountId: string | null;
  intervalMs: number;
  points: PnlPoint[];
}

/** One message of `/v1/positions/stream`. */
export interface PositionChanged {
  type: "PositionChanged";
  /** "fill" (fill, bust, correction: published at once), "mark" (mark/FX move, coalesced), "session" (daily roll). */
  cause: "fill" | "mark" | "session";
  /** The journal sequence number of the event behind it (fills), else the last applied one. */
  seq: number;
  /** UTC ISO-8601 the figures were computed at. */
  ts: string;
  /** The position as now, in its account's method (both methods inside: realizedBy/unrealizedBy). */
  row: PositionRow;
}
