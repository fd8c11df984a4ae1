import type { Clock } from "@fillmore/shared";

const originMs = Date.now();
const originNs = process.hrtime.bigint();

// The millisecond part of the last timestamp, as text: events come thousands a second, most share it.
let cachedMs = -1;
let cachedPrefix = "";

export const systemClock: Clock = {
  nowIso() {
    // Microseconds since the epoch stay below 2^53 until the year 2255: exact as a double.
    const totalUs = originMs * 1000 + Math.floor(Number(process.hrtime.bigint() - originNs) / 1000);
    const ms = Math.floor(totalUs / 1000);
    if (ms !== cachedMs) {
      cachedMs = ms;
      cachedPrefix = new Date(ms).toISOString().slice(0, 23);
    }
    const us = totalUs - ms * 1000;
    return `${cachedPrefix}${us < 10 ? "00" : us < 100 ? "0" : ""}${us}Z`;
  },
  monoUs: () => Number(process.hrtime.bigint() / 1000n),
  nowMs: () => Date.now(),
};
