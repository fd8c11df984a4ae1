import { type Decimal, money } from "@fillmore/shared";

const { add, lt, mul, normalize, sub } = money;

// Sign tests and sign flips on canonical decimal text (what the projection and this book hold: no
// "+", no "-0", no leading zeros): string work, where money.neg/abs go through big.js (a report walks
// every fill of its books, 1,000,000 in the export benchmark). Sums and products stay money's, whose
// scaled-integer fast path is exact for short decimals and falls back to big.js otherwise.
const isNegative = (a: Decimal): boolean => a.charCodeAt(0) === 45;
const isZero = (a: Decimal): boolean => /^-?0(\.0*)?$/.test(a);
const isPositive = (a: Decimal): boolean => !isNegative(a) && !isZero(a);
const neg = (a: Decimal): Decimal => (isZero(a) ? "0" : isNegative(a) ? a.slice(1) : `-${a}`);
const abs = (a: Decimal): Decimal => (isNegative(a) ? a.slice(1) : a);

/**
 * Realized P&L of each fill under average cost, as the engine's position book books it
 * (docs/POSITIONS.md): a book is (account, strategy, symbol); the open position's signed cost basis
 * is kept exactly; a reducing fill of `c` out of `|q|` takes out `cost · c / |q|` and realizes
 * `sign(q) · c · px − that`; a fill that crosses zero closes `|q|` and opens the rest at its price.
 * Multiplier 1 (instruments carry none); corporate actions are not applied (docs/REPORTS.md).
 */
export interface BookFill {
  book: string;
  side: "Buy" | "Sell";
  qty: Decimal;
  px: Decimal;
}

interface Book {
  /** Signed open quantity (stale while `scaled`). */
  q: Decimal;
  /** Signed cost basis of what is open (stale while `scaled`). */
  cost: Decimal;
  /**
   * The same two values held as exact scaled integers, qUnits·10^-qScale and costUnits·10^-costScale,
   * while they fit in a double's 53 bits: a fill that adds to the position (most fills) is then a few
   * integer operations, no string and no object. Anything else goes through the decimal text.
   */
  scaled: boolean;
  qUnits: number;
  qScale: number;
  costUnits: number;
  costScale: number;
}

/** Powers of ten a double holds exactly and whose products with a safe integer are checked. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** The last parsed decimal, as units·10^-scale (module state: parsing allocates nothing). */
let parsedUnits = 0;
let parsedScale = 0;

/** Parses plain decimal text of at most 15 digits into parsedUnits/parsedScale; false otherwise. */
function parseScaled(text: Decimal): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return false;
  let units = 0;
  let digits = 0;
  let scale = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (scale >= 0 || digits === 0) return false;
      scale = 0;
      continue;
    }
    if (c < 48 || c > 57 || ++digits > 15) return false;
    units = units * 10 + (c - 48);
    if (scale >= 0) scale++;
  }
  if (scale === 0) return false;
  parsedUnits = text.charCodeAt(0) === 45 ? -units : units;
  parsedScale = Math.max(scale, 0);
  return true;
}

/** units·10^-scale as canonical decimal text. */
function scaledText(units: number, scale: number): Decimal {
  if (scale === 0 || units === 0) return String(units === 0 ? 0 : units);
  const negative = units < 0;
  const digits = String(negative ? -units : units).padStart(scale + 1, "0");
  const point = digits.length - scale;
  return normalize(`${negative ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`);
}

/** Leaves the scaled form: the decimal text becomes the book's state. */
function toText(book: Book): void {
  if (!book.scaled) return;
  book.q = scaledText(book.qUnits, book.qScale);
  book.cost = scaledText(book.costUnits, book.costScale);
  book.scaled = false;
}

/** Takes the scaled form again when both values fit. */
function toScaled(book: Book): void {
  if (!parseScaled(book.q)) return;
  const qUnits = parsedUnits;
  const qScale = parsedScale;
  if (!parseScaled(book.cost)) return;
  book.qUnits = qUnits;
  book.qScale = qScale;
  book.costUnits = parsedUnits;
  book.costScale = parsedScale;
  book.scaled = true;
}

/**
 * A fill that adds to the position (or opens it), on the scaled integers: false, and nothing
 * changed, when it reduces the position or any value or intermediate product leaves the safe
 * integers (every term is checked, so a sum of exact terms is exact).
 */
