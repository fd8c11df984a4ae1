import { type ArrivalQuote, money } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";

/**
 * The quote as journaled with an order (at receipt, at routing): bid, ask, their exact mid and the
 * quote's own time (epoch ms). A one-sided, zero or crossed quote is no benchmark: undefined.
 */
export function quoteSnapshot(quote: Quote | undefined): ArrivalQuote | undefined {
  if (!quote) return undefined;
  // Quotes are replaced, never changed, and each is snapshotted for many orders and markouts.
  let snapshot = snapshots.get(quote);
  if (snapshot === undefined) {
    snapshot = snapshotOf(quote) ?? null;
    snapshots.set(quote, snapshot);
  }
  return snapshot ?? undefined;
}

const snapshots = new WeakMap<Quote, Readonly<ArrivalQuote> | null>();

function snapshotOf(quote: Quote): ArrivalQuote | undefined {
  const { bid, ask } = quote;
  if (!bid || !ask) return undefined;
  try {
    if (!money.isPositive(bid) || !money.isPositive(ask) || money.gt(bid, ask)) return undefined;
    return { bid, ask, mid: money.normalize(money.div(money.add(bid, ask), "2", 12)), ts: quote.ts };
  } catch {
    return undefined;
  }
}
