import { performance } from "node:perf_hooks";
import type { Clock } from "@fillmore/shared";

// Both clocks read the same monotonic source as process.hrtime, through performance.now(): a double,
// not a BigInt allocated and divided on every reading (several readings per event).
const originMs = Date.now();
const originPerfMs = performance.now();
/** hrtime's reading at `originPerfMs`, in µs: `monoUs` keeps hrtime's origin, so it compares across restarts. */
const originMonoUs = Number(process.hrtime.bigint() / 1000n);
const originUs = originMs * 1000;

// The millisecond part of the last timestamp, as text: events come thousands a second, most share it.
let cachedMs = -1;
let cachedPrefix = "";

export const systemClock: Clock = {
  nowIso() {
    // Microseconds since the epoch stay below 2^53 until the year 2255: exact as a double.
    const totalUs = originUs + Math.floor((performance.now() - originPerfMs) * 1000);
    const ms = Math.floor(totalUs / 1000);
    if (ms !== cachedMs) {
      cachedMs = ms;
      cachedPrefix = new Date(ms).toISOString().slice(0, 23);
    }
    const us = totalUs - ms * 1000;
    return `${cachedPrefix}${us < 10 ? "00" : us < 100 ? "0" : ""}${us}Z`;
  },
  monoUs: () => originMonoUs + Math.floor((performance.now() - originPerfMs) * 1000),
  nowMs: () => Date.now(),
};
