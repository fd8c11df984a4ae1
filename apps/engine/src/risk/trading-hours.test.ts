import type { TradingHours } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkOrder } from "./checks";
import { AAPL, riskContext } from "./test-context";
import { describeHours, sessionMinutes, tradingHoursDenial, tradingSession } from "./trading-hours";

const MIN = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** UTC, e.g. at("2026-11-30T09:30") (a Monday). */
const at = (iso: string) => Date.parse(`${iso}:00.000Z`);
const hours = (open: string, close: string, days: number[] = [1, 2, 3, 4, 5]): TradingHours => ({ open, close, days });

const NYSE = hours("14:30", "21:00");
const OVERNIGHT = hours("22:00", "06:00", [0, 1, 2, 3, 4]); // opens Sunday to Thursday, each into the next morning

describe("trading hours", () => {
  it.each<[string, TradingHours, string, boolean, string]>([
    ["open at the open", NYSE, "2026-11-30T14:30", true, "2026-11-30T21:00"],
    ["open inside", NYSE, "2026-12-04T20:59", true, "2026-12-04T21:00"],
    ["closed at the close (the close is not in the session)", NYSE, "2026-11-30T21:00", false, "2026-12-01T14:30"],
    ["closed before the open", NYSE, "2026-11-30T09:00", false, "2026-11-30T14:30"],
    ["closed on Saturday, next open Monday", NYSE, "2026-11-28T15:00", false, "2026-11-30T14:30"],
    ["closed on Friday evening, next open Monday", NYSE, "2026-12-04T22:00", false, "2026-12-07T14:30"],
    ["overnight: open Sunday night", OVERNIGHT, "2026-11-29T23:44", true, "2026-11-30T06:00"],
    ["overnight: open after midnight into Monday", OVERNIGHT, "2026-11-30T05:59", true, "2026-11-30T06:00"],
    ["overnight: closed Monday at 06:00", OVERNIGHT, "2026-11-30T06:00", false, "2026-11-30T22:00"],
    ["overnight: Thursday's session runs into Friday", OVERNIGHT, "2026-12-04T03:00", true, "2026-12-04T06:00"],
    ["overnight: none opens on Friday", OVERNIGHT, "2026-12-04T23:00", false, "2026-12-06T22:00"],
    ["overnight: closed on Saturday morning", OVERNIGHT, "2026-12-05T03:00", false, "2026-12-06T22:00"],
    ["24 hours (open = close) on Mondays", hours("00:00", "00:00", [1]), "2026-11-30T23:59", true, "2026-12-01T00:00"],
  ])("%s", (_what, h, now, open, next) => {
    expect(tradingSession(h, at(now))).toEqual({ open, nextChangeMs: at(next) });
  });

  it("names the hours, when the check was made and the next open", () => {
    expect(describeHours(NYSE)).toBe("14:30–21:00 UTC Mon–Fri");
    expect(describeHours(OVERNIGHT)).toBe("22:00–06:00 UTC (to the next day) Sun–Thu");
    expect(describeHours(hours("00:00", "00:00", [0, 1, 2, 3, 4, 5, 6]))).toBe("24 h from 00:00 UTC every day");
    expect(describeHours(hours("08:00", "12:00", [1, 3]))).toBe("08:00–12:00 UTC Mon, Wed");
    expect(tradingHoursDenial("AAPL", NYSE, at("2026-11-29T23:44"))).toEqual({
      code: "INSTRUMENT_CLOSED",
      reason: "AAPL trades 14:30–21:00 UTC Mon–Fri; it is closed now (Sun 2026-11-29 23:44 UTC), next open Mon 2026-11-30 14:30 UTC",
    });
    expect(tradingHoursDenial("AAPL", NYSE, at("2026-11-30T15:00"))).toBeNull();
    expect(tradingHoursDenial("AAPL", null, at("2026-11-29T23:44"))).toBeNull();
  });

  it("fails closed on hours that do not parse (a row edited by hand) or without a clock", () => {
    const bad = { open: "9:30", close: "16:00", days: [1] } as TradingHours;
    expect(tradingHoursDenial("AAPL", bad, at("2026-11-30T15:00"))?.reason).toMatch(
      /^AAPL's trading hours are not valid \(open must be HH:MM \(UTC\)\): no orders until they are corrected/,
    );
    expect(tradingHoursDenial("AAPL", NYSE, undefined)?.code).toBe("INSTRUMENT_CLOSED");
  });

  it("refuses an order at the risk step with INSTRUMENT_CLOSED; the same order passes in hours and without hours", () => {
    const ctx = (tradingHours: TradingHours | null, nowMs: number) => riskContext({ instrument: { ...AAPL, tradingHours }, nowMs });
    const order = orderFrom({});
    expect(checkOrder(order, ctx(NYSE, at("2026-11-28T15:00")))).toMatchObject({
      code: "INSTRUMENT_CLOSED",
      reason: expect.stringMatching(/AAPL trades 14:30–21:00 UTC Mon–Fri; it is closed now/),
    });
    expect(checkOrder(order, ctx(NYSE, at("2026-11-30T15:00")))).toBeNull();
    expect(checkOrder(order, ctx(null, at("2026-11-28T15:00")))).toBeNull();
  });
});

