import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./token-bucket";

describe("TokenBuckets", () => {
  it("allows a full burst, then refills at the rate", () => {
    const buckets = new TokenBuckets();
    expect(buckets.available("ACC-ALPHA", 10, 5, 0)).toBe(5);
    for (let i = 0; i < 5; i++) buckets.take("ACC-ALPHA", 10, 5, 0);
    expect(buckets.available("ACC-ALPHA", 10, 5, 0)).toBe(0);
    expect(buckets.available("ACC-ALPHA", 10, 5, 100)).toBeCloseTo(1, 9);
    expect(buckets.available("ACC-ALPHA", 10, 5, 250)).toBeCloseTo(2.5, 9);
  });

  it("never holds more than the burst, however long it waits", () => {
    const buckets = new TokenBuckets();
    buckets.take("ACC-ALPHA", 10, 5, 0);
    expect(buckets.available("ACC-ALPHA", 10, 5, 60_000)).toBe(5);
    buckets.take("ACC-ALPHA", 10, 5, 60_000);
    expect(buckets.available("ACC-ALPHA", 10, 5, 60_000)).toBe(4);
  });

  it("keeps one bucket per key", () => {
    const buckets = new TokenBuckets();
    buckets.take("ACC-ALPHA", 1, 2, 0);
    buckets.take("ACC-ALPHA", 1, 2, 0);
    expect(buckets.available("ACC-ALPHA", 1, 2, 0)).toBe(0);
    expect(buckets.available("ACC-BETA", 1, 2, 0)).toBe(2);
  });

  it("matches a bucket model for any rate, burst and sequence of takes", () => {
    const arb = fc.record({
      rate: fc.double({ min: 0.1, max: 1000, noNaN: true }),
      burst: fc.integer({ min: 1, max: 100 }),
      steps: fc.array(fc.record({ dtMs: fc.integer({ min: 0, max: 5000 }), take: fc.boolean() }), { maxLength: 60 }),
    });
    fc.assert(
      fc.property(arb, ({ rate, burst, steps }) => {
        const buckets = new TokenBuckets();
        let model = burst;
        let now = 0;
        for (const { dtMs, take } of steps) {
          now += dtMs;
          model = Math.min(burst, model + (dtMs / 1000) * rate);
          const available = buckets.available("k", rate, burst, now);
          expect(available).toBeLessThanOrEqual(burst);
          expect(available).toBeCloseTo(model, 6);
          // the engine only takes a token the bucket has
          if (take && available >= 1) {
            buckets.take("k", rate, burst, now);
            model -= 1;
          }
        }
      }),
    );
  });
});
