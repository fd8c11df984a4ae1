// Circuit breaker conditions: pure functions over plain data, and the pure confirmation/hysteresis
// step that turns a stream of readings into "trip now". No clocks, no I/O, no engine types.
//
// Readings are plain numbers (percentages, multipliers, USD amounts rounded to the cent, quantities,
// milliseconds). They decide whether to halt, they do not book money: a double is exact enough for a
// comparison against a threshold set by a person, and the detail text says what was compared.

/** What one evaluation of a condition found. `value` null: not enough data to judge (never a breach). */
export interface Reading {
  breached: boolean;
  value: number | null;
  threshold: number;
  detail: string;
}

const round = (x: number, places = 4) => {
  const f = 10 ** places;
  return Math.round(x * f) / f;
};
const noData = (threshold: number, detail: string): Reading => ({ breached: false, value: null, threshold, detail });

/**
 * Drawdown from the day's peak equity, in percent: (peak − equity) / peak × 100. Equity is the
 * scope's capital plus its daily P&L; the caller keeps the peak (see `nextPeak`).
 */
export function portfolioDrawdown(input: { peakEquity: number; equity: number }, maxDrawdownPct: number): Reading {
  const { peakEquity, equity } = input;
  if (!(peakEquity > 0) || !Number.isFinite(equity)) return noData(maxDrawdownPct, "no positive peak equity yet");
  const value = round(((peakEquity - equity) / peakEquity) * 100);
  return {
    breached: value > maxDrawdownPct,
    value,
    threshold: maxDrawdownPct,
    detail: `equity ${round(equity, 2)} USD is ${value}% below the day's peak ${round(peakEquity, 2)} USD`,
  };
}

/** The day's peak equity after one more reading. */
export function nextPeak(peak: number | null, equity: number): number {
  return peak === null || equity > peak ? equity : peak;
}

/** The day's loss in USD (−daily P&L, net of fees), against the largest loss allowed. */
export function dailyLoss(input: { dailyPnlUsd: number }, maxLossUsd: number): Reading {
  if (!Number.isFinite(input.dailyPnlUsd)) return noData(maxLossUsd, "daily P&L unknown");
  const value = round(-input.dailyPnlUsd, 2);
  return {
    breached: value > maxLossUsd,
    value,
    threshold: maxLossUsd,
    detail: `daily P&L ${round(input.dailyPnlUsd, 2)} USD: a loss of ${value} USD`,
  };
}

/** Standard deviation of log returns of the last `n` returns of `prices` (null below two returns). */
export function realizedVol(prices: readonly number[], n: number): number | null {
  const tail = prices.slice(-(n + 1));
  if (tail.length < 3) return null;
  const returns: number[] = [];
  for (let i = 1; i < tail.length; i++) {
    const a = tail[i - 1] as number;
    const b = tail[i] as number;
    if (!(a > 0) || !(b > 0)) return null;
    returns.push(Math.log(b / a));
  }
  const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
  const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance);
}

/**
 * Short-window realized volatility over the long-window baseline, as a multiplier: breached when the
 * last `shortWindow` returns are more than `multiplier` times as volatile as the last `longWindow`.
 */
export function volatilitySpike(
  input: { prices: readonly number[] },
  params: { shortWindow: number; longWindow: number },
  multiplier: number,
): Reading {
  if (input.prices.length < params.longWindow + 1)
    return noData(multiplier, `${input.prices.length} prices of the ${params.longWindow + 1} the baseline needs`);
  const short = realizedVol(input.prices, params.shortWindow);
  const long = realizedVol(input.prices, params.longWindow);
  if (short === null || long === null) return noData(multiplier, "volatility not computable (non-positive price)");
  if (long === 0) {
    // A flat baseline: any movement is infinitely more volatile; report it without dividing by zero.
    return short === 0
      ? { breached: false, value: 1, threshold: multiplier, detail: "flat prices in both windows" }
      : { breached: true, value: Number.POSITIVE_INFINITY, threshold: multiplier, detail: "prices moved after a flat baseline" };
  }
  const value = round(short / long);
  return {
    breached: value > multiplier,
    value,
    threshold: multiplier,
    detail: `realized vol ${short.toExponential(3)} over ${params.shortWindow} returns vs ${long.toExponential(3)} over ${params.longWindow}: ${value}×`,
  };
}

/**
 * Rejected orders as a percentage of the last outcomes (true = rejected by the venue). Below
 * `minOrders` outcomes there is not enough to judge.
 */
export function orderRejectionRate(input: { outcomes: readonly boolean[] }, params: { minOrders: number }, maxRejectPct: number): Reading {
  const total = input.outcomes.length;
  if (total < Math.max(1, params.minOrders)) return noData(maxRejectPct, `${total} order outcomes of the ${params.minOrders} needed`);
  const rejected = input.outcomes.filter(Boolean).length;
  const value = round((rejected / total) * 100, 2);
  return {
    breached: value > maxRejectPct,
    value,
    threshold: maxRejectPct,
    detail: `${rejected} of the last ${total} orders rejected (${value}%)`,
  };
}