function addScaled(book: Book, buy: boolean, qty: Decimal, px: Decimal): boolean {
  if (book.qUnits !== 0 && book.qUnits > 0 !== buy) return false;
  if (!parseScaled(qty)) return false;
  const signedUnits = buy ? parsedUnits : -parsedUnits;
  const fillScale = parsedScale;
  if (!parseScaled(px)) return false;
  const valueUnits = signedUnits * parsedUnits;
  const valueScale = fillScale + parsedScale;
  const qScale = Math.max(book.qScale, fillScale);
  const costScale = Math.max(book.costScale, valueScale);
  if (qScale - book.qScale > 15 || qScale - fillScale > 15 || costScale - book.costScale > 15 || costScale - valueScale > 15) return false;
  const q1 = book.qUnits * (POW10[qScale - book.qScale] as number);
  const q2 = signedUnits * (POW10[qScale - fillScale] as number);
  const c1 = book.costUnits * (POW10[costScale - book.costScale] as number);
  const c2 = valueUnits * (POW10[costScale - valueScale] as number);
  const q = q1 + q2;
  const cost = c1 + c2;
  const safe = Number.isSafeInteger;
  if (!safe(valueUnits) || !safe(q1) || !safe(q2) || !safe(c1) || !safe(c2) || !safe(q) || !safe(cost)) return false;
  book.qUnits = q;
  book.qScale = qScale;
  book.costUnits = cost;
  book.costScale = costScale;
  return true;
}

/** Decimal places kept for a cost taken out that does not terminate (the engine keeps 36). */
const COST_PLACES = 36;

/** Decimal text as a BigInt of units and its scale (plain decimals only: the book's canonical text). */
function bigUnits(text: Decimal): [bigint, number] {
  const point = text.indexOf(".");
  if (point < 0) return [BigInt(text), 0];
  return [BigInt(text.slice(0, point) + text.slice(point + 1)), text.length - point - 1];
}

const TEN = 10n;

/**
 * cost · closed / open exactly as `money.div(mul(cost, closed), open, COST_PLACES)` gives it (the
 * quotient half-even to COST_PLACES places), on BigInt: big.js's long division cost about 45 µs per
 * reducing fill. `open` is positive.
 */
export function costShare(cost: Decimal, closed: Decimal, open: Decimal): Decimal {
  const [c, cs] = bigUnits(cost);
  const [k, ks] = bigUnits(closed);
  const [o, os] = bigUnits(open);
  // (c·k / 10^(cs+ks)) / (o / 10^os) · 10^12 = c·k·10^(os+12) / (o·10^(cs+ks))
  let num = c * k * TEN ** BigInt(os + COST_PLACES);
  const den = o * TEN ** BigInt(cs + ks);
  const negative = num < 0n;
  if (negative) num = -num;
  let q = num / den;
  const twice = (num % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  if (q === 0n) return "0";
  const digits = q.toString().padStart(COST_PLACES + 1, "0");
  const point = digits.length - COST_PLACES;
  return normalize(`${negative ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`);
}

export class AverageCostBooks {
  private readonly books = new Map<string, Book>();

  /** Applies a fill to its book and returns what it realized, as a canonical decimal string. */
  apply(fill: BookFill): Decimal {
    let book = this.books.get(fill.book);
    if (!book) {
      book = { q: "0", cost: "0", scaled: true, qUnits: 0, qScale: 0, costUnits: 0, costScale: 0 };
      this.books.set(fill.book, book);
    }
    if (book.scaled && addScaled(book, fill.side === "Buy", fill.qty, fill.px)) return "0";
    toText(book);
    const realized = this.applyText(book, fill);
    toScaled(book);
    return realized;
  }

  /** The fill on the decimal text (reducing fills, and values too long for the scaled integers). */
  private applyText(book: Book, fill: BookFill): Decimal {
    const signed = fill.side === "Buy" ? fill.qty : neg(fill.qty);
    const reducing = !isZero(book.q) && isPositive(book.q) !== isPositive(signed);
    if (!reducing) {
      book.q = add(book.q, signed);
      book.cost = add(book.cost, mul(signed, fill.px));
      return "0";
    }
    const open = abs(book.q);
    const closed = lt(fill.qty, open) ? fill.qty : open;
    const long = isPositive(book.q);
    const costOut = closed === open ? book.cost : costShare(book.cost, closed, open);
    const proceeds = mul(closed, fill.px);
    const realized = sub(long ? proceeds : neg(proceeds), costOut);
    book.cost = sub(book.cost, costOut);
    book.q = long ? sub(book.q, closed) : add(book.q, closed);
    const rest = sub(fill.qty, closed);
    if (isPositive(rest)) {
      book.q = fill.side === "Buy" ? rest : neg(rest);
      book.cost = mul(book.q, fill.px);
    }
    return normalize(realized);
  }
}

/** The book key of a fill: account, strategy (null is its own book, apart from "") and symbol. */
export function bookKey(accountId: string, strategy: string | null, symbol: string): string {
  return `${accountId}\u0001${strategy === null ? "\u0000" : `=${strategy}`}\u0001${symbol}`;
}
