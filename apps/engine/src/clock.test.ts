import { describe, expect, it } from "vitest";
import { systemClock } from "./clock";

describe("systemClock.nowIso", () => {
  it("stamps microseconds in ISO form, close to the wall clock, never going backwards", () => {
    let previous = "";
    for (let i = 0; i < 20_000; i++) {
      const now = systemClock.nowIso();
      expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(now >= previous).toBe(true);
      previous = now;
    }
    expect(Math.abs(Date.parse(previous) - Date.now())).toBeLessThan(1000);
  });
});
