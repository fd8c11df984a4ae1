import { describe, expect, it } from "vitest";
import { rowsText } from "./rows-text";

describe("export progress text", () => {
  it.each([
    [0, null, "0 rows"],
    [1, null, "1 row"],
    [12345, undefined, "12,345 rows"],
    [500, 1200, "500 of 1,200 rows"],
    [1, 1, "1 of 1 row"],
  ])("%d written of %s: %s", (rows, total, text) => expect(rowsText(rows, total)).toBe(text));
});
