import { describe, expect, it } from "vitest";
import { BURST_WARNING_BYTES, readWriteback, tuneWriteback, writebackAdvice } from "./host-writeback.mjs";

const GB = 2 ** 30;
const MB = 2 ** 20;

/** /proc/sys/vm as the kernel keeps it: writing the byte or the ratio setting clears the other. */
function fakeVm(initial: { bytes: number; ratio: number; expire?: number }) {
  const files = new Map<string, string>([
    ["/proc/sys/vm/dirty_background_bytes", String(initial.bytes)],
    ["/proc/sys/vm/dirty_background_ratio", String(initial.ratio)],
    ["/proc/sys/vm/dirty_expire_centisecs", String(initial.expire ?? 3000)],
  ]);
  const read = (file: string) => {
    const value = files.get(file);
    if (value === undefined) throw new Error(`ENOENT: ${file}`);
    return `${value}\n`;
  };
  const write = (file: string, data: string) => {
    files.set(file, data);
    if (file.endsWith("_bytes")) files.set("/proc/sys/vm/dirty_background_ratio", "0");
    if (file.endsWith("_ratio")) files.set("/proc/sys/vm/dirty_background_bytes", "0");
  };
  return { files, read, write };
}

describe("the host's write-back of dirty pages", () => {
  it("reads the threshold from the byte setting, or from the ratio of the machine's memory", () => {
    expect(readWriteback(fakeVm({ bytes: 0, ratio: 10 }).read, 24 * GB)?.threshold_bytes).toBe(Math.floor(2.4 * GB));
    expect(readWriteback(fakeVm({ bytes: 8 * MB, ratio: 0 }).read, 24 * GB)).toEqual({
      dirty_background_bytes: 8 * MB,
      dirty_background_ratio: 0,
      dirty_expire_centisecs: 3000,
      threshold_bytes: 8 * MB,
    });
    expect(
      readWriteback(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
  });

  it("advises a smaller threshold only where the kernel lets more than 64 MB wait unwritten", () => {
    const untuned = readWriteback(fakeVm({ bytes: 0, ratio: 10 }).read, 24 * GB);
    expect(writebackAdvice(untuned)).toMatch(/about 2458 MB .*vm\.dirty_background_ratio=10.*vm\.dirty_background_bytes=8388608/);
    expect(writebackAdvice(readWriteback(fakeVm({ bytes: BURST_WARNING_BYTES, ratio: 0 }).read))).toBeUndefined();
    expect(writebackAdvice(readWriteback(fakeVm({ bytes: 256 * MB, ratio: 0 }).read))).toContain("vm.dirty_background_bytes=268435456");
    expect(writebackAdvice(undefined)).toBeUndefined();
  });

  it("tunes for a measurement and puts back whichever setting was in force", () => {
    const byRatio = fakeVm({ bytes: 0, ratio: 10 });
    const tuning = tuneWriteback(8 * MB, byRatio.read, byRatio.write);
    expect(byRatio.files.get("/proc/sys/vm/dirty_background_bytes")).toBe(String(8 * MB));
    tuning?.restore();
    expect(byRatio.files.get("/proc/sys/vm/dirty_background_ratio")).toBe("10");
    expect(byRatio.files.get("/proc/sys/vm/dirty_background_bytes")).toBe("0");

    const byBytes = fakeVm({ bytes: 128 * MB, ratio: 0 });
    tuneWriteback(8 * MB, byBytes.read, byBytes.write)?.restore();
    expect(byBytes.files.get("/proc/sys/vm/dirty_background_bytes")).toBe(String(128 * MB));
  });

  it("does nothing where the setting cannot be written", () => {
    const vm = fakeVm({ bytes: 0, ratio: 10 });
    const refused = tuneWriteback(8 * MB, vm.read, () => {
      throw new Error("EACCES");
    });
    expect(refused).toBeUndefined();
    expect(vm.files.get("/proc/sys/vm/dirty_background_ratio")).toBe("10");
  });
});