/** The largest absolute position in scope against the largest allowed. */
export function positionSize(input: { positions: readonly { id: string; qty: number }[] }, maxAbsQty: number): Reading {
  let worst: { id: string; qty: number } | null = null;
  for (const p of input.positions) if (Number.isFinite(p.qty) && (worst === null || Math.abs(p.qty) > Math.abs(worst.qty))) worst = p;
  if (worst === null) return { breached: false, value: 0, threshold: maxAbsQty, detail: "no positions" };
  const value = Math.abs(worst.qty);
  return { breached: value > maxAbsQty, value, threshold: maxAbsQty, detail: `${worst.id} holds ${worst.qty}` };
}

/** The quote's age in milliseconds; no quote at all counts as stale (infinitely old). */
export function staleQuote(input: { symbol: string; quoteTs: number | null; now: number }, maxAgeMs: number): Reading {
  if (input.quoteTs === null)
    return { breached: true, value: Number.POSITIVE_INFINITY, threshold: maxAgeMs, detail: `no quote for ${input.symbol}` };
  const value = Math.max(0, input.now - input.quoteTs);
  return { breached: value > maxAgeMs, value, threshold: maxAgeMs, detail: `${input.symbol} last quoted ${value} ms ago` };
}

/**
 * A crossed (bid > ask) or locked (bid = ask) market. `value` is bid − ask: breached at ≥ 0 (the
 * threshold is 0), clear again once the ask is above the bid.
 */
export function crossedMarket(input: { symbol: string; bid: number; ask: number }): Reading {
  const value = round(input.bid - input.ask, 10);
  const kind = value > 0 ? "crossed" : value === 0 ? "locked" : "normal";
  return { breached: value >= 0, value, threshold: 0, detail: `${input.symbol} ${kind}: bid ${input.bid}, ask ${input.ask}` };
}

/** The move between two consecutive prices (mids) of a symbol, in percent of the first. */
export function priceGap(input: { symbol: string; previous: number | null; current: number }, maxGapPct: number): Reading {
  if (input.previous === null || !(input.previous > 0)) return noData(maxGapPct, `no previous price for ${input.symbol}`);
  const value = round((Math.abs(input.current - input.previous) / input.previous) * 100);
  return {
    breached: value > maxGapPct,
    value,
    threshold: maxGapPct,
    detail: `${input.symbol} moved ${value}% from ${input.previous} to ${input.current}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Confirmation and hysteresis

export type BreakerStatus = "armed" | "breached" | "tripped";

/** One breaker (or one symbol of a per-symbol breaker): where it stands after its readings so far. */
export interface BreakerState {
  status: BreakerStatus;
  /** Consecutive breaching readings (while armed/breached; kept while tripped). */
  consecutive: number;
  last: Reading | null;
  /** Evaluations that threw (P&L read or condition): counted, never a trip, never a silence. */
  faults: number;
  lastFault: string | null;
}

export const initialState = (): BreakerState => ({ status: "armed", consecutive: 0, last: null, faults: 0, lastFault: null });

export interface StepParams {
  /** N: consecutive breaching readings needed to trip (1 = the first). */
  confirmations: number;
  /** Fraction 0 ≤ h < 1: once tripped, clear only when value < threshold × (1 − h). */
  hysteresis: number;
}

export type StepOutcome = { state: BreakerState; trip: boolean; cleared: boolean };

/** The level a tripped breaker's value must fall below to clear (re-arm). */
export function clearLevel(threshold: number, hysteresis: number): number {
  return threshold >= 0 ? threshold * (1 - hysteresis) : threshold * (1 + hysteresis);
}

/**
 * Applies one reading. Armed/breached: a breach adds to the count, and the N-th consecutive one
 * trips (once); a non-breach (or a reading without data) starts the count over. Tripped: stays
 * tripped, never trips again, until the value falls below threshold × (1 − hysteresis), which
 * re-arms it.
 */
export function step(state: BreakerState, reading: Reading, params: StepParams): StepOutcome {
  const n = Math.max(1, Math.floor(params.confirmations));
  if (state.status === "tripped") {
    const clears = reading.value !== null && reading.value < clearLevel(reading.threshold, params.hysteresis);
    if (clears) return { state: { ...state, status: "armed", consecutive: 0, last: reading }, trip: false, cleared: true };
    return { state: { ...state, last: reading }, trip: false, cleared: false };
  }
  if (!reading.breached) return { state: { ...state, status: "armed", consecutive: 0, last: reading }, trip: false, cleared: false };
  const consecutive = state.consecutive + 1;
  if (consecutive >= n) return { state: { ...state, status: "tripped", consecutive, last: reading }, trip: true, cleared: false };
  return { state: { ...state, status: "breached", consecutive, last: reading }, trip: false, cleared: false };
}

/** An evaluation that threw: counted and remembered; the state and its count are otherwise untouched. */
export function fault(state: BreakerState, error: unknown): BreakerState {
  const message = error instanceof Error ? error.message : String(error);
  return { ...state, faults: state.faults + 1, lastFault: message.slice(0, 300) };
}

/**
 * Evaluates a reading function safely: the reading, or the error it threw. The caller applies
 * `step` or `fault`; nothing here decides to trip on an error.
 */
export function safely(read: () => Reading): { reading: Reading } | { error: unknown } {
  try {
    const reading = read();
    if (reading.value !== null && Number.isNaN(reading.value)) return { error: new Error(`condition produced NaN: ${reading.detail}`) };
    return { reading };
  } catch (error) {
    return { error };
  }
}
