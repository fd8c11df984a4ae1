import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS, type HealthStatus, nextHealth } from "./health";

const up: HealthStatus = { state: "UP", candidate: "UP", streak: 0 };
const good = { connected: true, ackEwmaMs: 5, rejectRate: 0 };
const slow = { connected: true, ackEwmaMs: 1000, rejectRate: 0 };
const down = { connected: false, ackEwmaMs: 5, rejectRate: 0 };

describe("venue health with hysteresis", () => {
  it("goes DOWN at once when the connection is lost", () => {
    expect(nextHealth(up, down).state).toBe("DOWN");
  });

  it("needs `confirmations` slow samples in a row to become DEGRADED, and as many good ones to recover", () => {
    let h = up;
    for (let i = 1; i < DEFAULT_THRESHOLDS.confirmations; i++) {
      h = nextHealth(h, slow);
      expect(h.state).toBe("UP");
    }
    h = nextHealth(h, slow);
    expect(h.state).toBe("DEGRADED");
    h = nextHealth(h, good);
    expect(h.state).toBe("DEGRADED");
    for (let i = 1; i < DEFAULT_THRESHOLDS.confirmations; i++) h = nextHealth(h, good);
    expect(h.state).toBe("UP");
  });

  it("treats a high reject rate like a slow venue", () => {
    let h = up;
    for (let i = 0; i < DEFAULT_THRESHOLDS.confirmations; i++) h = nextHealth(h, { connected: true, ackEwmaMs: 1, rejectRate: 0.5 });
    expect(h.state).toBe("DEGRADED");
  });

  it("never flaps: alternating samples never change an UP venue's state", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        let h = up;
        for (let i = 0; i < n; i++) h = nextHealth(h, i % 2 === 0 ? slow : good);
        expect(h.state).toBe("UP");
      }),
    );
  });
});
