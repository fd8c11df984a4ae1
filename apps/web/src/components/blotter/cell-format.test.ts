import { describe, expect, it } from "vitest";
import { formatPx, formatQty } from "../../lib/format";
import { FormatCache, pxText, qtyText } from "./cell-format";

describe("blotter cell formatting (memoised)", () => {
  it("gives exactly what the formatters give", () => {
    for (const v of ["0", "1", "1000", "1234567", "2.5", "0.125"]) expect(qtyText(v)).toBe(formatQty(v));
    for (const [v, places] of [
      ["101.5", 2],
      ["101.555", 2],
      ["0", 2],
      ["7", 0],
      ["12.3456789", 4],
    ] as const)
      expect(pxText(v, places)).toBe(formatPx(v, places));
    expect(pxText(null)).toBe("—");
    // The same value at different places is not confused.
    expect(pxText("1.23456", 2)).toBe("1.23");
    expect(pxText("1.23456", 4)).toBe("1.2346");
  });

  it("formats each distinct input once and stays bounded", () => {
    let calls = 0;
    const cache = new FormatCache((v) => {
      calls += 1;
      return `<${v}>`;
    }, 100);
    for (let round = 0; round < 3; round += 1) for (let i = 0; i < 50; i += 1) expect(cache.get(String(i))).toBe(`<${i}>`);
    expect(calls).toBe(50);
    for (let i = 0; i < 1000; i += 1) cache.get(`x${i}`);
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.get("x999")).toBe("<x999>");
  });
});
