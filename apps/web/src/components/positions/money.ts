import { money } from "@fillmore/shared";

/**
 * An amount to the cent, exact (rounded half-even from its decimal string), with thousands
 * separators and an explicit sign: "+1,234.50", "−12.00", "0.00"; "—" when unknown.
 */
export function formatMoney(value: string | null | undefined, places = 2): string {
  if (value === null || value === undefined) return "—";
  const rounded = money.round(value, places);
  const negative = rounded.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? rounded.slice(1) : rounded).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const text = places > 0 ? `${grouped}.${fraction.padEnd(places, "0")}` : grouped;
  if (/^[0,.]+$/.test(text)) return text;
  return `${negative ? "−" : "+"}${text}`;
}

/** An exposure or other unsigned-looking amount: separators, no decimals, sign only when negative. */
export function formatAmount(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const text = formatMoney(value, 0);
  return text.startsWith("+") ? text.slice(1) : text;
}

/** "pos", "neg" or "" for colouring a P&L figure. */
export function signClass(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const c = money.cmp(money.round(value, 2), "0");
  return c > 0 ? "pos" : c < 0 ? "neg" : "";
}
