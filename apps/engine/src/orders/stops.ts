import { type Decimal, money, type Order } from "@fillmore/shared";
import type { VenueCapabilities } from "../venues/adapter";

export const isHeldType = (order: Order): boolean =>
  order.ordType === "Stop" || order.ordType === "StopLimit" || order.ordType === "TrailingStop";

/** How far a trailing stop stays from the market: its amount, or its percentage of the price, on the tick. */
function trailOffset(order: Order, marketPx: Decimal, tickSize: Decimal): Decimal {
  if (order.trailAmount !== null) return order.trailAmount;
  const pct = order.trailPercent ?? "0";
  return money.roundToStep(money.div(money.mul(marketPx, pct), "100", 10), tickSize);
}

/** Where a trailing stop would stand for this market price: below it for a sell, above for a buy. */
export function trailingStopFor(order: Order, marketPx: Decimal, tickSize: Decimal): Decimal {
  const offset = trailOffset(order, marketPx, tickSize);
  return order.side === "Sell" ? money.sub(marketPx, offset) : money.add(marketPx, offset);
}

/** A trailing stop only ever moves in the holder's favour: up for a sell, down for a buy. */
export function movedTrailingStop(order: Order, marketPx: Decimal, tickSize: Decimal): Decimal | null {
  if (order.ordType !== "TrailingStop") return null;
  const candidate = trailingStopFor(order, marketPx, tickSize);
  if (order.stopPx === null) return candidate;
  const better = order.side === "Sell" ? money.gt(candidate, order.stopPx) : money.lt(candidate, order.stopPx);
  return better ? candidate : null;
}

/** A buy stop triggers at or above its stop price, a sell stop at or below. */
export function isTriggered(order: Order, marketPx: Decimal): boolean {
  if (order.stopPx === null) return false;
  return order.side === "Buy" ? money.gte(marketPx, order.stopPx) : money.lte(marketPx, order.stopPx);
}

/**
 * What a venue is sent: a triggered held stop becomes a market or limit order, and a GTD order
 * goes as GTC to a venue without GTD (the engine expires it itself at its time).
 */
export function venueView(order: Order, capabilities?: VenueCapabilities): Order {
  const timeInForce = order.timeInForce === "GTD" && capabilities && !capabilities.timeInForces.includes("GTD") ? "GTC" : order.timeInForce;
  if (order.ordType === "Stop" || order.ordType === "TrailingStop") return { ...order, ordType: "Market", price: null, timeInForce };
  if (order.ordType === "StopLimit") return { ...order, ordType: "Limit", timeInForce };
  return { ...order, timeInForce };
}
