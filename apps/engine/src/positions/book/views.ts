/**
 * The position book's outputs: its internal per-key figures (scaled bigints) formatted as position
 * views and roll-ups of decimal strings. Pure; the book (book.ts) computes the figures.
 */
import type { Decimal } from "@fillmore/shared";
import type { KeyState } from "./book";
import { A, abs, convert, divRound, fromScaled, Q } from "./scaled";
import type { ByMethod, FeeAmount, Mark, MarkView, PnlMethod, PositionView, Rollup } from "./types";

export interface MarkSlot {
  mark: Mark;
  px: bigint;
  tsMs: number;
}

/** Internal per-key figures at a time, in scaled bigints. */
export interface Figures {
  st: KeyState;
  now: number;
  method: PnlMethod;
  slot: MarkSlot | null;
  markStale: boolean;
  unrealizedAvg: bigint | null;
  unrealizedFifo: bigint | null;
  notional: bigint | null;
  feesQuote: bigint;
  daily: bigint | null;
  rate: bigint | null;
  fxStale: boolean;
  usdUnrealized: ByMethod<bigint | null>;
  usdDaily: bigint | null;
}

export const fmtA = (v: bigint): Decimal => fromScaled(v, A);
const max0 = (v: bigint): bigint => (v > 0n ? v : 0n);

/** Average price from a signed cost (scale A) and signed qty (scale Q): cost / (qty × multiplier), half-even to 12 places. */
export function avgOf(cost: bigint, qty: bigint, mult: bigint): Decimal {
  if (qty === 0n) return "0";
  // cost(A=36) / (qty(12) × mult(12)) = price at scale 12
  return fromScaled(divRound(cost, qty * mult), Q);
}

export function optA(v: bigint | null): Decimal | null {
  return v === null ? null : fmtA(v);
}

/** Fee lines as amount and currency only (a booked fill's fees may be its event's, which say more). */
export const feeAmounts = (fees: readonly FeeAmount[]): FeeAmount[] => fees.map(({ amount, currency }) => ({ amount, currency }));

export function feesOut(fees: Map<string, bigint>): Record<string, Decimal> {
  const out: Record<string, Decimal> = {};
  for (const c of [...fees.keys()].sort()) out[c] = fmtA(fees.get(c) ?? 0n);
  return out;
}

function fxMissingOf(f: Figures): string[] {
  const missing = new Set(f.st.fxPending);
  if (f.rate === null && f.st.qty !== 0n) missing.add(f.st.quoteCurrency);
  return [...missing].sort();
}

/** A position's figures as its view; `withLots` false leaves its open lots out (see PositionBook.position). */
export function positionView(f: Figures, withLots = true): PositionView {
  const st = f.st;
  const realized = f.method === "avgCost" ? st.realizedAvg : st.realizedFifo;
  const unrealized = f.method === "avgCost" ? f.unrealizedAvg : f.unrealizedFifo;
  const gross = unrealized === null ? null : realized + unrealized;
  const usdRealized = f.method === "avgCost" ? st.usdRealizedAvg : st.usdRealizedFifo;
  const u = f.usdUnrealized[f.method];
  const n = f.notional;
  const usdN = n === null || f.rate === null ? null : convert(n, f.rate);
  const markView: MarkView | null = f.slot ? { ...f.slot.mark, ageMs: Math.max(0, f.now - f.slot.tsMs), stale: f.markStale } : null;
  return {
    key: { ...st.key },
    quoteCurrency: st.quoteCurrency,
    multiplier: st.multiplier,
    method: f.method,
    qty: fromScaled(st.qty, Q),
    avgPx: avgOf(st.cost, st.qty, st.mult),
    cost: fmtA(st.cost),
    lots: !withLots
      ? []
      : st.openLots().map((l) => ({
          qty: fromScaled(l.qty, Q),
          px: avgOf(l.cost, l.qty, st.mult),
          cost: fmtA(l.cost),
          openedBy: l.openedBy,
          ts: l.ts,
        })),
    realizedBy: { avgCost: fmtA(st.realizedAvg), fifo: fmtA(st.realizedFifo) },
    unrealizedBy: { avgCost: optA(f.unrealizedAvg), fifo: optA(f.unrealizedFifo) },
    realized: fmtA(realized),
    unrealized: optA(unrealized),
    gross: optA(gross),
    net: gross === null ? null : fmtA(gross - f.feesQuote),
    dividends: fmtA(st.dividends),
    fees: feesOut(st.fees),
    cashFlow: fmtA(st.cashFlow),
    mark: markView,
    exposure: n === null ? null : { long: fmtA(max0(n)), short: fmtA(max0(-n)), net: fmtA(n), notional: fmtA(n) },
    daily: optA(f.daily),
    usd: {
      realizedBy: { avgCost: fmtA(st.usdRealizedAvg), fifo: fmtA(st.usdRealizedFifo) },
      realized: fmtA(usdRealized),
      unrealized: optA(u),
      fees: fmtA(st.usdFees),
      gross: u === null ? null : fmtA(usdRealized + u),
      net: u === null ? null : fmtA(usdRealized + u - st.usdFees),
      daily: optA(f.usdDaily),
      exposure: usdN === null ? null : { long: fmtA(max0(usdN)), short: fmtA(max0(-usdN)), net: fmtA(usdN), gross: fmtA(abs(usdN)) },
      fxMissing: fxMissingOf(f),
      fxStale: f.fxStale,
    },
    lastFillTs: st.lastFillTs,
    fillCount: st.fillCount,
  };
}

/** The roll-up of a group of positions' figures, in the base currency. */
export function rollupOf(group: Rollup["group"], figs: Figures[], baseCurrency: string): Rollup {
  let realized = 0n;
  let unrealized = 0n;
  let fees = 0n;
  let daily = 0n;
  let long = 0n;
  let short = 0n;
  const missingMarks = new Set<string>();
  const staleMarks = new Set<string>();
  const fxMissing = new Set<string>();
  let fxStale = false;
  for (const f of figs) {
    const st = f.st;
    realized += f.method === "avgCost" ? st.usdRealizedAvg : st.usdRealizedFifo;
    fees += st.usdFees;
    const u = f.usdUnrealized[f.method];
    if (u !== null) unrealized += u;
    if (f.usdDaily !== null) daily += f.usdDaily;
    if (f.notional !== null && f.rate !== null) {
      const n = convert(f.notional, f.rate);
      if (n > 0n) long += n;
      else short -= n;
    }
    if (st.qty !== 0n && f.slot === null) missingMarks.add(st.key.symbol);
    if (st.qty !== 0n && f.markStale) staleMarks.add(st.key.symbol);
    for (const c of fxMissingOf(f)) fxMissing.add(c);
    if (st.qty !== 0n && f.fxStale) fxStale = true;
  }
  const gross = realized + unrealized;
  return {
    group,
    currency: baseCurrency,
    positions: figs.length,
    realized: fmtA(realized),
    unrealized: fmtA(unrealized),
    fees: fmtA(fees),
    gross: fmtA(gross),
    net: fmtA(gross - fees),
    daily: fmtA(daily),
    exposure: { long: fmtA(long), short: fmtA(short), net: fmtA(long - short), gross: fmtA(long + short) },
    incomplete: missingMarks.size > 0 || fxMissing.size > 0,
    missingMarks: [...missingMarks].sort(),
    staleMarks: [...staleMarks].sort(),
    fxMissing: [...fxMissing].sort(),
    fxStale,
  };
}
