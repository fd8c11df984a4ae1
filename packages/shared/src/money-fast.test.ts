import Big from "big.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { abs, add, cmp, div, isMultipleOf, isPositive, isZero, mul, neg, normalize, sub } from "./money";

/** What big.js alone says (the reference the short-decimal fast path must agree with), "-0" as "0". */
const reference = (value: Big): string => {
  const text = value.toFixed();
  return text === "-0" ? "0" : text;
};

/** Decimals of every length around the fast path's 15-character limit, with signs, zeros and trailing zeros. */
const decimal = fc
  .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,11})$/), fc.option(fc.stringMatching(/^\d{1,8}$/), { nil: undefined }))
  .map(([negative, int, frac]) => `${negative ? "-" : ""}${int}${frac === undefined ? "" : `.${frac}`}`);

describe("money fast path for short decimals", () => {
  it("adds, subtracts and multiplies exactly as big.js does", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        expect(add(a, b)).toBe(reference(new Big(a).plus(b)));
        expect(sub(a, b)).toBe(reference(new Big(a).minus(b)));
        expect(mul(a, b)).toBe(reference(new Big(a).times(b)));
      }),
      { numRuns: 5000 },
    );
  });

  it("compares exactly as big.js does, including values equal but written differently", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        expect(cmp(a, b)).toBe(new Big(a).cmp(b));
        expect(cmp(a, `${a}${a.includes(".") ? "0" : ".0"}`)).toBe(0);
        expect(isZero(a)).toBe(new Big(a).eq(0));
        expect(isPositive(a)).toBe(new Big(a).gt(0));
      }),
      { numRuns: 5000 },
    );
  });

  it("normalises to the canonical form", () => {
    expect(normalize("1.50")).toBe("1.5");
    expect(normalize("-0.000")).toBe("0");
    expect(normalize("007.100")).toBe("7.1");
    expect(normalize("-0.00000001")).toBe("-0.00000001");
    fc.assert(
      fc.property(decimal, (a) => {
        expect(normalize(a)).toBe(reference(new Big(a)));
      }),
    );
  });

  it("tells apart decimals that differ in the last of 15 digits, and keeps sums at the limit exact", () => {
    expect(cmp("99999999999999.9", "99999999999999.8")).toBe(1);
    expect(cmp("0.0000000000001", "0.0000000000002")).toBe(-1);
    expect(add("999999999999999", "1")).toBe("1000000000000000");
    expect(sub("0.1", "0.3")).toBe("-0.2");
    expect(mul("0.1", "0.2")).toBe("0.02");
    expect(add("123456789012.345", "0.000000001")).toBe("123456789012.345000001");
  });

  it("divides exactly as big.js does with the quotient rounded once, half-even, to the places asked", () => {
    fc.assert(
      fc.property(decimal, decimal, fc.integer({ min: 0, max: 14 }), (a, b, places) => {
        fc.pre(!new Big(b).eq(0));
        const Once = Big();
        Once.DP = places;
        Once.RM = Big.roundHalfEven;
        expect(div(a, b, places)).toBe(reference(new Once(a).div(new Once(b))));
      }),
      { numRuns: 5000 },
    );
  });

  it("rounds a quotient half-even, with either sign, and never twice", () => {
    expect(div("1", "3", 8)).toBe("0.33333333");
    expect(div("3", "8", 2)).toBe("0.38");
    expect(div("1", "8", 2)).toBe("0.12");
    expect(div("-1", "8", 2)).toBe("-0.12");
    expect(div("1", "-8", 2)).toBe("-0.12");
    expect(div("-1", "1000", 2)).toBe("0");
    // 16 characters: past the fast path. Rounded first to 12 places and then to 4 this would be 0.1234.
    expect(div("0.12345000000049", "1", 4)).toBe("0.1235");
    expect(() => div("1", "0", 2)).toThrow(RangeError);
    expect(() => div("1", "0.000", 2)).toThrow(RangeError);
  });

  it("negates, takes absolute values and tests multiples exactly as big.js does", () => {
    const step = fc.stringMatching(/^(0\.(0{0,6}[1-9]\d{0,2})|[1-9]\d{0,4}(\.\d{1,4})?)$/);
    fc.assert(
      fc.property(decimal, step, fc.integer({ min: -99999, max: 99999 }), (a, s, k) => {
        expect(neg(a)).toBe(reference(new Big(a).neg()));
        expect(abs(a)).toBe(reference(new Big(a).abs()));
        expect(isMultipleOf(a, s)).toBe(new Big(a).mod(s).eq(0));
        expect(isMultipleOf(mul(String(k), s), s)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(isMultipleOf("100", "100")).toBe(true);
    expect(isMultipleOf("-250", "100")).toBe(false);
    expect(isMultipleOf("1.05", "0.05")).toBe(true);
    expect(isMultipleOf("1.051", "0.05")).toBe(false);
    expect(() => isMultipleOf("1", "0")).toThrow(RangeError);
    expect(() => isMultipleOf("1", "-0.01")).toThrow(RangeError);
  });

  it("refuses what is not a plain decimal, short or not, whatever the operation", () => {
    for (const bad of ["", "-", ".5", "5.", "1.2.3", "1e5", "+1", " 1", "1 ", "0x10", "--1", "1,5", "NaN", "Infinity"]) {
      expect(() => add(bad, "1"), bad).toThrow(TypeError);
      expect(() => cmp("1", bad), bad).toThrow(TypeError);
      expect(() => mul(bad, "2"), bad).toThrow(TypeError);
      expect(() => div("1", bad, 2), bad).toThrow(TypeError);
      expect(() => normalize(bad), bad).toThrow(TypeError);
      expect(() => neg(bad), bad).toThrow(TypeError);
      expect(() => isMultipleOf(bad, "1"), bad).toThrow(TypeError);
    }
  });
});
