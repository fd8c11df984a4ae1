import { describe, expect, it } from "vitest";
import { boundaryAtOrBefore, dueBoundaries, nextBoundaryAfter, tradingDay } from "./boundaries";

// Session boundaries at SESSION_END_UTC: which boundary is due, which trading day it closes, what a
// restart makes up.

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const H21 = 21 * 60;

describe("session boundaries", () => {
  it("the boundary at or before a time, and the next one after it", () => {
    expect(iso(boundaryAtOrBefore(at("2026-03-02T20:59:59.999Z"), H21))).toBe("2026-03-01T21:00:00.000Z");
    expect(iso(boundaryAtOrBefore(at("2026-03-02T21:00:00.000Z"), H21))).toBe("2026-03-02T21:00:00.000Z");
    expect(iso(nextBoundaryAfter(at("2026-03-02T21:00:00.000Z"), H21))).toBe("2026-03-03T21:00:00.000Z");
  });

  it("a boundary closes the 24 hours before it, named by the UTC date of their last instant", () => {
    expect(tradingDay(at("2026-03-02T21:00:00Z"))).toEqual({
      day: "2026-03-02",
      from: "2026-03-01T21:00:00.000Z",
      to: "2026-03-02T21:00:00.000Z",
    });
    // A session ending at midnight: the boundary of 3 March 00:00 closes 2 March.
    expect(tradingDay(at("2026-03-03T00:00:00Z")).day).toBe("2026-03-02");
  });

  it("due: only the newest at a first start; every missed one since the last done, oldest first, at most the catch-up", () => {
    const now = at("2026-03-05T09:00:00Z");
    expect(dueBoundaries(now, H21, null, 31).map(iso)).toEqual(["2026-03-04T21:00:00.000Z"]);
    expect(dueBoundaries(now, H21, at("2026-03-01T21:00:00Z"), 31).map(iso)).toEqual([
      "2026-03-02T21:00:00.000Z",
      "2026-03-03T21:00:00.000Z",
      "2026-03-04T21:00:00.000Z",
    ]);
    expect(dueBoundaries(now, H21, at("2026-03-01T21:00:00Z"), 2).map(iso)).toEqual([
      "2026-03-03T21:00:00.000Z",
      "2026-03-04T21:00:00.000Z",
    ]);
    expect(dueBoundaries(now, H21, at("2026-03-04T21:00:00Z"), 31)).toEqual([]);
  });
});
