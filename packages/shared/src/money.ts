import Big from "big.js";

/** Prices, quantities and amounts travel as decimal strings and are computed exactly. */
export type Decimal = string;

Big.DP = 12;
Big.RM = Big.roundHalfEven;
Big.NE = -30;
Big.PE = 40;

/** What the boundary accepts: up to 18 integer digits and 12 decimal places, no exponent. */
const DECIMAL_PATTERN = /^-?(0|[1-9]\d{0,17})(\.\d{1,12})?$/;
/** What arithmetic accepts: any plain decimal, so exact products may be longer than inputs. */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

function big(value: Decimal): Big {
  if (!PLAIN_DECIMAL.test(value)) throw new TypeError(`not a decimal string: "${value}"`);
  return new Big(value);
}

/**
 * Fast path for short decimals: at most 15 characters means at most 15 significant digits, which a
 * double holds exactly as a scaled integer and orders exactly as a number. Quantities and prices are
 * almost always this short; anything longer goes through big.js. `fast.test.ts` checks both agree.
 */
const FAST_MAX_LENGTH = 15;
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

// What `parseShort` read, left here rather than in an object: the order path parses several
// decimals per order, and an object per parse was a fifth of the engine's garbage at 1,000 orders/s.
/** The value times 10^scale, an integer (signed). */
let parsedUnits = 0;
let parsedScale = 0;
/** Significant digits held by `parsedUnits` (bounds what may be multiplied or rescaled exactly). */
let parsedDigits = 0;

/**
 * Reads a plain decimal (`-?\d+(\.\d+)?`) of at most 15 characters into `parsedUnits`, `parsedScale` and
 * `parsedDigits`; false, with nothing read, for anything longer or anything else (big.js decides those).
 */
function parseShort(value: Decimal): boolean {
  const length = value.length;
  if (length === 0 || length > FAST_MAX_LENGTH) return false;
  const negative = value.charCodeAt(0) === 45;
  let units = 0;
  let digits = 0;
  let point = -1;
  for (let i = negative ? 1 : 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0 && digits > 0 && i < length - 1) {
      point = i;
    } else {
      return false;
    }
  }
  if (digits === 0) return false;
  parsedUnits = negative ? -units : units;
  parsedScale = point < 0 ? 0 : length - point - 1;
  parsedDigits = digits;
  return true;
}

/** `units` × 10^-scale as canonical text (no trailing zeros, no "-0"). */
function formatScaled(units: number, scale: number): Decimal {
  if (units === 0) return "0";
  const negative = units < 0;
  let text = String(negative ? -units : units);
  if (scale > 0) {
    if (text.length <= scale) text = "0".repeat(scale - text.length + 1) + text;
    let end = text.length;
    const pointAt = text.length - scale;
    while (end > pointAt && text.charCodeAt(end - 1) === 48) end--;
    text = end === pointAt ? text.slice(0, pointAt) : `${text.slice(0, pointAt)}.${text.slice(pointAt, end)}`;
  }
  return negative ? `-${text}` : text;
}

/** a ± b exactly by scaled integers, or undefined when either does not fit the fast path. */
function fastAddSub(a: Decimal, b: Decimal, sign: 1 | -1): Decimal | undefined {
  if (!parseShort(a)) return undefined;
  const xUnits = parsedUnits;
  const xScale = parsedScale;
  const xDigits = parsedDigits;
  if (!parseShort(b)) return undefined;
  const scale = Math.max(xScale, parsedScale);
  if (xDigits + scale - xScale > FAST_MAX_LENGTH || parsedDigits + scale - parsedScale > FAST_MAX_LENGTH) return undefined;
  const units = xUnits * (POWERS_OF_TEN[scale - xScale] as number) + sign * parsedUnits * (POWERS_OF_TEN[scale - parsedScale] as number);
  return formatScaled(units, scale);
}

function fastMul(a: Decimal, b: Decimal): Decimal | undefined {
  if (!parseShort(a)) return undefined;
  const xUnits = parsedUnits;
  const xScale = parsedScale;
  const xDigits = parsedDigits;
  if (!parseShort(b) || xDigits + parsedDigits > FAST_MAX_LENGTH) return undefined;
  return formatScaled(xUnits * parsedUnits, xScale + parsedScale);
}

/**
 * a ÷ b rounded half-even to `places`, exactly, by scaled integers: the numerator and denominator
 * are integers of at most 15 digits, the quotient's remainder is checked exactly (so a quotient the
 * double division rounded across an integer is corrected), and the rounding is done on it.
 */
