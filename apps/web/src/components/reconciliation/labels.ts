import type { ReconciliationBreak } from "../../server/engine-client";

export type Break = ReconciliationBreak;

export const CAUSE_LABEL: Record<Break["cause"], string> = {
  MISSING_FILL: "Missing fill",
  EXTERNAL_TRADE: "External trade",
  FEE_DIFFERENCE: "Fee difference",
  CORPORATE_ACTION: "Corporate action not applied",
  VENUE_LOST_ORDER: "Venue lost the order",
  OUTCOME_UNKNOWN: "Outcome unknown",
  UNEXPLAINED: "Unexplained",
};

/** "venue:SIM-FAST" → "SIM-FAST (venue)", "statement:eod" → "eod (statement)". */
export function sourceLabel(source: string): string {
  const at = source.indexOf(":");
  return at < 0 ? source : `${source.slice(at + 1)} (${source.slice(0, at)})`;
}

/** A signed quantity or amount as shown: "+100", "-20", "0"; non-numbers (order states) as they are. */
export function signed(value: string | null): string {
  if (value === null) return "—";
  const n = Number(value);
  if (!Number.isFinite(n) || value.trim() === "") return value;
  const text = Number.isInteger(n) ? Math.abs(n).toLocaleString("en-US") : value.replace(/^-/, "");
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : "0";
}

export function signClassOf(value: string | null): string {
  const n = Number(value);
  return value === null || !Number.isFinite(n) || n === 0 ? "" : n > 0 ? "pos" : "neg";
}

/** What "adopt" means for this break, or why it cannot be adopted (then: mark it investigated). */
export function adoptable(b: Break): { ok: true; what: string } | { ok: false; why: string } {
  if (b.kind === "fee") return { ok: false, why: "fees are not re-booked: take it up with the broker and mark it investigated" };
  if (b.kind === "order") return { ok: true, what: `book the venue's answer for order ${b.orderId}` };
  if (b.accountId === null) return { ok: false, why: `${sourceLabel(b.source)} keeps one book for every account: nothing to adjust` };
  return {
    ok: true,
    what: `a journaled adjusting entry of ${signed(b.difference)} on ${b.accountId} ${b.symbol}, to match the broker's ${b.theirs}`,
  };
}
