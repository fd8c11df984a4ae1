/**
 * GTD expiry at the boundary. The schema refuses what is wrong whatever the clock says (not a
 * calendar date, more than GTD_STATIC_MAX_YEARS ahead); the engine refuses, with its own clock and
 * configured horizon, an expiry already past or beyond the horizon (`checkExpireTime`).
 */

/** Default of the engine's GTD_MAX_HORIZON_DAYS. */
export const DEFAULT_GTD_MAX_HORIZON_DAYS = 366;
/** No configured horizon may exceed this; the schema refuses anything further (e.g. year 9999). */
export const GTD_STATIC_MAX_YEARS = 10;

const DAY_MS = 86_400_000;
export const GTD_STATIC_MAX_MS = GTD_STATIC_MAX_YEARS * 366 * DAY_MS;

export type ExpireTimeErrorCode = "EXPIRE_TIME_INVALID" | "EXPIRE_TIME_PAST" | "EXPIRE_TIME_TOO_FAR";

export interface ExpireTimeError {
  code: ExpireTimeErrorCode;
  message: string;
}

const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})T/;

/** Milliseconds since the epoch of an ISO 8601 date-time that names a real calendar day, else null (2025-02-30 is null). */
export function expireTimeMs(expireTime: string): number | null {
  const ms = Date.parse(expireTime);
  const parts = DATE_PART.exec(expireTime);
  if (Number.isNaN(ms) || !parts) return null;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day ? ms : null;
}

/**
 * Whether a GTD order may carry this expiry now: null when it may, else why not. Refuses an
 * expiry at or before `nowMs` (it would be expired on arrival; a market order would still fill)
 * and one more than `maxHorizonDays` ahead.
 */
export function checkExpireTime(
  expireTime: string,
  nowMs: number,
  maxHorizonDays: number = DEFAULT_GTD_MAX_HORIZON_DAYS,
): ExpireTimeError | null {
  const ms = expireTimeMs(expireTime);
  if (ms === null) return { code: "EXPIRE_TIME_INVALID", message: `expireTime ${expireTime} is not a valid date and time` };
  if (ms <= nowMs)
    return {
      code: "EXPIRE_TIME_PAST",
      message: `expireTime ${expireTime} is already past (now ${new Date(nowMs).toISOString()}): a GTD order must expire in the future`,
    };
  if (ms - nowMs > maxHorizonDays * DAY_MS)
    return {
      code: "EXPIRE_TIME_TOO_FAR",
      message: `expireTime ${expireTime} is more than ${maxHorizonDays} days ahead, the longest a GTD order may work`,
    };
  return null;
}