function fastDiv(a: Decimal, b: Decimal, places: number): Decimal | undefined {
  if (places < 0 || places > FAST_MAX_LENGTH || !parseShort(a)) return undefined;
  const xUnits = parsedUnits;
  const xScale = parsedScale;
  const xDigits = parsedDigits;
  if (!parseShort(b) || parsedUnits === 0) return undefined;
  // a/b = (xUnits / yUnits) × 10^(yScale - xScale); wanted in units of 10^-places.
  const shift = parsedScale - xScale + places;
  let n = Math.abs(xUnits);
  let d = Math.abs(parsedUnits);
  if (shift >= 0) {
    if (xDigits + shift > FAST_MAX_LENGTH) return undefined;
    n *= POWERS_OF_TEN[shift] as number;
  } else {
    if (parsedDigits - shift > FAST_MAX_LENGTH) return undefined;
    d *= POWERS_OF_TEN[-shift] as number;
  }
  let q = Math.floor(n / d);
  let r = n - q * d;
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  const twice = 2 * r;
  if (twice > d || (twice === d && q % 2 === 1)) q += 1;
  const negative = xUnits < 0 !== parsedUnits < 0;
  return formatScaled(negative ? -q : q, places);
}

/** Compares by scaled integers at equal scales, else as doubles (exact in order for 15 significant digits). */
function fastCmp(a: Decimal, b: Decimal): -1 | 0 | 1 | undefined {
  if (!parseShort(a)) return undefined;
  const xUnits = parsedUnits;
  const xScale = parsedScale;
  if (!parseShort(b)) return undefined;
  const x = xScale === parsedScale ? xUnits : Number(a);
  const y = xScale === parsedScale ? parsedUnits : Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a mod step === 0 by scaled integers, or undefined when either does not fit the fast path. */
function fastIsMultipleOf(a: Decimal, step: Decimal): boolean | undefined {
  if (!parseShort(a)) return undefined;
  const xUnits = parsedUnits;
  const xScale = parsedScale;
  const xDigits = parsedDigits;
  if (!parseShort(step) || parsedUnits <= 0) return undefined;
  const scale = Math.max(xScale, parsedScale);
  if (xDigits + scale - xScale > FAST_MAX_LENGTH || parsedDigits + scale - parsedScale > FAST_MAX_LENGTH) return undefined;
  return (xUnits * (POWERS_OF_TEN[scale - xScale] as number)) % (parsedUnits * (POWERS_OF_TEN[scale - parsedScale] as number)) === 0;
}

/** Canonical form: no trailing zeros, no exponent ("1.50" -> "1.5", "-0" -> "0"). */
export function normalize(value: Decimal): Decimal {
  if (parseShort(value)) return formatScaled(parsedUnits, parsedScale);
  const text = big(value).toFixed();
  return text === "-0" ? "0" : text;
}

export const add = (a: Decimal, b: Decimal): Decimal => fastAddSub(a, b, 1) ?? big(a).plus(big(b)).toFixed();
export const sub = (a: Decimal, b: Decimal): Decimal => fastAddSub(a, b, -1) ?? big(a).minus(big(b)).toFixed();
export const mul = (a: Decimal, b: Decimal): Decimal => fastMul(a, b) ?? big(a).times(big(b)).toFixed();
/** A private Big for division: its precision is the places asked, so the quotient is rounded once. */
const DivBig = Big();
DivBig.RM = Big.roundHalfEven;
DivBig.NE = -30;
DivBig.PE = 40;

/** a ÷ b rounded once, half-even, to `places` (no intermediate rounding). */
export const div = (a: Decimal, b: Decimal, places = 8): Decimal => {
  const fast = fastDiv(a, b, places);
  if (fast !== undefined) return fast;
  if (big(b).eq(0)) throw new RangeError("division by zero");
  DivBig.DP = places;
  return normalize(new DivBig(big(a)).div(new DivBig(big(b))).toFixed());
};
export const cmp = (a: Decimal, b: Decimal): -1 | 0 | 1 => fastCmp(a, b) ?? (big(a).cmp(big(b)) as -1 | 0 | 1);
export const eq = (a: Decimal, b: Decimal): boolean => cmp(a, b) === 0;
export const gt = (a: Decimal, b: Decimal): boolean => cmp(a, b) > 0;
export const gte = (a: Decimal, b: Decimal): boolean => cmp(a, b) >= 0;
export const lt = (a: Decimal, b: Decimal): boolean => cmp(a, b) < 0;
export const lte = (a: Decimal, b: Decimal): boolean => cmp(a, b) <= 0;
export const isZero = (a: Decimal): boolean => cmp(a, "0") === 0;
export const isPositive = (a: Decimal): boolean => cmp(a, "0") > 0;
export const neg = (a: Decimal): Decimal => (parseShort(a) ? formatScaled(-parsedUnits, parsedScale) : normalize(big(a).neg().toFixed()));
export const abs = (a: Decimal): Decimal => (parseShort(a) ? formatScaled(Math.abs(parsedUnits), parsedScale) : big(a).abs().toFixed());
export const min = (a: Decimal, b: Decimal): Decimal => (lte(a, b) ? a : b);
export const max = (a: Decimal, b: Decimal): Decimal => (gte(a, b) ? a : b);

/** Rounds to a number of decimal places, half-even. */
export const round = (a: Decimal, places: number): Decimal => big(a).round(places, Big.roundHalfEven).toFixed();

/** Rounds to the nearest multiple of `step` (e.g. a tick size), half-even. */
export function roundToStep(a: Decimal, step: Decimal): Decimal {
  const units = big(a).div(big(step)).round(0, Big.roundHalfEven);
  return normalize(units.times(big(step)).toFixed());
}

/** True when `a` is an exact multiple of `step` (tick size, lot size). */
export function isMultipleOf(a: Decimal, step: Decimal): boolean {
  const fast = fastIsMultipleOf(a, step);
  if (fast !== undefined) return fast;
  if (big(step).lte(0)) throw new RangeError("step must be positive");
  return big(a).mod(big(step)).eq(0);
}

/**
 * Volume-weighted average price after a fill, exact: the notional is kept as a decimal,
 * and the average is rounded only for display at `places`.
 */
export function vwap(cumQty: Decimal, avgPx: Decimal, lastQty: Decimal, lastPx: Decimal, places = 8): Decimal {
  const newQty = big(cumQty).plus(big(lastQty));
  if (newQty.eq(0)) return "0";
  const notional = big(cumQty)
    .times(big(avgPx))
    .plus(big(lastQty).times(big(lastPx)));
  return notional.div(newQty).round(places, Big.roundHalfEven).toFixed();
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce<Big>((acc, v) => acc.plus(big(v)), new Big(0)).toFixed();
}

/** A decimal field from a venue's wire that is not an exact decimal we can book. */
export class WireDecimalError extends Error {
  constructor(
    readonly value: string,
    readonly why: "empty" | "format" | "range",
  ) {
    super(
      why === "empty"
        ? "empty value where a decimal was expected"
        : why === "format"
          ? `"${value.slice(0, 40)}" is not a decimal`
          : `"${value.slice(0, 40)}" is out of range (at most ${WIRE_MAX_DIGITS} digits before and after the point)`,
    );
    this.name = "WireDecimalError";
  }
}

/** Digits a wire decimal may have on each side of the point, once leading and trailing zeros are gone. */
export const WIRE_MAX_DIGITS = 18;
/** FIX float: optional "-", digits with an optional point ("23.", "00023.23", ".5" too); no exponent. */
const WIRE_PLAIN = /^(-?)(\d*)(?:\.(\d*))?$/;
/** A JSON number (RFC 8259): exponent allowed, converted exactly. */
const JSON_NUMBER = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal read off a venue's wire, exactly: never through a binary float, so "123456789.123456789"
 * keeps every digit and "0.00000012" stays itself. Plain decimal text only, unless `exponent` (a
 * JSON number's text, e.g. `1.2e-7` becomes "0.00000012", by moving the point in the digit string).
 * Returns the canonical form (as `normalize`); throws WireDecimalError for anything else.
 */
export function parseWireDecimal(text: string, options: { exponent?: boolean } = {}): Decimal {
  if (text === "") throw new WireDecimalError(text, "empty");
  let sign: string;
  let int: string;
  let frac: string;
  let shift = 0;
  const plain = WIRE_PLAIN.exec(text);
  if (plain && (plain[2] !== "" || (plain[3] ?? "") !== "")) {
    [, sign = "", int = "", frac = ""] = plain;
  } else {
    const json = options.exponent ? JSON_NUMBER.exec(text) : null;
    if (!json) throw new WireDecimalError(text, "format");
    [, sign = "", int = "", frac = ""] = json;
    // An exponent beyond the digit limits cannot give a bookable value; checked before building strings.
    if (json[4] !== undefined) shift = Number(json[4]);
    if (!Number.isSafeInteger(shift) || Math.abs(shift) > 4 * WIRE_MAX_DIGITS) throw new WireDecimalError(text, "range");
  }
  let digits = int + frac;
  let point = int.length + shift;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits += "0".repeat(point - digits.length);
  }
  const whole = digits.slice(0, point).replace(/^0+/, "") || "0";
  const fraction = digits.slice(point).replace(/0+$/, "");
  if (whole.length > WIRE_MAX_DIGITS || fraction.length > WIRE_MAX_DIGITS) throw new WireDecimalError(text, "range");
  const value = fraction === "" ? whole : `${whole}.${fraction}`;
  return value === "0" || sign === "" ? value : `-${value}`;
}

/** For display and market data simulation only, never for booking. */
export const toNumber = (a: Decimal): number => Number(a);
