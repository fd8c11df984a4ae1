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

  it("reads monotonic microseconds on hrtime's origin, rising with the wall clock", async () => {
    const hrUs = () => Number(process.hrtime.bigint() / 1000n);
    const before = hrUs();
    const a = systemClock.monoUs();
    const after = hrUs();
    // The same origin as hrtime (so readings from before a restart compare), within a few ms.
    expect(a).toBeGreaterThanOrEqual(before - 5_000);
    expect(a).toBeLessThanOrEqual(after + 5_000);
    const isoA = Date.parse(systemClock.nowIso());
    await new Promise((r) => setTimeout(r, 50));
    const b = systemClock.monoUs();
    const isoB = Date.parse(systemClock.nowIso());
    expect(b - a).toBeGreaterThanOrEqual(45_000);
    expect(b - a).toBeLessThan(1_000_000);
    expect(Math.abs((b - a) / 1000 - (isoB - isoA))).toBeLessThan(5);
  });
});
