import { type TradingHours, tradingHoursSchema } from "@fillmore/shared";

/**
 * An instrument's trading hours (packages/shared reference-data.ts): "HH:MM" open and close in UTC, on
 * the listed days (0 = Sunday). A close at or before the open is a session that runs past midnight into
 * the next day: `days` lists the days a session OPENS (22:00–06:00 on Sunday runs to Monday 06:00). Open
 * equal to close is a 24-hour session from the open. No hours (null) means always open. Pure.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

export interface SessionState {
  open: boolean;
  /** When the session in force closes (open), or the next one opens (closed); epoch ms. */
  nextChangeMs: number;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** How long one session lasts, in minutes (1..1440). */
export function sessionMinutes(hours: Pick<TradingHours, "open" | "close">): number {
  const length = (minutesOf(hours.close) - minutesOf(hours.open) + 1440) % 1440;
  return length === 0 ? 1440 : length;
}

/** Whether the instrument trades at `nowMs`, and when that changes. */
export function tradingSession(hours: TradingHours, nowMs: number): SessionState {
  const open = minutesOf(hours.open) * MINUTE_MS;
  const length = sessionMinutes(hours) * MINUTE_MS;
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  // Yesterday's session may still run (past midnight); the next one is at most a week away.
  for (let d = -1; d <= 7; d += 1) {
    const day = today + d * DAY_MS;
    if (!hours.days.includes(new Date(day).getUTCDay())) continue;
    const start = day + open;
    if (nowMs < start) return { open: false, nextChangeMs: start };
    if (nowMs < start + length) return { open: true, nextChangeMs: start + length };
  }
  // Unreachable while `days` is not empty (the schema requires one day at least).
  return { open: false, nextChangeMs: Number.POSITIVE_INFINITY };
}

function describeDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return "every day";
  const first = sorted[0] ?? 0;
  const last = sorted[sorted.length - 1] ?? 0;
  const consecutive = sorted.length > 2 && last - first === sorted.length - 1;
  return consecutive ? `${DAY_NAMES[first]}–${DAY_NAMES[last]}` : sorted.map((d) => DAY_NAMES[d]).join(", ");
}

/** "09:30–16:00 UTC Mon–Fri", "22:00–06:00 UTC (to the next day) Sun–Thu", "24 h from 00:00 UTC every day". */
export function describeHours(hours: TradingHours): string {
  if (hours.open === hours.close) return `24 h from ${hours.open} UTC ${describeDays(hours.days)}`;
  const overnight = minutesOf(hours.close) <= minutesOf(hours.open);
  return `${hours.open}–${hours.close} UTC${overnight ? " (to the next day)" : ""} ${describeDays(hours.days)}`;
}

const at = (ms: number) => `${DAY_NAMES[new Date(ms).getUTCDay()]} ${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** A row's hours checked once per value (rows are replaced, not changed, when an admin edits them). */
const checked = new WeakMap<object, ReturnType<typeof tradingHoursSchema.safeParse>>();
function parseHours(raw: object) {
  let result = checked.get(raw);
  if (!result) {
    result = tradingHoursSchema.safeParse(raw);
    checked.set(raw, result);
  }
  return result;
}

/**
 * The pre-trade refusal of an order in an instrument outside its trading hours, naming the hours, the
 * time of the check and the next open; null when open or when the instrument has no hours. Fails closed:
 * hours that do not parse (a row edited by hand) or no time to judge by refuse the order.
 */
export function tradingHoursDenial(
  symbol: string,
  hours: TradingHours | null | undefined,
  nowMs: number | undefined,
): { code: string; reason: string } | null {
  if (hours === null || hours === undefined) return null;
  const parsed = parseHours(hours);
  if (!parsed.success)
    return {
      code: "INSTRUMENT_CLOSED",
      reason: `${symbol}'s trading hours are not valid (${parsed.error.issues.map((i) => i.message).join("; ")}): no orders until they are corrected (Admin → Instruments)`,
    };
  if (nowMs === undefined) return { code: "INSTRUMENT_CLOSED", reason: `${symbol} has trading hours and there is no clock to check them` };
  const session = tradingSession(parsed.data, nowMs);
  if (session.open) return null;
  return {
    code: "INSTRUMENT_CLOSED",
    reason: `${symbol} trades ${describeHours(parsed.data)}; it is closed now (${at(nowMs)}), next open ${at(session.nextChangeMs)}`,
  };
}
