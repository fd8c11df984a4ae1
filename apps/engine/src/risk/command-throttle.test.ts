import { describe, expect, it } from "vitest";
import { CommandThrottle, RefusalBudget } from "./command-throttle";

describe("CommandThrottle", () => {
  it("lets a principal send its burst, then refuses until tokens refill, per principal", () => {
    const throttle = new CommandThrottle({ perSecond: 10, burst: 3 });
    const sent = [1, 2, 3, 4].map(() => throttle.tryTake("key:abuser", 0));
    expect(sent).toEqual([true, true, true, false]);
    expect(throttle.tryTake("user:other@desk", 0)).toBe(true);
    expect(throttle.tryTake("key:abuser", 50)).toBe(false);
    expect(throttle.tryTake("key:abuser", 100)).toBe(true); // 10/s: one token back after 100 ms
  });

  it("never throttles the engine's own expiry cancels", () => {
    const throttle = new CommandThrottle({ perSecond: 0.1, burst: 1 });
    for (let i = 0; i < 1000; i += 1) expect(throttle.tryTake("engine", 0)).toBe(true);
  });
});

describe("RefusalBudget", () => {
  it("500 refusals in one window: the first 20 are journaled one by one, the other 480 become one summary when the window closes", () => {
    const budget = new RefusalBudget({ perWindow: 20, windowMs: 10_000 });
    let journaled = 0;
    for (let i = 0; i < 500; i += 1)
      if (budget.admit("key:abuser", i % 2 ? "cancel NOT_CANCELLABLE" : "cancel RATE_LIMITED", i * 4)) journaled += 1;
    expect(journaled).toBe(20);
    expect(budget.closed(9_999)).toEqual([]);
    expect(budget.hasOpenSuppressed()).toBe(true);
    const [summary, ...rest] = budget.closed(10_000);
    expect(rest).toEqual([]);
    expect(summary).toEqual({
      actor: "key:abuser",
      fromMs: 0,
      toMs: 10_000,
      total: 480,
      counts: { "cancel RATE_LIMITED": 240, "cancel NOT_CANCELLABLE": 240 },
    });
    expect(budget.hasOpenSuppressed()).toBe(false);
    // a new window journals again
    expect(budget.admit("key:abuser", "cancel RATE_LIMITED", 10_001)).toBe(true);
  });

  it("keeps each principal's budget apart, and writes no summary for a window that stayed within it", () => {
    const budget = new RefusalBudget({ perWindow: 2, windowMs: 1000 });
    expect([budget.admit("a", "x", 0), budget.admit("a", "x", 1), budget.admit("a", "x", 2)]).toEqual([true, true, false]);
    expect(budget.admit("b", "x", 3)).toBe(true);
    expect(budget.closed(5000).map((s) => [s.actor, s.total])).toEqual([["a", 1]]);
  });
});
