/**
 * Scaled-integer arithmetic for the book's hot path: decimal strings at the edges, bigints inside.
 * Quantities, prices, multipliers and FX rates are held at scale Q (10^-12, the largest scale a
 * decimal may have at the boundary, see shared/money.ts); money amounts at scale A (10^-36), which holds
 * qty × px × multiplier exactly. Never a float.
 */
import type { Decimal } from "@fillmore/shared";

/** Decimal places of quantities, prices, multipliers, FX rates. */
export const Q = 12;
/** Decimal places of amounts (qty × px × multiplier is exact at this scale). */
export const A = 36;
export const ONE_Q = 10n ** BigInt(Q);
export const ONE_A = 10n ** BigInt(A);
/** From scale Q·2 (e.g. qty × perShare) up to A. */
export const Q_TO_A = 10n ** BigInt(A - 2 * Q);

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parsed prices, quantities and fees repeat a great deal (a replay sees the same few thousand strings a
 * million times): a bounded cache of the scale-Q parse keeps the hot path off the regex and BigInt(string).
 */
const cacheQ = new Map<string, bigint>();
const CACHE_MAX = 65_536;

/** A decimal string as an integer scaled by 10^scale; throws if it has more decimals than the scale (never rounds). */
export function toScaled(value: Decimal, scale: number = Q): bigint {
  if (scale === Q) {
    const hit = cacheQ.get(value);
    if (hit !== undefined) return hit;
    const v = parseScaled(value, Q);
    if (cacheQ.size >= CACHE_MAX) cacheQ.clear();
    cacheQ.set(value, v);
    return v;
  }
  return parseScaled(value, scale);
}

function parseScaled(value: Decimal, scale: number): bigint {
  const m = PLAIN.exec(value);
  if (!m) throw new TypeError(`not a decimal string: "${value}"`);
  const frac = m[3] ?? "";
  if (frac.length > scale) {
    if (/[1-9]/.test(frac.slice(scale))) throw new RangeError(`"${value}" has more than ${scale} decimal places`);
  }
  const digits = BigInt((m[2] ?? "0") + frac.slice(0, scale).padEnd(scale, "0"));
  return m[1] === "-" ? -digits : digits;
}

/** An integer scaled by 10^scale as a canonical decimal string (no trailing zeros, "-0" → "0"). */
export function fromScaled(value: bigint, scale: number = Q): Decimal {
  if (value === 0n) return "0";
  const neg = value < 0n;
  let s = (neg ? -value : value).toString();
  if (s.length <= scale) s = "0".repeat(scale - s.length + 1) + s;
  const int = s.slice(0, s.length - scale);
  const frac = s.slice(s.length - scale).replace(/0+$/, "");
  return `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

export const abs = (v: bigint): bigint => (v < 0n ? -v : v);
export const sign = (v: bigint): bigint => (v < 0n ? -1n : v > 0n ? 1n : 0n);

/** n / d rounded half-even to an integer (d ≠ 0; any signs). */
export function divRound(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("division by zero");
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates toward zero
  const r = n - q * d;
  if (r === 0n) return q;
  const twice = 2n * abs(r);
  if (twice < d) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  if (twice > d) return away;
  return q % 2n === 0n ? q : away;
}

/** Amount (scale A) × rate (scale Q) → amount (scale A), rounded half-even. */
export const convert = (amount: bigint, rate: bigint): bigint => (rate === ONE_Q ? amount : divRound(amount * rate, ONE_Q));

/** Decimal places a decimal string has (after the point). */
export function decimalsOf(value: Decimal): number {
  const dot = value.indexOf(".");
  return dot < 0 ? 0 : value.length - dot - 1;
}
