import { type Decimal, money } from "@fillmore/shared";

/** Regulatory figures: exact sums, ratios at 12 places, then at most `places` decimals, half-up on the next digit (605 OES spec). */
export function halfUp(value: Decimal, places: number): Decimal {
  const exact = money.normalize(value);
  const negative = exact.startsWith("-");
  const [int = "0", frac = ""] = (negative ? exact.slice(1) : exact).split(".");
  if (frac.length <= places) return exact;
  let kept = money.normalize(`${int}.${frac.slice(0, places) || "0"}`);
  if (Number(frac[places]) >= 5) kept = money.add(kept, places === 0 ? "1" : `0.${"0".repeat(places - 1)}1`);
  return money.normalize(negative && kept !== "0" ? `-${kept}` : kept);
}

/** a / b at 12 places, or null when b is zero (no data: the field stays empty). */
export function ratio(a: Decimal, b: Decimal): Decimal | null {
  return money.isZero(b) ? null : money.div(a, b, 12);
}

/** A field as the file writes it: empty when unknown, else half-up to 6 places. */
export function field(value: Decimal | null, places = 6): string {
  return value === null ? "" : halfUp(value, places);
}
