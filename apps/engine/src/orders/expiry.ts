import type { Order } from "@fillmore/shared";

/** Parses "HH:MM" (UTC) into minutes after midnight. */
export function parseSessionEnd(text: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new Error(`session end must be HH:MM (UTC), got "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The first session end strictly after `fromMs`. */
export function nextSessionEnd(fromMs: number, sessionEndMinutes: number): number {
  const day = new Date(fromMs);
  const end = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 0, sessionEndMinutes);
  return end > fromMs ? end : end + 24 * 60 * 60 * 1000;
}

/** When an order stops being valid: GTD at its expireTime, DAY at the session end after it arrived; others never. */
export function expiresAt(order: Order, sessionEndMinutes: number): number | null {
  if (order.timeInForce === "GTD" && order.expireTime !== null) return Date.parse(order.expireTime);
  if (order.timeInForce === "DAY") return nextSessionEnd(Date.parse(order.createdAt), sessionEndMinutes);
  return null;
}
