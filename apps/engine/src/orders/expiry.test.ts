import type { Order, SubmitOrderInput } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expiresAt, nextSessionEnd, parseSessionEnd } from "./expiry";

const DAY_MS = 24 * 60 * 60 * 1000;
const at = (iso: string) => Date.parse(iso);

function order(input: Partial<SubmitOrderInput>, createdAt = "2025-01-02T14:30:00.123456Z"): Order {
  return orderFrom(input, { now: createdAt });
}

describe("parseSessionEnd", () => {
  it.each([
    ["21:00", 21 * 60],
    ["00:00", 0],
    ["23:59", 23 * 60 + 59],
    ["09:30", 9 * 60 + 30],
  ])("reads %s as %i minutes after midnight UTC", (text, minutes) => {
    expect(parseSessionEnd(text)).toBe(minutes);
  });

  it.each(["24:00", "9:30", "21:60", "21:00Z", " 21:00", "2100", "", "ab:cd", "21:00:00"])("rejects %j, quoting it", (text) => {
    expect(() => parseSessionEnd(text)).toThrow(`session end must be HH:MM (UTC), got "${text}"`);
  });
});

describe("nextSessionEnd", () => {
  it.each([
    ["before the end, same day", "2025-01-02T14:30:00Z", "21:00", "2025-01-02T21:00:00.000Z"],
    ["after the end, next day", "2025-01-02T22:15:00Z", "21:00", "2025-01-03T21:00:00.000Z"],
    ["exactly at the end, next day", "2025-01-02T21:00:00Z", "21:00", "2025-01-03T21:00:00.000Z"],
    ["a millisecond before the end", "2025-01-02T20:59:59.999Z", "21:00", "2025-01-02T21:00:00.000Z"],
    ["late evening, session ending after midnight", "2025-01-02T23:30:00Z", "02:00", "2025-01-03T02:00:00.000Z"],
    ["after midnight, before that end", "2025-01-03T01:00:00Z", "02:00", "2025-01-03T02:00:00.000Z"],
    ["across the year end", "2025-12-31T22:00:00Z", "21:00", "2026-01-01T21:00:00.000Z"],
    ["across a leap day", "2028-02-28T23:00:00Z", "21:00", "2028-02-29T21:00:00.000Z"],
  ])("%s", (_name, from, end, expected) => {
    expect(new Date(nextSessionEnd(at(from), parseSessionEnd(end))).toISOString()).toBe(expected);
  });

  it("is the first session end strictly after the given time, within a day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at("2000-01-01T00:00:00Z"), max: at("2100-01-01T00:00:00Z") }),
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        (from, minutes) => {
          const end = nextSessionEnd(from, minutes);
          expect(end).toBeGreaterThan(from);
          expect(end - from).toBeLessThanOrEqual(DAY_MS);
          const d = new Date(end);
          expect(d.getUTCHours() * 60 + d.getUTCMinutes()).toBe(minutes);
          expect(d.getUTCSeconds() + d.getUTCMilliseconds()).toBe(0);
        },
      ),
    );
  });
});

describe("expiresAt", () => {
  const end = parseSessionEnd("21:00");

  it("expires a DAY order at the session end after it arrived", () => {
    expect(expiresAt(order({ timeInForce: "DAY" }), end)).toBe(at("2025-01-02T21:00:00Z"));
    expect(expiresAt(order({ timeInForce: "DAY" }, "2025-01-02T21:30:00.000000Z"), end)).toBe(at("2025-01-03T21:00:00Z"));
  });

  it("expires a GTD order at its own time, whatever the session", () => {
    const o = order({ timeInForce: "GTD", expireTime: "2025-01-05T10:15:30.250Z" });
    expect(expiresAt(o, end)).toBe(at("2025-01-05T10:15:30.250Z"));
    const offset = order({ timeInForce: "GTD", expireTime: "2025-01-05T12:00:00+02:00" });
    expect(expiresAt(offset, end)).toBe(at("2025-01-05T10:00:00Z"));
  });

  it.each(["GTC", "IOC", "FOK"] as const)("never expires a %s order", (timeInForce) => {
    expect(expiresAt(order({ timeInForce }), end)).toBeNull();
  });
});
