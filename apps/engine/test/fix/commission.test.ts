import { describe, expect, it } from "vitest";
import { encode, parseMessage } from "../../src/venues/fix/codec";
import { readExecutionReport, toVenueReport } from "../../src/venues/fix/mapping";

/** A FIX 4.4 partial fill of 40 @ 10.40 with the given extra fields. */
function fill(fields: Record<number, string>) {
  const body = Object.entries({
    35: "8",
    34: "9",
    37: "V1",
    11: "O1",
    17: "E1",
    150: "F",
    39: "1",
    55: "AAPL",
    54: "1",
    32: "40",
    31: "10.40",
    14: "40",
    151: "60",
    6: "10.4",
    ...fields,
  }).map(([t, v]) => [Number(t), v] as const);
  return toVenueReport(readExecutionReport("FIX.4.4", parseMessage(encode("FIX.4.4", body))), "O1", "O1/E1");
}

describe("FIX Commission(12) / CommType(13) on a fill", () => {
  it("an absolute commission (CommType 3 or none) is the fill's commission, exactly, in CommCurrency or Currency", () => {
    expect(fill({ 12: "1.25", 13: "3", 479: "EUR" })).toMatchObject({ kind: "fill", commission: { amount: "1.25", currency: "EUR" } });
    expect(fill({ 12: "0.10", 15: "USD" })).toMatchObject({ commission: { amount: "0.1", currency: "USD" } });
  });

  it("per unit (CommType 1) is times LastQty; percent (CommType 2) is of LastQty × LastPx", () => {
    expect(fill({ 12: "0.0035", 13: "1" })).toMatchObject({ commission: { amount: "0.14", currency: "USD" } });
    expect(fill({ 12: "0.1", 13: "2" })).toMatchObject({ commission: { amount: "0.416", currency: "USD" } });
  });

  it("no Commission: no commission on the report (the venue's fee schedule applies)", () => {
    expect(fill({})).toEqual({ kind: "fill", orderId: "O1", execId: "O1/E1", lastQty: "40", lastPx: "10.4" });
  });
});
