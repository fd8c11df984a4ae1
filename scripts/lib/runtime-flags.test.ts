import { describe, expect, it } from "vitest";
import { defaultEngineOldSpaceMb, engineOldSpaceMb, engineRuntimeFlags } from "./runtime-flags.mjs";

const GB = 2 ** 30;

describe("the engine's V8 flags", () => {
  it("keeps 1 GB of old generation before a full collection on a machine with 16 GB or more, less on a smaller one", () => {
    expect(defaultEngineOldSpaceMb(24 * GB)).toBe(1024);
    expect(defaultEngineOldSpaceMb(16 * GB)).toBe(1024);
    expect(defaultEngineOldSpaceMb(8 * GB)).toBe(512);
    expect(defaultEngineOldSpaceMb(2 * GB)).toBe(128);
    expect(engineRuntimeFlags({}, 24 * GB)).toEqual(["--max-semi-space-size=16", "--initial-old-space-size=1024"]);
  });

  it("takes ENGINE_OLD_SPACE_MB as given, and 0 as V8's own sizing", () => {
    expect(engineOldSpaceMb({ ENGINE_OLD_SPACE_MB: "2048" }, 4 * GB)).toBe(2048);
    expect(engineRuntimeFlags({ ENGINE_OLD_SPACE_MB: " 300 " }, 24 * GB)).toContain("--initial-old-space-size=300");
    expect(engineRuntimeFlags({ ENGINE_OLD_SPACE_MB: "0" }, 24 * GB)).toEqual(["--max-semi-space-size=16"]);
  });

  it.each(["1.5", "-1", "1GB", "abc", "65537"])("refuses ENGINE_OLD_SPACE_MB=%s with what it expects", (value) => {
    expect(() => engineRuntimeFlags({ ENGINE_OLD_SPACE_MB: value }, 24 * GB)).toThrow(
      `ENGINE_OLD_SPACE_MB must be a whole number of megabytes from 0 to 65536 (0: V8's own sizing); got "${value}"`,
    );
  });
});
