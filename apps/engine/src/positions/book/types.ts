import type { Decimal, Side } from "@fillmore/shared";

/** Realized/unrealized split: "avgCost" (default) or "fifo"; both are always kept, the account picks the one shown. */
export type PnlMethod = "avgCost" | "fifo";
export type MarkSource = "mid" | "last" | "manual";

export interface FeeAmount {
  amount: Decimal;
  currency: string;
}

/** One booked fill (a split parent's copy of its child's fill is not a fill: don't feed it). */
export interface BookFill {
  fillId: string;
  orderId: string;
  accountId: string;
  strategy: string | null;
  symbol: string;
  side: Side;
  /** Positive. */
  qty: Decimal;
  px: Decimal;
  fees: readonly FeeAmount[];
  /** UTC ISO-8601 (the event's ts). */
  ts: string;
  /** Contract multiplier; 1 when absent. Must be the same for every fill of a key. */
  multiplier?: Decimal;
  /** The instrument's quote currency: the currency of px and of the P&L. */
  quoteCurrency: string;
}

export interface PositionKey {
  accountId: string;
  strategy: string | null;
  symbol: string;
}

export interface Mark {
  px: Decimal;
  source: MarkSource;
  /** UTC ISO-8601. */
  ts: string;
}

export interface MarkView extends Mark {
  ageMs: number;
  /** Older than the configured limit: still used, and said so. */
  stale: boolean;
}

export interface BookConfig {
  /** A mark older than this (ms) is shown as stale. */
  markMaxAgeMs: number;
  /** An FX mark older than this (ms) is shown as stale; defaults to markMaxAgeMs. */
  fxMaxAgeMs?: number;
  /** The source used for unrealized unless set per symbol (setMarkSource). Default "mid". */
  markSource?: MarkSource;
  /** Default "avgCost"; per account with setAccountMethod. */
  defaultMethod?: PnlMethod;
  /** Roll-up currency, default "USD". */
  baseCurrency?: string;
}

/** Cash dividend, per share (per unit × multiplier), in the instrument's quote currency, applied on its pay date. */
export interface CashDividend {
  id: string;
  symbol: string;
  perShare: Decimal;
  ts: string;
}

/**
 * Split `ratioNew`-for-`ratioOld`: 7-for-1 is {ratioNew: "7", ratioOld: "1"}; reverse 1-for-3 is
 * {ratioNew: "1", ratioOld: "3"}. Quantities are cut to whole `unit`s (default 1) toward zero; the fraction
 * is paid at `cashInLieuPx` per new share (required when a fraction arises).
 */
export interface Split {
  id: string;
  symbol: string;
  ratioNew: Decimal;
  ratioOld: Decimal;
  cashInLieuPx?: Decimal;
  unit?: Decimal;
  ts: string;
}

export interface LotView {
  /** Signed. */
  qty: Decimal;
  /** Cost / (qty × multiplier), rounded half-even to 12 places for display; `cost` is exact. */
  px: Decimal;
  /** Signed cost basis in quote currency (qty × px × multiplier, exact). */
  cost: Decimal;
  openedBy: string;
  ts: string;
}

export interface ByMethod<T> {
  avgCost: T;
  fifo: T;
}

export interface PositionView {
  key: PositionKey;
  quoteCurrency: string;
  multiplier: Decimal;
  method: PnlMethod;
  /** Signed: long > 0, short < 0. */
  qty: Decimal;
  /** Average cost price (cost / (qty × multiplier), half-even to 12 places); "0" when flat. */
  avgPx: Decimal;
  /** Signed cost basis of the open position under average cost, exact. */
  cost: Decimal;
  lots: LotView[];
  /** Realized P&L incl. dividends and cash in lieu, quote currency. */
  realizedBy: ByMethod<Decimal>;
  /** null when the position is open and there is no mark. */
  unrealizedBy: ByMethod<Decimal | null>;
  /** The shown method's figures. */
  realized: Decimal;
  unrealized: Decimal | null;
  /** realized + unrealized (identical under both methods). */
  gross: Decimal | null;
  /** gross − fees in the quote currency (fees in other currencies: see `fees`, and `usd.net`). */
  net: Decimal | null;
  dividends: Decimal;
  /** Per currency, exact. */
  fees: Record<string, Decimal>;
  /** Net cash of the key: −Σ signed qty·px·multiplier + dividends + cash in lieu (fees apart). */
  cashFlow: Decimal;
  mark: MarkView | null;
  exposure: { long: Decimal; short: Decimal; net: Decimal; notional: Decimal } | null;
  /** Since the last rollSession (or since the book began): realized + Δunrealized − fees, quote currency. */
  daily: Decimal | null;
  usd: UsdFigures;
  lastFillTs: string | null;
  fillCount: number;
}

/** Figures in the base currency (USD by default). */
export interface UsdFigures {
  /** At the rates when realized, kept. */
  realizedBy: ByMethod<Decimal>;
  realized: Decimal;
  /** At the current FX rate; null when unknown (no mark or no FX rate). */
  unrealized: Decimal | null;
  fees: Decimal;
  gross: Decimal | null;
  net: Decimal | null;
  daily: Decimal | null;
  exposure: { long: Decimal; short: Decimal; net: Decimal; gross: Decimal } | null;
  /** Currencies with amounts not yet converted (no FX mark at the time): these figures leave them out. */
  fxMissing: string[];
  fxStale: boolean;
}

/** The shared view type: the console reads roll-ups exactly as the book makes them. */
export type { Rollup } from "@fillmore/shared";

export interface FillLeg {
  kind: "close" | "open";
  /** Positive. */
  qty: Decimal;
  px: Decimal;
  fees: FeeAmount[];
  /** Close legs only. */
  realizedBy?: ByMethod<Decimal>;
}

export interface SessionBoundary {
  ts: string;
  /** Symbol → boundary mark price; a symbol left out uses the book's current mark (flagged via daily = null if none). */
  marks: Record<string, Decimal>;
  /** "EURUSD" (or "EUR") → rate at the boundary; a currency left out uses the current FX rate. */
  fx?: Record<string, Decimal>;
}
