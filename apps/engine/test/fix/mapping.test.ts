import { describe, expect, it } from "vitest";
import { encode, FixFieldError, parseMessage, SessionRejectReason, Tag } from "../../src/venues/fix/codec";
import { EXEC_TYPES, ORD_STATUSES, readExecutionReport, refusalReport, toVenueReport } from "../../src/venues/fix/mapping";

type Version = "FIX.4.2" | "FIX.4.4";

/** An ExecutionReport with defaults; a field given as undefined is left out. */
function er(version: Version, fields: Record<number, string | undefined>) {
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
  }).flatMap(([t, v]) => (v === undefined ? [] : [[Number(t), v] as const]));
  return readExecutionReport(version, parseMessage(encode(version, body)));
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
  ["FIX.4.2", "D", "0", { 20: "0", 38: "80", 44: "10.1", 58: "venue cut" }, { kind: "restated", orderId: "O1", orderQty: "80", price: "10.1", reason: "venue cut" }],
  ["FIX.4.2", "D", "1", { 20: "0", 14: "30", 151: "50" },         { kind: "restated", orderId: "O1", orderQty: "80", price: null, reason: "restated by the venue" }],
  ["FIX.4.2", "E", "E", { 20: "0" },                               null],
  ["FIX.4.2", "2", "2", { 20: "1", 19: "E0", 32: "60", 31: "10.5" }, { kind: "tradeBusted", orderId: "O1", refExecId: "O1/E0", reason: "trade cancelled (busted) by the venue" }], // ExecTransType Cancel
  ["FIX.4.2", "2", "2", { 20: "2", 19: "E0", 32: "60", 31: "10.45" }, { kind: "tradeCorrected", orderId: "O1", refExecId: "O1/E0", execId: "O1/E1", lastQty: "60", lastPx: "10.45", reason: "trade corrected by the venue" }], // ExecTransType Correct
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
  ["FIX.4.4", "D", "1", { 38: "70", 44: "9.95" },                  { kind: "restated", orderId: "O1", orderQty: "70", price: "9.95", reason: "restated by the venue" }],
  ["FIX.4.4", "E", "E", {},                                        null],
  ["FIX.4.4", "G", "2", { 19: "E0", 32: "10", 31: "1.01", 58: "px" }, { kind: "tradeCorrected", orderId: "O1", refExecId: "O1/E0", execId: "O1/E1", lastQty: "10", lastPx: "1.01", reason: "px" }],
  ["FIX.4.4", "H", "4", { 19: "E0", 32: "10", 31: "1" },           { kind: "tradeBusted", orderId: "O1", refExecId: "O1/E0", reason: "trade cancelled (busted) by the venue" }],
  ["FIX.4.4", "I", "1", { 14: "40" },                              null],
  ["FIX.4.4", "I", "C", { 14: "40" },                              null], // status answer: state "expired", not "cancelled"
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

  it("reads 4.2 status answers, busts and corrections from ExecTransType, and 4.4 ones from ExecType", () => {
    expect(er("FIX.4.2", { 150: "2", 20: "3" }).action).toBe("status");
    expect(er("FIX.4.2", { 150: "2", 20: "1", 19: "E0" }).action).toBe("tradeBusted");
    expect(er("FIX.4.2", { 150: "2", 20: "2", 19: "E0", 32: "1", 31: "1" }).action).toBe("tradeCorrected");
    expect(er("FIX.4.4", { 150: "I" }).action).toBe("status");
    expect(er("FIX.4.4", { 150: "H", 19: "E0" }).action).toBe("tradeBusted");
    expect(er("FIX.4.4", { 150: "G", 19: "E0", 32: "1", 31: "1" }).action).toBe("tradeCorrected");
  });

  it("an order that expired at the venue reads as expired in a status answer (OrdStatus C), not cancelled", () => {
    expect(ORD_STATUSES.C).toBe("expired");
    expect(er("FIX.4.4", { 150: "I", 39: "C", 14: "0" }).state).toBe("expired");
    expect(er("FIX.4.2", { 150: "C", 20: "3", 39: "C" }).state).toBe("expired");
  });

  it.each([
    ["FIX.4.4", { 150: "H" }, 19],
    ["FIX.4.2", { 150: "2", 20: "1" }, 19],
    ["FIX.4.4", { 150: "G", 19: "E0", 31: "1" }, 32],
    ["FIX.4.4", { 150: "D" }, 38],
  ] as const)("%s %j without tag %s is refused as required tag missing", (version, fields, tag) => {
    expect(() => er(version, { 14: undefined, 151: undefined, ...fields })).toThrow(expect.objectContaining({ tag, reason: 1 }));
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

describe("FIX decimals are read exactly", () => {
  it("keeps every digit of a LastPx of 123456789.123456789", () => {
    const report = er("FIX.4.4", { 150: "F", 39: "1", 32: "1", 31: "123456789.123456789", 6: "123456789.123456789" });
    expect(report.lastPx).toBe("123456789.123456789");
    expect(report.avgPx).toBe("123456789.123456789");
  });

  it("keeps a LastQty of 0.00000012 in plain form, so the fill can be booked", () => {
    const report = er("FIX.4.4", { 150: "F", 39: "1", 32: "0.00000012", 31: "60000", 14: "0.00000012", 151: "0.99999988" });
    expect(toVenueReport(report, "O1", "O1/E1")).toEqual({
      kind: "fill",
      orderId: "O1",
      execId: "O1/E1",
      lastQty: "0.00000012",
      lastPx: "60000",
    });
    expect(report.leavesQty).toBe("0.99999988");
  });

  it.each([
    [Tag.LastPx, "12a", SessionRejectReason.IncorrectDataFormat],
    [Tag.LastQty, "1e-7", SessionRejectReason.IncorrectDataFormat],
    [Tag.CumQty, "1,5", SessionRejectReason.IncorrectDataFormat],
    [Tag.LeavesQty, "NaN", SessionRejectReason.IncorrectDataFormat],
    [Tag.AvgPx, "", SessionRejectReason.TagWithoutValue],
    [Tag.Commission, "abc", SessionRejectReason.IncorrectDataFormat],
    [Tag.LastQty, "-5", SessionRejectReason.ValueIncorrect],
    [Tag.Price, "1234567890123456789", SessionRejectReason.ValueIncorrect],
  ])("tag %s = %j is refused naming the tag, with SessionRejectReason %s", (tag, value, reason) => {
    const read = () => er("FIX.4.4", { 150: "F", 39: "1", 32: "10", 31: "10", [tag]: value });
    expect(read).toThrow(FixFieldError);
    expect(read).toThrow(expect.objectContaining({ tag, reason }));
  });
});
