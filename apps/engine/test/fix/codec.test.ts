import { describe, expect, it } from "vitest";
import { checksum, encode, FixFramer, FixParseError, parseMessage, SOH, utcTimestamp } from "../../src/venues/fix/codec";

// A QuickFIX Logon as seen on the wire in peers/QUICKFIX.md's runs.
const LOGON = "8=FIX.4.4|9=71|35=A|34=1|49=EXECUTOR|52=20261125-10:00:15.588|56=FILLMORE|98=0|108=30|10=198|".replaceAll("|", SOH);

describe("FIX tag=value codec", () => {
  it("frames a message with BodyLength and CheckSum that QuickFIX computes the same way", () => {
    const raw = encode("FIX.4.4", [
      [35, "A"],
      [34, "1"],
      [49, "EXECUTOR"],
      [52, "20261125-10:00:15.588"],
      [56, "FILLMORE"],
      [98, "0"],
      [108, "30"],
    ]);
    expect(raw).toBe(LOGON);
  });

  it("parses fields in order and exposes the header", () => {
    const m = parseMessage(LOGON);
    expect(m.msgType).toBe("A");
    expect(m.seq).toBe(1);
    expect(m.possDup).toBe(false);
    expect(m.get(108)).toBe("30");
    expect(m.fields.map(([t]) => t)).toEqual([8, 9, 35, 34, 49, 52, 56, 98, 108, 10]);
  });

  it("splits a stream cut at any byte into the same whole messages", () => {
    const stream = LOGON + LOGON.replace("34=1", "34=2").replace("10=198", `10=${checksum(LOGON.replace("34=1", "34=2").slice(0, -7))}`);
    for (let cut = 1; cut < stream.length; cut++) {
      const framer = new FixFramer();
      const got = [...framer.push(stream.slice(0, cut)), ...framer.push(stream.slice(cut))];
      expect(got.map((m) => m.seq)).toEqual([1, 2]);
    }
  });

  it("refuses a wrong CheckSum or BodyLength", () => {
    expect(() => new FixFramer().push(LOGON.replace("10=198", "10=199"))).toThrow(FixParseError);
    expect(() => new FixFramer().push(LOGON.replace("9=71", "9=70"))).toThrow(FixParseError);
  });

  it("refuses a value with SOH in it", () => {
    expect(() => encode("FIX.4.2", [[58, `a${SOH}b`]])).toThrow(FixParseError);
  });

  it("writes UTCTimestamp with milliseconds", () => {
    expect(utcTimestamp(new Date("2025-01-02T14:30:05.123Z"))).toBe("20250102-14:30:05.123");
  });
});
