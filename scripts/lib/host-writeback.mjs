// The kernel's write-back of dirty pages, which sets the tail of the journal's commits on a host whose
// disk has a write cache (docs/OPERATIONS.md, "Host settings"; docs/PERFORMANCE.md, twentieth session).
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

const VM = "/proc/sys/vm";
const MB = 2 ** 20;

/** What the twentieth session measured: with it no fdatasync of an independent probe took 50 ms or more. */
export const RECOMMENDED_BACKGROUND_BYTES = 8 * MB;

/** Above this much unwritten data the kernel's bursts stalled commits on the machine measured. */
export const BURST_WARNING_BYTES = 64 * MB;

const readProc = (file) => readFileSync(file, "utf8");

/**
 * The host's write-back settings, and about how much dirty data it lets build up before it starts
 * writing any back (`threshold_bytes`: the byte setting, or the ratio of the machine's memory; the
 * kernel takes the ratio of available memory, so this is the upper bound). Undefined off Linux.
 */
export function readWriteback(read = readProc, totalMemoryBytes = os.totalmem()) {
  try {
    const bytes = Number(read(`${VM}/dirty_background_bytes`).trim());
    const ratio = Number(read(`${VM}/dirty_background_ratio`).trim());
    const expireCentisecs = Number(read(`${VM}/dirty_expire_centisecs`).trim());
    if (![bytes, ratio, expireCentisecs].every(Number.isFinite)) return undefined;
    return {
      dirty_background_bytes: bytes,
      dirty_background_ratio: ratio,
      dirty_expire_centisecs: expireCentisecs,
      threshold_bytes: bytes > 0 ? bytes : Math.floor((totalMemoryBytes * ratio) / 100),
    };
  } catch {
    return undefined;
  }
}

/** A one-line advice when the host lets so much dirty data build up that its bursts stall commits; else undefined. */
export function writebackAdvice(settings) {
  if (!settings || settings.threshold_bytes <= BURST_WARNING_BYTES) return undefined;
  const setting =
    settings.dirty_background_bytes > 0
      ? `vm.dirty_background_bytes=${settings.dirty_background_bytes}`
      : `vm.dirty_background_ratio=${settings.dirty_background_ratio}`;
  return (
    `this host lets up to about ${Math.round(settings.threshold_bytes / MB)} MB of data wait unwritten (${setting}) and then ` +
    "writes it back in bursts, which can hold Postgres's commits (and each order's answer) for 50-170 ms under load; " +
    `on the database's host set vm.dirty_background_bytes=${RECOMMENDED_BACKGROUND_BYTES} (docs/OPERATIONS.md, "Host settings")`
  );
}

/**
 * Sets vm.dirty_background_bytes for a measurement and returns how to put the setting back, or
 * undefined when it cannot be written (not root, not Linux). Writing one of the byte and ratio
 * settings clears the other, so the one that was in force is written back.
 */
export function tuneWriteback(bytes = RECOMMENDED_BACKGROUND_BYTES, read = readProc, write = writeFileSync) {
  const before = readWriteback(read);
  if (!before) return undefined;
  try {
    write(`${VM}/dirty_background_bytes`, String(bytes));
  } catch {
    return undefined;
  }
  return {
    before,
    bytes,
    restore() {
      if (before.dirty_background_bytes > 0) write(`${VM}/dirty_background_bytes`, String(before.dirty_background_bytes));
      else write(`${VM}/dirty_background_ratio`, String(before.dirty_background_ratio));
    },
  };
}
