import { type ArrivalQuote, money } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";

/**
 * The quote as journaled with an order (at receipt, at routing): bid, ask, their exact mid and the
 * quote's own time (epoch ms). A one-sided, zero or crossed quote is no benchmark: undefined.
 */
export function quoteSnapshot(quote: Quote | undefined): ArrivalQuote | undefined {
  if (!quote) return undefined;
  const { bid, ask } = quote;
  if (!bid || !ask) return undefined;
  try {
    if (!money.isPositive(bid) || !money.isPositive(ask) || money.gt(bid, ask)) return undefined;
    return { bid, ask, mid: money.normalize(money.div(money.add(bid, ask), "2", 12)), ts: quote.ts };
  } catch {
    return undefined;
  }
}
