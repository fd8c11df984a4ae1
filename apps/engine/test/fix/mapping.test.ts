import { describe, expect, it } from "vitest";
import { encode, parseMessage } from "../../src/venues/fix/codec";
import { EXEC_TYPES, ORD_STATUSES, readExecutionReport, refusalReport, toVenueReport } from "../../src/venues/fix/mapping";

type Version = "FIX.4.2" | "FIX.4.4";

function er(version: Version, fields: Record<number, string>) {
  const body = Object.entries({
    35: "8",
    34: "9",
    37: "V1",
    11: "O1",
    17: "E1",
    39: "0",
    55: "AAPL",
    54: "1",
    14: "0",
    151: "100",
    6: "0",
    ...fields,
  });
  return readExecutionReport(
    version,
    parseMessage(
      encode(
        version,
        body.map(([t, v]) => [Number(t), v] as const),
      ),
    ),
  );
}

// biome-ignore format: one row per (version, ExecType, OrdStatus), as a table
const ROWS: [Version, string, string, Record<number, string>, ReturnType<typeof toVenueReport>][] = [
  ["FIX.4.2", "0", "0", { 20: "0" },                               { kind: "accepted", orderId: "O1", venueOrderId: "V1" }],
  ["FIX.4.2", "1", "1", { 20: "0", 32: "40", 31: "10.40" },        { kind: "fill", orderId: "O1", execId: "O1/E1", lastQty: "40", lastPx: "10.4" }],
  ["FIX.4.2", "2", "2", { 20: "0", 32: "60", 31: "10.5" },         { kind: "fill", orderId: "O1", execId: "O1/E1", lastQty: "60", lastPx: "10.5" }],
  ["FIX.4.2", "3", "3", { 20: "0" },                               null],
  ["FIX.4.2", "4", "4", { 20: "0", 58: "done" },                   { kind: "cancelled", orderId: "O1", reason: "done" }],
  ["FIX.4.2", "5", "5", { 20: "0", 38: "200", 44: "9.9" },         { kind: "replaced", orderId: "O1", orderQty: "200", price: "9.9", stopPx: null }],
  ["FIX.4.2", "6", "6", { 20: "0" },                               null],
  ["FIX.4.2", "7", "7", { 20: "0" },                               null],
  ["FIX.4.2", "8", "8", { 20: "0", 58: "Unsupported TIF" },        { kind: "rejected", orderId: "O1", reason: "Unsupported TIF" }],
  ["FIX.4.2", "9", "9", { 20: "0" },                               null],
  ["FIX.4.2", "A", "A", { 20: "0" },                               null],
  ["FIX.4.2", "B", "B", { 20: "0" },                               null],
  ["FIX.4.2", "C", "C", { 20: "0" },                               { kind: "expired", orderId: "O1", reason: "expired at the venue" }],
  ["FIX.4.2", "D", "0", { 20: "0" },                               null],
  ["FIX.4.2", "E", "E", { 20: "0" },                               null],
  ["FIX.4.2", "2", "2", { 20: "1", 32: "60", 31: "10.5" },         null], // ExecTransType Cancel: a bust, not applied
  ["FIX.4.2", "2", "2", { 20: "3", 32: "60", 31: "10.5" },         null], // ExecTransType Status
  ["FIX.4.4", "0", "0", {},                                        { kind: "accepted", orderId: "O1", venueOrderId: "V1" }],
  ["FIX.4.4", "F", "1", { 32: "40", 31: "10.4" },                  { kind: "fill", orderId: "O1", execId: "O1/E1", lastQty: "40", lastPx: "10.4" }],
  ["FIX.4.4", "F", "2", { 32: "100", 31: "123.45" },               { kind: "fill", orderId: "O1", execId: "O1/E1", lastQty: "100", lastPx: "123.45" }],
  ["FIX.4.4", "3", "3", {},                                        null],
  ["FIX.4.4", "4", "4", {},                                        { kind: "cancelled", orderId: "O1", reason: "cancelled at the venue" }],
  ["FIX.4.4", "5", "0", { 38: "50", 44: "1.25", 99: "1.2" },       { kind: "replaced", orderId: "O1", orderQty: "50", price: "1.25", stopPx: "1.2" }],
  ["FIX.4.4", "6", "6", {},                                        null],
  ["FIX.4.4", "7", "7", {},                                        null],
  ["FIX.4.4", "8", "8", {},                                        { kind: "rejected", orderId: "O1", reason: "rejected by the venue" }],
  ["FIX.4.4", "9", "9", {},                                        null],
  ["FIX.4.4", "A", "A", {},                                        null],
  ["FIX.4.4", "B", "B", {},                                        null],
  ["FIX.4.4", "C", "C", {},                                        { kind: "expired", orderId: "O1", reason: "expired at the venue" }],
  ["FIX.4.4", "D", "1", {},                                        null],
  ["FIX.4.4", "E", "E", {},                                        null],
  ["FIX.4.4", "G", "2", { 32: "10", 31: "1" },                     null],
  ["FIX.4.4", "H", "2", { 32: "10", 31: "1" },                     null],
  ["FIX.4.4", "I", "1", { 14: "40" },                              null],
];

describe("FIX execution states onto ours", () => {
  it.each(ROWS)("%s ExecType %s OrdStatus %s %j → %j", (version, execType, ordStatus, extra, expected) => {
    const report = er(version, { 150: execType, 39: ordStatus, ...extra });
    expect(toVenueReport(report, "O1", "O1/E1")).toEqual(expected);
    expect(report.state).toBe(ORD_STATUSES[ordStatus]);
  });

  it("has a row for every ExecType of both versions", () => {
    const covered = new Set(ROWS.map(([v, t]) => `${v}:${t}`));
    for (const version of ["FIX.4.2", "FIX.4.4"] as const)
      for (const execType of Object.keys(EXEC_TYPES[version])) expect(covered).toContain(`${version}:${execType}`);
  });

  it("reads 4.2 status answers and busts from ExecTransType, and 4.4 ones from ExecType", () => {
    expect(er("FIX.4.2", { 150: "2", 20: "3" }).action).toBe("status");
    expect(er("FIX.4.2", { 150: "2", 20: "2" }).action).toBe("correction");
    expect(er("FIX.4.4", { 150: "I" }).action).toBe("status");
    expect(er("FIX.4.4", { 150: "H" }).action).toBe("correction");
  });

  it.each([
    ["D", { kind: "rejected", orderId: "O1", reason: "r" }],
    ["F", { kind: "cancelRejected", orderId: "O1", reason: "r" }],
    ["G", { kind: "replaceRejected", orderId: "O1", reason: "r" }],
    ["H", null],
  ] as const)("a refusal of our %s becomes %j", (msgType, expected) => {
    expect(refusalReport(msgType, "O1", "r")).toEqual(expected);
  });
});
