import { z } from "zod";
import { catTimestamp } from "./cat";

// Report periods as the rules count them: a calendar month (605), a quarter (606(a)(1)), a trading day
// (CAT), all in US Eastern time. Inputs are validated strings; bounds are UTC instants [from, to).

export const monthInput = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM");
export const quarterInput = z.string().regex(/^\d{4}-Q[1-4]$/, "quarter must be YYYY-Qn");
export const dayInput = z.iso.date({ message: "day must be YYYY-MM-DD" });

export interface Period {
  /** UTC ISO instants, [from, to). */
  from: string;
  to: string;
}

/** The UTC instant of 00:00 US Eastern on a day (EST 05:00Z or EDT 04:00Z). */
export function easternMidnight(day: string): string {
  for (const hour of ["04", "05"]) {
    const iso = `${day}T${hour}:00:00.000Z`;
    if (catTimestamp(iso) === `${day.replace(/-/g, "")} 000000.000000000`) return iso;
  }
  throw new Error(`no Eastern midnight for ${day}`);
}

const nextMonth = (year: number, month: number) => (month === 12 ? [year + 1, 1] : [year, month + 1]);
const day1 = (year: number, month: number) => `${year}-${String(month).padStart(2, "0")}-01`;

/** A calendar month in Eastern time. */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const [ny, nm] = nextMonth(y, m) as [number, number];
  return { from: easternMidnight(day1(y, m)), to: easternMidnight(day1(ny, nm)) };
}

/** The three months (YYYY-MM) of a quarter. */
export function quarterMonths(quarter: string): string[] {
  const [y, q] = [Number(quarter.slice(0, 4)), Number(quarter.slice(6))];
  return [1, 2, 3].map((i) => `${y}-${String((q - 1) * 3 + i).padStart(2, "0")}`);
}

export function quarterPeriod(quarter: string): Period {
  const months = quarterMonths(quarter);
  return { from: monthPeriod(months[0] as string).from, to: monthPeriod(months[2] as string).to };
}

/** An Eastern calendar day. */
export function dayPeriod(day: string): Period {
  const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { from: easternMidnight(day), to: easternMidnight(next) };
}

/** The six months ending with `month` (606(b)(3): the prior six months), oldest first. */
export function sixMonths(month: string): string[] {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return Array.from({ length: 6 }, (_, i) => {
    const k = y * 12 + (m - 1) - (5 - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
  });
}

/** Regular trading hours, 09:30–16:00 Eastern, from an Eastern `YYYYMMDD HHMMSS…` stamp. */
export function inRegularHours(utcIso: string): boolean {
  const hhmmss = catTimestamp(utcIso).slice(9, 15);
  return hhmmss >= "093000" && hhmmss < "160000";
}

/** The Eastern month (YYYY-MM) of an instant. */
export const easternMonth = (utcIso: string) => {
  const t = catTimestamp(utcIso);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}`;
};
