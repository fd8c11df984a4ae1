import { describe, expect, it } from "vitest";
import { bunzip2, bzip2 } from "./bzip2";
import { type CatFirm, catFile, catFileName, catMetadata, catMetadataFileName, catRecords, catTimestamp } from "./cat";

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
    expect(catFileName(firm, "2026-08-03", "G1", 1)).toBe("12345_FLMR_20260803_G1_OrderEvents_000001.json.bz2");
    expect(catMetadataFileName(firm, "2026-08-03", "G1", 7)).toBe("12345_FLMR_20260803_G1_OrderEvents_000007.meta.json");
    const lines = catFile(catRecords(firm, events)).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(["MENO", "MEOR"]);
  });

  it("bzip2: a real bzip2 stream (BZh9 magic) that decompresses to the same records, the same bytes every time", async () => {
    const text = Buffer.from(catFile(catRecords(firm, events)), "utf8");
    const compressed = await bzip2(text);
    expect(compressed.subarray(0, 4).toString("latin1")).toBe("BZh9");
    expect((await bunzip2(compressed)).equals(text)).toBe(true);
    expect((await bzip2(text)).equals(compressed)).toBe(true);
    await expect(bunzip2(Buffer.from("not bzip2"))).rejects.toThrow(/exited 2/);
  });

  it("metadata: the data file's name, its record count and the SHA-256 of the compressed bytes", () => {
    expect(catMetadata(firm, "12345_FLMR_20260803_G1_OrderEvents_000001.json.bz2", 2, { sha256: "ab".repeat(32), bytes: 150 })).toEqual({
      dataFileName: "12345_FLMR_20260803_G1_OrderEvents_000001.json.bz2",
      recordCount: 2,
      compressedHash: "ab".repeat(32),
      compressedSize: 150,
      compression: "bzip2",
      submitter: "12345",
      reporter: "FLMR",
      doneForDay: true,
    });
  });
});
