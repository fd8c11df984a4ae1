/**
 * Session boundaries: the trading day ends at SESSION_END_UTC every day (the engine's daily P&L
 * restarts there and DAY orders expire there). A boundary closes the trading day that began at the
 * boundary before it; that day is named by the UTC date of its last instant (with the default 21:00
 * the day ending 2026-03-02T21:00Z is "2026-03-02"; with 00:00 the day ending 2026-03-03T00:00Z is
 * "2026-03-02").
 */
const DAY_MS = 86_400_000;

/** The newest boundary at or before `nowMs`. */
export function boundaryAtOrBefore(nowMs: number, sessionEndMinutes: number): number {
  const d = new Date(nowMs);
  const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 0, sessionEndMinutes);
  return today <= nowMs ? today : today - DAY_MS;
}

/** The first boundary strictly after `nowMs`. */
export const nextBoundaryAfter = (nowMs: number, sessionEndMinutes: number): number =>
  boundaryAtOrBefore(nowMs, sessionEndMinutes) + DAY_MS;

/** The trading day a boundary closes: [boundary − 24 h, boundary), named YYYY-MM-DD. */
export function tradingDay(boundaryMs: number): { day: string; from: string; to: string } {
  return {
    day: new Date(boundaryMs - 1).toISOString().slice(0, 10),
    from: new Date(boundaryMs - DAY_MS).toISOString(),
    to: new Date(boundaryMs).toISOString(),
  };
}

/**
 * The boundaries due: every one after the newest done up to now, oldest first, at most `catchUpDays`
 * (the newest ones). With nothing done yet, only the newest: a first start does not backfill history.
 */
export function dueBoundaries(nowMs: number, sessionEndMinutes: number, lastDoneMs: number | null, catchUpDays: number): number[] {
  const newest = boundaryAtOrBefore(nowMs, sessionEndMinutes);
  if (lastDoneMs === null) return [newest];
  const due: number[] = [];
  for (let b = newest; b > lastDoneMs && due.length < catchUpDays; b -= DAY_MS) due.push(b);
  return due.reverse();
}
