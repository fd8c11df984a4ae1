import { money, type Order, type SubmitOrderInput } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHeldType, isTriggered, movedTrailingStop, trailingStopFor, venueView } from "./stops";

/** A held sell trailing stop unless told otherwise. */
const order = (input: Partial<SubmitOrderInput> = {}): Order =>
  orderFrom({ side: "Sell", ordType: "TrailingStop", trailAmount: "0.50", ...input });

const TICK = "0.01";

/** Feeds market prices to a trailing stop the way the engine does: only a returned move changes it. */
function follow(o: Order, prices: readonly string[], tick = TICK): Order {
  let current = o;
  for (const px of prices) {
    const moved = movedTrailingStop(current, px, tick);
    if (moved !== null) current = { ...current, stopPx: moved };
  }
  return current;
}

describe("trailing stops", () => {
  it.each<[string, Partial<SubmitOrderInput>, string, string, string]>([
    ["sell by amount", { side: "Sell", trailAmount: "0.50" }, "100", TICK, "99.5"],
    ["buy by amount", { side: "Buy", trailAmount: "0.50" }, "100", TICK, "100.5"],
    // 189.53 × 1.5% = 2.84295, on the 0.01 tick 2.84
    ["sell by percent", { side: "Sell", trailAmount: undefined, trailPercent: "1.5" }, "189.53", TICK, "186.69"],
    ["buy by percent", { side: "Buy", trailAmount: undefined, trailPercent: "1.5" }, "189.53", TICK, "192.37"],
    // on a 0.05 tick the offset 2.84295 rounds to 2.85
    ["sell by percent, coarse tick", { side: "Sell", trailAmount: undefined, trailPercent: "1.5" }, "189.55", "0.05", "186.7"],
  ])("starts a %s trail at the market less the offset", (_name, input, px, tick, expected) => {
    const o = order(input);
    expect(trailingStopFor(o, px, tick)).toBe(expected);
    expect(movedTrailingStop(o, px, tick)).toBe(expected);
  });

  it("moves a sell stop up with the market and never down", () => {
    const o = follow(order({ side: "Sell", trailAmount: "0.50" }), ["100"]);
    expect(o.stopPx).toBe("99.5");
    expect(movedTrailingStop(o, "101.20", TICK)).toBe("100.7");
    expect(movedTrailingStop(o, "99.80", TICK)).toBeNull();
    expect(movedTrailingStop(o, "100", TICK)).toBeNull();
  });

  it("moves a buy stop down with the market and never up", () => {
    const o = follow(order({ side: "Buy", trailAmount: "0.50" }), ["100"]);
    expect(o.stopPx).toBe("100.5");
    expect(movedTrailingStop(o, "99.10", TICK)).toBe("99.6");
    expect(movedTrailingStop(o, "100.40", TICK)).toBeNull();
  });

  it("does not trail a plain stop", () => {
    expect(movedTrailingStop(order({ ordType: "Stop", trailAmount: undefined, stopPx: "95" }), "120", TICK)).toBeNull();
  });

  it("keeps a sell trail at the best price less the amount, and a buy trail at the lowest plus it", () => {
    const arb = fc.record({
      side: fc.constantFrom("Buy" as const, "Sell" as const),
      amountTicks: fc.integer({ min: 1, max: 500 }),
      pricesTicks: fc.array(fc.integer({ min: 1000, max: 100_000 }), { minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(arb, ({ side, amountTicks, pricesTicks }) => {
        const amount = money.mul(String(amountTicks), TICK);
        const prices = pricesTicks.map((t) => money.mul(String(t), TICK));
        let current = order({ side, trailAmount: amount });
        for (const px of prices) {
          const before = current.stopPx;
          current = follow(current, [px]);
          const after = current.stopPx ?? "";
          if (before !== null) expect(side === "Sell" ? money.gte(after, before) : money.lte(after, before)).toBe(true);
        }
        const best = side === "Sell" ? Math.max(...pricesTicks) - amountTicks : Math.min(...pricesTicks) + amountTicks;
        expect(current.stopPx).toBe(money.mul(String(best), TICK));
      }),
    );
  });
});

describe("isTriggered", () => {
  it.each<["Buy" | "Sell", string, boolean]>([
    ["Sell", "99.51", false],
    ["Sell", "99.50", true],
    ["Sell", "99.49", true],
    ["Buy", "99.49", false],
    ["Buy", "99.50", true],
    ["Buy", "99.51", true],
  ])("a %s stop at 99.50 with the market at %s triggers: %s", (side, px, triggered) => {
    const o = order({ side, ordType: "Stop", trailAmount: undefined, stopPx: "99.50" });
    expect(isTriggered(o, px)).toBe(triggered);
  });

  it("never triggers a trailing stop that has no stop price yet", () => {
    expect(isTriggered(order({ side: "Sell" }), "0.01")).toBe(false);
    expect(isTriggered(order({ side: "Buy" }), "1000000")).toBe(false);
  });
});

describe("venueView", () => {
  it.each<[string, Partial<SubmitOrderInput>, string, string | null]>([
    ["Stop", { ordType: "Stop", trailAmount: undefined, stopPx: "95" }, "Market", null],
    ["TrailingStop", { ordType: "TrailingStop" }, "Market", null],
    ["StopLimit", { ordType: "StopLimit", trailAmount: undefined, stopPx: "95", price: "94.5" }, "Limit", "94.5"],
    ["Limit", { ordType: "Limit", trailAmount: undefined, price: "94.5" }, "Limit", "94.5"],
    ["Market", { ordType: "Market", trailAmount: undefined }, "Market", null],
  ])("sends a triggered %s as %s", (_name, input, ordType, price) => {
    const o = order(input);
    const view = venueView(o);
    expect(view).toEqual({ ...o, ordType, price });
  });

  it("holds only stop types", () => {
    expect(isHeldType(order())).toBe(true);
    expect(isHeldType(order({ ordType: "Stop", trailAmount: undefined, stopPx: "95" }))).toBe(true);
    expect(isHeldType(order({ ordType: "StopLimit", trailAmount: undefined, stopPx: "95", price: "94" }))).toBe(true);
    expect(isHeldType(order({ ordType: "Limit", trailAmount: undefined, price: "94" }))).toBe(false);
    expect(isHeldType(order({ ordType: "Market", trailAmount: undefined }))).toBe(false);
  });
});
