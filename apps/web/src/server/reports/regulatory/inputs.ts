import { type ArrivalQuote, type Decimal, money } from "@fillmore/shared";
import type { Firm } from "./firm";
import { epochUs, type OrderRecord } from "./order-record";
import { easternMonth, inRegularHours } from "./periods";
import { type CoveredOrder, classify605, type Execution, HORIZONS, type Horizon } from "./rule605";
import type { HeldOrder, OrderType606 } from "./rule606";

// From an order's journaled life to what each rule counts (pure). Choices where Fillmore's data is
// thinner than the rule's are stated here and in docs/REPORTS.md.

/** NMS stocks: 1–5 letter symbols with an optional class suffix (the reference data has no asset class; EURUSD is out). */
export const isNmsStock = (symbol: string) => /^[A-Z]{1,5}([.-][A-Z])?$/.test(symbol);

/** MarkoutSampled horizons (ms) that are 605 realized-spread horizons. */
const HORIZON_MS: Record<number, Horizon> = { 50: "50millisec", 1000: "1sec", 15000: "15sec", 60000: "1min", 300000: "5min" };

function twoSided(q: ArrivalQuote | undefined): q is ArrivalQuote {
  return q !== undefined && money.isPositive(q.bid) && money.gt(q.ask, q.bid);
}

/** Why an order is not a 605 covered order, or null when it is. */
export function notCovered(r: OrderRecord): string | null {
  const o = r.order;
  if (o.parentId !== null) return "a child order (its parent is the customer's order)";
  if (!isNmsStock(o.symbol)) return "not an NMS stock";
  if (r.denied) return "denied by risk before acceptance";
  if (o.timeInForce === "FOK") return "all-or-none (FOK): special handling";
  return null;
}

/** The reference time and NBBO: receipt for market and limit orders, the trigger (route) for stops [verify for NMLOs]. */
function reference(r: OrderRecord): { ts: string; quote: ArrivalQuote } | null {
  const stop = ["Stop", "StopLimit", "TrailingStop"].includes(r.order.ordType);
  const ref = stop ? r.routes[0] : { ts: r.receivedTs, quote: r.arrival };
  return ref && twoSided(ref.quote) ? { ts: ref.ts, quote: ref.quote } : null;
}

/** The 605 covered order, or null when not covered (also: received outside RTH, or no NBBO at the reference time). */
export function coveredOrder(r: OrderRecord, firm: Firm): CoveredOrder | null {
  if (notCovered(r) !== null) return null;
  const ref = reference(r);
  if (!ref || !inRegularHours(ref.ts)) return null;
  const o = r.order;
  const ordType = o.ordType === "TrailingStop" ? "Stop" : o.ordType;
  const refUs = epochUs(ref.ts);
  const executions: Execution[] = r.fills.map((f) => {
    const samples = r.markouts.get(f.execId);
    const midAfter: Partial<Record<Horizon, Decimal>> = {};
    for (const [ms, mid] of samples ?? []) {
      const h = HORIZON_MS[ms];
      if (h && HORIZONS.includes(h)) midAfter[h] = mid;
    }
    return {
      qty: f.qty,
      px: f.px,
      afterUs: Math.max(0, epochUs(f.ts) - refUs),
      away: firm.awayVenues.includes(f.venueId),
      midAfter,
      regularHours: inRegularHours(f.ts),
      // An exchange: the venues the firm's CAT table lists as exchanges (destinationType E).
      onExchange: firm.catDestinations[f.venueId]?.destinationType === "E",
    };
  });
  return {
    symbol: o.symbol,
    side: o.side,
    orderType: classify605({ ordType, side: o.side, price: o.price, ioc: o.timeInForce === "IOC", bid: ref.quote.bid, ask: ref.quote.ask }),
    qty: o.orderQty,
    bid: ref.quote.bid,
    ask: ref.quote.ask,
    cancelledQty: r.cancelledQty,
    executions,
    sp500: firm.sp500.includes(o.symbol),
  };
}

/** 606 type at receipt: market, marketable limit (against the NBBO at receipt), non-marketable limit, other (stops). */
export function type606(r: OrderRecord): OrderType606 {
  const o = r.order;
  if (o.ordType === "Market") return "market";
  if (o.ordType !== "Limit") return "other";
  const q = r.arrival;
  if (!twoSided(q) || o.price === null) return "nonMarketableLimit";
  return (o.side === "Buy" ? money.gte(o.price, q.ask) : money.lte(o.price, q.bid)) ? "marketableLimit" : "nonMarketableLimit";
}

/** Net payment received on an order's fills in USD: rebates (negative fees) received minus fees paid. */
export function netUsd(r: OrderRecord): Decimal {
  const lines = r.fills.flatMap((f) => f.fees).filter((l) => l.currency === "USD");
  return money.normalize(money.neg(money.sum(lines.map((l) => l.amount))));
}

/** The 606(a)(1) held order: a customer's order that was routed (a split parent goes to its first child's venue). */
export function heldOrder(r: OrderRecord, firm: Firm, venueName: (id: string) => { name: string; mic: string }): HeldOrder | null {
  const o = r.order;
  if (o.parentId !== null || !isNmsStock(o.symbol)) return null;
  const venueId = r.splitVenues[0] ?? r.routes[0]?.venueId;
  if (!venueId) return null;
  return {
    month: easternMonth(r.receivedTs),
    section: firm.sp500.includes(o.symbol) ? "SP500" : "OtherStocks",
    directed: o.requestedVenueId !== null,
    type: type606(r),
    venue: venueName(venueId),
    executedQty: money.sum(r.fills.map((f) => f.qty)),
    netPerShare: "0",
    netUsd: netUsd(r),
  };
}
