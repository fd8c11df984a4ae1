import type { Clock } from "@fillmore/shared";

const originMs = Date.now();
const originNs = process.hrtime.bigint();

export const systemClock: Clock = {
  nowIso() {
    const elapsedNs = process.hrtime.bigint() - originNs;
    const totalUs = BigInt(originMs) * 1000n + elapsedNs / 1000n;
    const ms = Number(totalUs / 1000n);
    const us = Number(totalUs % 1000n);
    return `${new Date(ms).toISOString().slice(0, 23)}${String(us).padStart(3, "0")}Z`;
  },
  monoUs: () => Number(process.hrtime.bigint() / 1000n),
  nowMs: () => Date.now(),
};