// ---- properties ---------------------------------------------------------------------------------

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const anyHours = fc.record({
  open: hhmm,
  close: hhmm,
  days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
});
/** Any instant between 2000 and 2100, to the millisecond. */
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

/**
 * A second formulation, by position in the week: the epoch began on a Thursday, so (t + 4 days) mod
 * 1 week is the time since Sunday 00:00 UTC; t is in the session opening on day d when its distance
 * after that opening, modulo a week, is shorter than the session.
 */
function openByWeekOffset(h: TradingHours, t: number): boolean {
  const inWeek = (((t + 4 * DAY) % WEEK) + WEEK) % WEEK;
  return h.days.some((d) => (((inWeek - (d * DAY + minutesOf(h.open) * MIN)) % WEEK) + WEEK) % WEEK < sessionMinutes(h) * MIN);
}

describe("trading hours (properties)", () => {
  it("agree with the week-offset formulation at any instant, whatever the hours (across midnight, 24 h, one day)", () => {
    fc.assert(
      fc.property(anyHours, instant, (h, t) => {
        expect(tradingSession(h, t).open).toBe(openByWeekOffset(h, t));
      }),
      { numRuns: 5000 },
    );
  });

  it("the next change is in the future; until then nothing changes, and at it a closed instrument opens", () => {
    fc.assert(
      fc.property(anyHours, instant, fc.double({ min: 0, max: 1, noNaN: true }), (h, t, f) => {
        const now = tradingSession(h, t);
        expect(now.nextChangeMs).toBeGreaterThan(t);
        expect(now.nextChangeMs - t).toBeLessThanOrEqual(WEEK);
        const between = t + Math.floor((now.nextChangeMs - 1 - t) * f);
        expect(tradingSession(h, between).open).toBe(now.open);
        if (!now.open) expect(tradingSession(h, now.nextChangeMs).open).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("a session that crosses midnight is open both sides of it, and only its opening day counts", () => {
    const overnight = fc
      // A close after 00:00 and before the open: the session really runs past midnight.
      .tuple(fc.integer({ min: 2, max: 1439 }), fc.integer({ min: 1, max: 1438 }), fc.integer({ min: 0, max: 6 }))
      .filter(([open, close]) => close < open)
      .map(([open, close, day]) => ({
        open: `${String(Math.floor(open / 60)).padStart(2, "0")}:${String(open % 60).padStart(2, "0")}`,
        close: `${String(Math.floor(close / 60)).padStart(2, "0")}:${String(close % 60).padStart(2, "0")}`,
        days: [day],
      }));
    fc.assert(
      fc.property(overnight, fc.integer({ min: 0, max: 520 }), (h, week) => {
        const day = h.days[0] ?? 0;
        // Midnight after the opening day, in some week: 1970-01-04 was a Sunday.
        const midnight = Date.UTC(1970, 0, 4) + week * WEEK + (day + 1) * DAY;
        expect(tradingSession(h, midnight - 1).open).toBe(true);
        expect(tradingSession(h, midnight).open).toBe(true);
        expect(tradingSession(h, midnight + minutesOf(h.close) * MIN).open).toBe(false);
        // The same clock time the day after the opening day opens nothing (that day is not listed).
        expect(tradingSession(h, midnight + minutesOf(h.open) * MIN).open).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
