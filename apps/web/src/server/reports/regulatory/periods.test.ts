import { describe, expect, it } from "vitest";
import { dayPeriod, easternMonth, inRegularHours, monthPeriod, quarterMonths, quarterPeriod, sixMonths } from "./periods";

// Periods are US Eastern: EDT is UTC−4, EST UTC−5; the change in 2026 is on 1 Nov (02:00 local).

describe("regulatory periods", () => {
  it("a month in summer time, and one that ends after the change to winter time", () => {
    expect(monthPeriod("2026-08")).toEqual({ from: "2026-08-01T04:00:00.000Z", to: "2026-09-01T04:00:00.000Z" });
    expect(monthPeriod("2026-10")).toEqual({ from: "2026-10-01T04:00:00.000Z", to: "2026-11-01T04:00:00.000Z" });
    expect(monthPeriod("2026-12")).toEqual({ from: "2026-12-01T05:00:00.000Z", to: "2027-01-01T05:00:00.000Z" });
  });

  it("quarters: months and bounds; Q4 crosses the year", () => {
    expect(quarterMonths("2026-Q3")).toEqual(["2026-07", "2026-08", "2026-09"]);
    expect(quarterPeriod("2026-Q4")).toEqual({ from: "2026-10-01T04:00:00.000Z", to: "2027-01-01T05:00:00.000Z" });
  });

  it("the day of the change is 25 hours long", () => {
    const d = dayPeriod("2026-11-01");
    expect(d).toEqual({ from: "2026-11-01T04:00:00.000Z", to: "2026-11-02T05:00:00.000Z" });
    expect(Date.parse(d.to) - Date.parse(d.from)).toBe(25 * 3_600_000);
  });

  it("six months ending with a month, across a year", () => {
    expect(sixMonths("2026-03")).toEqual(["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]);
  });

  it("regular hours 09:30–16:00 Eastern; the Eastern month of an instant", () => {
    expect([
      inRegularHours("2026-08-03T13:29:59.999999Z"),
      inRegularHours("2026-08-03T13:30:00.000000Z"),
      inRegularHours("2026-12-03T20:59:59.999999Z"),
      inRegularHours("2026-12-03T21:00:00.000000Z"),
    ]).toEqual([false, true, true, false]);
    expect(easternMonth("2026-09-01T03:59:59.999999Z")).toBe("2026-08");
  });
});
