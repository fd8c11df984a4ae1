import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  cmp,
  type Decimal,
  div,
  eq,
  isDecimal,
  isMultipleOf,
  mul,
  normalize,
  parseWireDecimal,
  roundToStep,
  sub,
  vwap,
  WireDecimalError,
} from "./money";

/** A decimal as an exact rational `units / 10^scale`, used as the reference model. */
interface Exact {
  units: bigint;
  scale: number;
}

function toDecimal({ units, scale }: Exact): Decimal {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${units < 0n ? "-" : ""}${int}${scale > 0 ? `.${frac}` : ""}`;
}

const rescale = (x: Exact, scale: number): bigint => x.units * 10n ** BigInt(scale - x.scale);

/** Up to 15 digits and 6 places: sums stay inside the 18.12 decimal format. */
const exactArb = fc.record({ units: fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), scale: fc.integer({ min: 0, max: 6 }) });
const decimalArb = exactArb.map(toDecimal);
/** Up to 9 digits and 6 places: products stay inside the 18.12 decimal format too. */
const factorExactArb = fc.record({
  units: fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 9n - 1n }),
  scale: fc.integer({ min: 0, max: 6 }),
});
const factorArb = factorExactArb.map(toDecimal);
const positiveArb = fc.record({ units: fc.bigInt({ min: 1n, max: 10n ** 9n }), scale: fc.integer({ min: 0, max: 4 }) }).map(toDecimal);

describe("decimal arithmetic", () => {
  it("adds exactly, where binary floating point would not", () => {
    expect(add("0.1", "0.2")).toBe("0.3");
    expect(sub("0.3", "0.1")).toBe("0.2");
    expect(mul("1.1", "1.1")).toBe("1.21");
    expect(add("1.50", "0")).toBe("1.5");
  });

  it("add matches exact rational addition", () => {
    fc.assert(
      fc.property(exactArb, exactArb, (a, b) => {
        const scale = Math.max(a.scale, b.scale);
        const expected = normalize(toDecimal({ units: rescale(a, scale) + rescale(b, scale), scale }));
        expect(add(toDecimal(a), toDecimal(b))).toBe(expected);
      }),
    );
  });

  it("add is commutative and associative, and sub undoes it", () => {
    fc.assert(
      fc.property(decimalArb, decimalArb, decimalArb, (a, b, c) => {
        expect(add(a, b)).toBe(add(b, a));
        expect(add(add(a, b), c)).toBe(add(a, add(b, c)));
        expect(sub(add(a, b), b)).toBe(normalize(a));
        expect(add(sub(a, b), b)).toBe(normalize(a));
      }),
    );
  });

  it("multiplying by 1 changes nothing but the form", () => {
    fc.assert(
      fc.property(decimalArb, (a) => {
        expect(mul(a, "1")).toBe(normalize(a));
        expect(mul("1", a)).toBe(normalize(a));
      }),
    );
  });

  it("cmp agrees with the sign of the difference", () => {
    fc.assert(
      fc.property(decimalArb, decimalArb, (a, b) => {
        const diff = sub(a, b);
        const sign = diff === "0" ? 0 : diff.startsWith("-") ? -1 : 1;
        expect(cmp(a, b)).toBe(sign);
        expect(cmp(b, a)).toBe(sign === 0 ? 0 : -sign); // never -0: toBe tells 0 and -0 apart
        expect(eq(a, b)).toBe(sign === 0);
      }),
    );
  });
});

describe("normalize", () => {
  it.each([
    ["1.50", "1.5"],
    ["-0", "0"],
    ["0.000", "0"],
    ["100", "100"],
    ["-2.10", "-2.1"],
  ])("%s -> %s", (input, output) => {
    expect(normalize(input)).toBe(output);
  });

  it("is idempotent, keeps the value and ignores trailing zeros", () => {
    fc.assert(
      fc.property(exactArb, fc.integer({ min: 0, max: 5 }), (x, zeros) => {
        const a = toDecimal(x);
        const padded = toDecimal({ units: x.units * 10n ** BigInt(zeros), scale: x.scale + zeros });
        expect(normalize(normalize(a))).toBe(normalize(a));
        expect(eq(normalize(a), a)).toBe(true);
        expect(normalize(padded)).toBe(normalize(a));
      }),
    );
  });
});

describe("steps (tick and lot sizes)", () => {
  it("a value is a multiple of a step exactly when rounding to the step leaves it unchanged", () => {
    fc.assert(
      fc.property(decimalArb, positiveArb, (a, step) => {
        const rounded = roundToStep(a, step);
        expect(isMultipleOf(rounded, step)).toBe(true);
        expect(isMultipleOf(a, step)).toBe(eq(rounded, a));
      }),
    );
  });

  it("rounds to the nearest tick, ties to even", () => {
    expect(roundToStep("10.004", "0.01")).toBe("10");
    expect(roundToStep("10.006", "0.01")).toBe("10.01");
    expect(roundToStep("10.005", "0.01")).toBe("10");
    expect(roundToStep("10.015", "0.01")).toBe("10.02");
    expect(roundToStep("7", "5")).toBe("5");
  });

  it("refuses a step that is not positive", () => {
    expect(() => isMultipleOf("10", "0")).toThrow(RangeError);
    expect(() => isMultipleOf("10", "-1")).toThrow(RangeError);
  });
});

describe("div", () => {
  it.each([
    ["1", "8", 2, "0.12"],
    ["3", "8", 2, "0.38"],
    ["-1", "8", 2, "-0.12"],
    ["5", "2", 0, "2"],
    ["7", "2", 0, "4"],
    ["2", "3", 8, "0.66666667"],
  ] as const)("%s / %s to %i places is %s (half-even)", (a, b, places, expected) => {
    expect(div(a, b, places)).toBe(expected);
  });

  it("matches exact division rounded half-even", () => {
    fc.assert(
      fc.property(factorExactArb, factorExactArb, fc.integer({ min: 0, max: 8 }), (a, b, places) => {
        fc.pre(b.units !== 0n);
        // a/b * 10^places as a fraction num/den with den > 0
        const scale = Math.max(a.scale, b.scale);
        let num = rescale(a, scale) * 10n ** BigInt(places);
        let den = rescale(b, scale);
        if (den < 0n) {
          num = -num;
          den = -den;
        }
        const negative = num < 0n;
        const absNum = negative ? -num : num;
        let q = absNum / den;
        const twiceRem = (absNum % den) * 2n;
        if (twiceRem > den || (twiceRem === den && q % 2n === 1n)) q += 1n;
        const expected = normalize(toDecimal({ units: negative ? -q : q, scale: places }));
        expect(div(toDecimal(a), toDecimal(b), places)).toBe(expected);
      }),
    );
  });

  it("refuses to divide by zero", () => {
    expect(() => div("1", "0")).toThrow(RangeError);
  });
});

describe("vwap", () => {
  it("of fills at one price is that price", () => {
    fc.assert(
      fc.property(positiveArb, positiveArb, positiveArb, (q1, q2, px) => {
        expect(vwap(q1, px, q2, px)).toBe(normalize(px));
      }),
    );
  });

  it("weights by quantity", () => {
    expect(vwap("100", "10", "50", "10.3")).toBe("10.1");
    expect(vwap("0", "0", "0", "10")).toBe("0");
  });
});

describe("isDecimal", () => {
  it.each(["0", "1", "-1", "10.25", "0.000000000001", "123456789012345678"])("accepts %j", (text) => {
    expect(isDecimal(text)).toBe(true);
  });

  it.each(["1e5", "", "1.", ".5", "NaN", "Infinity", "--1", "+1", " 1", "1 ", "\t1", "1,000", "1.2.3", "abc", "0x10"])(
    "rejects %j at the boundary and in arithmetic",
    (text) => {
      expect(isDecimal(text)).toBe(false);
      expect(() => normalize(text)).toThrow(TypeError);
    },
  );

  it.each([
    ["01", "1"],
    ["1.0000000000001", "1.0000000000001"],
  ])("refuses %j at the boundary but computes with it exactly inside", (text, canonical) => {
    expect(isDecimal(text)).toBe(false);
    expect(normalize(text)).toBe(canonical);
  });

  it("multiplies fine-grained quantities and prices without losing digits", () => {
    expect(mul("0.000001", "0.0000001")).toBe("0.0000000000001");
    expect(add(mul("999999999999999999", "10"), "1")).toBe("9999999999999999991");
  });

  it("accepts every decimal it produces", () => {
    fc.assert(
      fc.property(factorArb, factorArb, (a, b) => {
        expect(isDecimal(a)).toBe(true);
        expect(isDecimal(add(a, b))).toBe(true);
        expect(isDecimal(mul(a, b))).toBe(true);
      }),
    );
  });
});

describe("wire decimals (parseWireDecimal)", () => {
  it("keeps every digit of 123456789.123456789, which a binary float loses", () => {
    expect(String(Number("123456789.123456789"))).not.toBe("123456789.123456789");
    expect(parseWireDecimal("123456789.123456789")).toBe("123456789.123456789");
  });

  it("keeps 0.00000012 in plain form, which a binary float prints as 1.2e-7", () => {
    expect(String(Number("0.00000012"))).toBe("1.2e-7");
    expect(parseWireDecimal("0.00000012")).toBe("0.00000012");
    expect(() => add(String(Number("0.00000012")), "1")).toThrow(TypeError);
    expect(add(parseWireDecimal("0.00000012"), "1")).toBe("1.00000012");
  });

  it.each([
    ["00023.23", "23.23"],
    ["23.", "23"],
    ["23.0000", "23"],
    [".5", "0.5"],
    ["-0.0", "0"],
    ["-12.50", "-12.5"],
    ["0", "0"],
  ])("reads the FIX float %s as %s", (text, expected) => {
    expect(parseWireDecimal(text)).toBe(expected);
  });

  it.each([
    ["1e-7", "0.0000001"],
    ["1.2e-7", "0.00000012"],
    ["1.2E-07", "0.00000012"],
    ["-4.5e2", "-450"],
    ["1.23456789123456789e8", "123456789.123456789"],
    ["5e+3", "5000"],
    ["0e5", "0"],
  ])("converts the JSON number %s exactly to %s", (text, expected) => {
    expect(parseWireDecimal(text, { exponent: true })).toBe(expected);
  });

  it("refuses exponent form where only plain decimals are allowed (a FIX float)", () => {
    expect(() => parseWireDecimal("1e-7")).toThrow(/not a decimal/);
  });

  it.each(["12a", "1,5", "+1", "-", ".", "1.2.3", " 1", "0x10", "NaN", "Infinity", "1e", "--1", "1 000"])(
    "refuses the garbage %j",
    (text) => {
      expect(() => parseWireDecimal(text, { exponent: true })).toThrow(WireDecimalError);
    },
  );

  it("refuses an empty value as empty", () => {
    expect(() => parseWireDecimal("")).toThrow(expect.objectContaining({ why: "empty" }));
  });

  it("refuses values beyond 18 digits on either side of the point, and huge exponents without building them", () => {
    expect(() => parseWireDecimal("1234567890123456789")).toThrow(expect.objectContaining({ why: "range" }));
    expect(() => parseWireDecimal("0.1234567890123456789")).toThrow(expect.objectContaining({ why: "range" }));
    expect(() => parseWireDecimal("1e999999999", { exponent: true })).toThrow(expect.objectContaining({ why: "range" }));
    expect(parseWireDecimal("000000000000000000001.10000000000000000000")).toBe("1.1");
  });

  it("gives the value exactly for any decimal text, as the exact rational model says", () => {
    fc.assert(
      fc.property(exactArb, (x) => {
        const text = toDecimal(x);
        expect(parseWireDecimal(text)).toBe(normalize(text));
      }),
    );
  });
});
