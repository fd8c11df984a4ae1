export function formatTime(iso: string): string {
  return iso.slice(11, 23);
}

export function formatQty(value: string): string {
  const n = Number(value);
  return Number.isInteger(n) ? n.toLocaleString("en-US") : value;
}

/** Places after the decimal point of a tick size: "0.01" → 2, "1" → 0. */
export function placesOf(tickSize: string | undefined): number {
  if (!tickSize) return 2;
  const dot = tickSize.indexOf(".");
  return dot < 0 ? 0 : tickSize.length - dot - 1;
}

/** A price shown to the instrument's tick (a few more places for averages), from its decimal string. */
export function formatPx(value: string | null, places = 2): string {
  if (value === null || value === "0") return "—";
  const [whole = "0", fraction = ""] = value.split(".");
  if (fraction.length <= places) return `${whole}.${fraction.padEnd(places, "0")}`.replace(/\.$/, "");
  const rounded = Number(value).toFixed(places);
  return rounded;
}

export function statusClass(status: string): string {
  return `status status-${status.toLowerCase()}`;
}
