export function formatTime(iso: string): string {
  return iso.slice(11, 23);
}

export function formatQty(value: string): string {
  const n = Number(value);
  return Number.isInteger(n) ? n.toLocaleString("en-US") : value;
}

export function formatPx(value: string | null): string {
  if (value === null || value === "0") return "—";
  return value;
}

export function statusClass(status: string): string {
  return `status status-${status.toLowerCase()}`;
}
