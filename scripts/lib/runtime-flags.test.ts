import { describe, expect, it } from "vitest";
import { consoleRuntimeFlags, defaultOldSpaceMb, engineRuntimeFlags, oldSpaceMb } from "./runtime-flags.mjs";

const GB = 2 ** 30;

describe("the V8 flags of the engine and the console", () => {
  it("keeps 1 GB of old generation before a full collection on a machine with 16 GB or more, less on a smaller one", () => {
    expect(defaultOldSpaceMb(24 * GB)).toBe(1024);
    expect(defaultOldSpaceMb(16 * GB)).toBe(1024);
    expect(defaultOldSpaceMb(8 * GB)).toBe(512);
    expect(defaultOldSpaceMb(2 * GB)).toBe(128);
    expect(engineRuntimeFlags({}, 24 * GB)).toEqual(["--max-semi-space-size=16", "--initial-old-space-size=1024"]);
    expect(consoleRuntimeFlags({}, 8 * GB)).toEqual(["--max-semi-space-size=16", "--initial-old-space-size=512"]);
  });

  it("takes ENGINE_OLD_SPACE_MB as given, and 0 as V8's own sizing", () => {
    expect(oldSpaceMb("ENGINE_OLD_SPACE_MB", { ENGINE_OLD_SPACE_MB: "2048" }, 4 * GB)).toBe(2048);
    expect(consoleRuntimeFlags({ CONSOLE_OLD_SPACE_MB: "256", ENGINE_OLD_SPACE_MB: "0" }, 24 * GB)).toContain(
      "--initial-old-space-size=256",
    );
    expect(engineRuntimeFlags({ ENGINE_OLD_SPACE_MB: " 300 " }, 24 * GB)).toContain("--initial-old-space-size=300");
    expect(engineRuntimeFlags({ ENGINE_OLD_SPACE_MB: "0" }, 24 * GB)).toEqual(["--max-semi-space-size=16"]);
    expect(consoleRuntimeFlags({ CONSOLE_OLD_SPACE_MB: "0" }, 24 * GB)).toEqual(["--max-semi-space-size=16"]);
  });

  it.each(["1.5", "-1", "1GB", "abc", "65537"])("refuses %s as a floor with what it expects", (value) => {
    expect(() => engineRuntimeFlags({ ENGINE_OLD_SPACE_MB: value }, 24 * GB)).toThrow(
      `ENGINE_OLD_SPACE_MB must be a whole number of megabytes from 0 to 65536 (0: V8's own sizing); got "${value}"`,
    );
    expect(() => consoleRuntimeFlags({ CONSOLE_OLD_SPACE_MB: value }, 24 * GB)).toThrow(
      `CONSOLE_OLD_SPACE_MB must be a whole number of megabytes from 0 to 65536 (0: V8's own sizing); got "${value}"`,
    );
  });
});
