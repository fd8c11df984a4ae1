import { describe, expect, it } from "vitest";
import { type QualityAlertRule, verdict } from "./alert-rules";

const rule: QualityAlertRule = {
  id: "r",
  metric: "ackLatencyP99Ms",
  venue: null,
  threshold: 50,
  clearBelow: 40,
  windowMs: 60_000,
  minOrders: 10,
  enabled: true,
};

describe("quality alert hysteresis", () => {
  it.each([
    // open, value, n, verdict
    [false, 51, 10, "raise"],
    [false, 50, 10, "hold"], // at the threshold is not above it
    [false, 500, 9, "hold"], // too few orders for a verdict
    [false, null, 10, "hold"],
    [true, 45, 10, "hold"], // between the levels: stays raised
    [true, 40, 10, "clear"],
    [true, 500, 9, "clear"], // too few orders left in the window
    [true, null, 0, "clear"],
    [true, 51, 10, "hold"],
  ] as const)("open=%s value=%s n=%s → %s", (open, value, n, expected) => {
    expect(verdict(rule, open, { venue: "V", value, n })).toBe(expected);
  });

  it("a disabled rule never raises and clears what it raised", () => {
    const off = { ...rule, enabled: false };
    expect(verdict(off, false, { venue: "V", value: 900, n: 100 })).toBe("hold");
    expect(verdict(off, true, { venue: "V", value: 900, n: 100 })).toBe("clear");
  });
});
