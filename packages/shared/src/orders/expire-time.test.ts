import { describe, expect, it } from "vitest";
import { checkExpireTime, DEFAULT_GTD_MAX_HORIZON_DAYS, expireTimeMs } from "./expire-time";

const NOW = Date.parse("2026-03-10T14:30:00Z");

describe("checkExpireTime (GTD at the boundary, with the engine's clock and horizon)", () => {
  it("refuses a GTD order whose expireTime is already past, saying so", () => {
    expect(checkExpireTime("2026-03-10T14:29:59Z", NOW)).toEqual({
      code: "EXPIRE_TIME_PAST",
      message: expect.stringMatching(/already past/),
    });
  });

  it("refuses an expireTime equal to now: the order would be expired on arrival", () => {
    expect(checkExpireTime("2026-03-10T14:30:00Z", NOW)?.code).toBe("EXPIRE_TIME_PAST");
  });

  it("refuses an expireTime beyond the default 366-day horizon, and one in year 9999", () => {
    expect(DEFAULT_GTD_MAX_HORIZON_DAYS).toBe(366);
    expect(checkExpireTime("2027-03-11T14:30:01Z", NOW)).toEqual({
      code: "EXPIRE_TIME_TOO_FAR",
      message: expect.stringMatching(/366 days/),
    });
    expect(checkExpireTime("9999-12-31T23:59:59Z", NOW)?.code).toBe("EXPIRE_TIME_TOO_FAR");
  });

  it("accepts an expireTime in the future within the horizon, up to the horizon exactly", () => {
    expect(checkExpireTime("2026-03-10T21:00:00Z", NOW)).toBeNull();
    expect(checkExpireTime("2027-03-11T14:30:00Z", NOW)).toBeNull();
  });

  it("uses the configured horizon", () => {
    expect(checkExpireTime("2026-03-20T14:30:00Z", NOW, 7)?.code).toBe("EXPIRE_TIME_TOO_FAR");
    expect(checkExpireTime("2026-03-17T14:30:00Z", NOW, 7)).toBeNull();
  });

  it("reads offsets: 10:00-05:00 is 15:00 UTC, after now", () => {
    expect(checkExpireTime("2026-03-10T10:00:00-05:00", NOW)).toBeNull();
    expect(checkExpireTime("2026-03-10T09:00:00-05:00", NOW)?.code).toBe("EXPIRE_TIME_PAST");
  });

  it.each(["2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "tomorrow", ""])("refuses %j as not a valid date", (text) => {
    expect(checkExpireTime(text, NOW)?.code).toBe("EXPIRE_TIME_INVALID");
    expect(expireTimeMs(text)).toBeNull();
  });
});
