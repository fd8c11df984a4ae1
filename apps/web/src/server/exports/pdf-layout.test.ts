import { describe, expect, it } from "vitest";
import { SOURCES } from "./sources";
import { pdfColumnChars } from "./writers";

// Every tabular export source's PDF layout on the landscape A4 page (782 points between the margins,
// 7 pt Courier: 4.2 points a character): the columns fit the page, timestamps keep their 27
// characters and the journal's hashes their 64, so those are never wrapped.

const PAGE = 841.89 - 60;
const CHARS_PER_PAGE = Math.floor(PAGE / 4.2);

describe("PDF column layout of each source", () => {
  it.each(Object.entries(SOURCES).filter(([, s]) => s.columns.length > 0))("%s: fits the page", (_name, source) => {
    const chars = pdfColumnChars(source.columns, PAGE);
    expect(chars.reduce((a, n) => a + n + 1, 0)).toBeLessThanOrEqual(CHARS_PER_PAGE);
    source.columns.forEach((c, i) => {
      if (c.kind === "time") expect(chars[i], c.header).toBe(27);
      if (c.header === "hash") expect(chars[i], c.header).toBe(64);
      expect(chars[i], c.header).toBeGreaterThanOrEqual(3);
    });
  });
});
