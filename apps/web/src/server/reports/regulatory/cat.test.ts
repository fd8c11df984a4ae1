import { describe, expect, it } from "vitest";
import { type CatFirm, catFile, catFileName, catRecords, catTimestamp } from "./cat";

// ../shared/reference/REGULATORY.md, CAT for Example A: an agency market buy of 300 XYZ received
// 10:00:00 ET on 3 Aug 2026 and routed to an exchange: MENO, then MEOR on the same Order Key; no MEOT.

const firm: CatFirm = {
  submitterId: "12345",
  reporterImid: "FLMR",
  destinations: { "SIM-FAST": { destination: "XNYS", destinationType: "E" } },
};
const events = [
  {
    type: "OrderReceived",
    orderId: "O1",
    seq: 41,
    ts: "2026-08-03T14:00:00.000000Z",
    data: {
      order: { orderId: "O1", symbol: "XYZ", side: "Buy", ordType: "Market", orderQty: "300", timeInForce: "DAY", accountId: "ACC-ALPHA" },
    },
  },
  { type: "RouteDecided", orderId: "O1", seq: 42, ts: "2026-08-03T14:00:00.000150Z", data: { venueId: "SIM-FAST" } },
  { type: "OrderSubmitted", orderId: "O1", seq: 43, ts: "2026-08-03T14:00:00.000210Z", data: { venueId: "SIM-FAST", venueOrderId: "V-9" } },
  { type: "OrderFilled", orderId: "O1", seq: 44, ts: "2026-08-03T14:00:00.001200Z", data: {} },
];

describe("CAT", () => {
  it("timestamps in Eastern time with 9 fractional digits (µs + 000), summer and winter", () => {
    expect(catTimestamp("2026-08-03T14:00:00.000001Z")).toBe("20260803 100000.000001000");
    expect(catTimestamp("2026-12-01T14:30:05.123456Z")).toBe("20261201 093005.123456000");
  });

  it("Example A: MENO then MEOR on the same Order Key; the fill gives no record", () => {
    const records = catRecords(firm, events);
    expect(records.map((r) => r.type)).toEqual(["MENO", "MEOR"]);
    expect(records[0]).toMatchObject({
      type: "MENO",
      orderKeyDate: "20260803 100000.000000000",
      orderID: "O1",
      symbol: "XYZ",
      side: "B",
      quantity: 300,
      orderType: "MKT",
      timeInForce: { DAY: "20260803" },
      firmROEID: "20260803_41",
      CATReporterIMID: "FLMR",
    });
    expect(records[1]).toMatchObject({
      type: "MEOR",
      orderKeyDate: "20260803 100000.000000000",
      orderID: "O1",
      destination: "XNYS",
      destinationType: "E",
      session: "REG",
      routedOrderID: "V-9",
      eventTimestamp: "20260803 100000.000210000",
    });
  });

  it("file name and one record per line", () => {
    expect(catFileName(firm, "2026-08-03", "G1", 1)).toBe("12345_FLMR_20260803_G1_OrderEvents_000001.json");
    const lines = catFile(catRecords(firm, events)).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(["MENO", "MEOR"]);
  });
});
