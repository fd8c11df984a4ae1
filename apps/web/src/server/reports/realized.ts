import { type Decimal, money } from "@fillmore/shared";

const { add, div, lt, mul, normalize, sub } = money;

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
  /** Signed open quantity. */
  q: Decimal;
  /** Signed cost basis of what is open. */
  cost: Decimal;
}

/** Decimal places kept for a cost taken out that does not terminate (the engine keeps 36). */
const COST_PLACES = 36;

export class AverageCostBooks {
  private readonly books = new Map<string, Book>();

  /** Applies a fill to its book and returns what it realized, as a canonical decimal string. */
  apply(fill: BookFill): Decimal {
    const book = this.books.get(fill.book) ?? { q: "0", cost: "0" };
    this.books.set(fill.book, book);
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
    const costOut = closed === open ? book.cost : div(mul(book.cost, closed), open, COST_PLACES);
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
