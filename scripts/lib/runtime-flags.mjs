// V8 flags for Fillmore's node processes, in one place for the launcher (stack.ts) and the benchmarks
// (bench.mjs), so that what is measured is what runs. Why each value: docs/PERFORMANCE.md.
import os from "node:os";

/**
 * The young generation's size ("Seventh session"): 64 MB semi-spaces made fewer promotions but
 * scavenges of 35–165 ms under load; 16 MB keeps each scavenge short.
 */
export const YOUNG_GENERATION_FLAGS = ["--max-semi-space-size=16"];

/** The largest old-space floor accepted (64 GB). */
const MAX_OLD_SPACE_MB = 65_536;

/**
 * The old generation's size below which a service's heap is never fully collected, and the least it
 * is allowed to grow to again after each full collection ("Nineteenth session"). A full collection
 * costs the orders arriving during it up to 200 ms; with V8's own sizing the engine had one every
 * 8–20 s at 1,000 orders/s, the console one every 45 s at 500 requests/s. With this floor one comes
 * each time the old generation has grown by about this much. The default is 1 GB, or a sixteenth of
 * the machine's memory where that is less (each thread of the engine has a heap of its own).
 */
export function defaultOldSpaceMb(totalMemoryBytes = os.totalmem()) {
  return Math.min(1024, Math.floor(totalMemoryBytes / 2 ** 20 / 16));
}

/** A service's floor from `variable` (ENGINE_OLD_SPACE_MB, CONSOLE_OLD_SPACE_MB), checked; 0 leaves the sizing to V8. */
export function oldSpaceMb(variable, env = process.env, totalMemoryBytes = os.totalmem()) {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === "") return defaultOldSpaceMb(totalMemoryBytes);
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_OLD_SPACE_MB)
    throw new Error(
      `${variable} must be a whole number of megabytes from 0 to ${MAX_OLD_SPACE_MB} (0: V8's own sizing); got "${env[variable]}"`,
    );
  return Number(raw);
}

const runtimeFlags = (variable, env, totalMemoryBytes) => {
  const mb = oldSpaceMb(variable, env, totalMemoryBytes);
  return [...YOUNG_GENERATION_FLAGS, ...(mb > 0 ? [`--initial-old-space-size=${mb}`] : [])];
};

/** The flags the engine's process starts with (also the benchmarks', which run the engine in process). */
export function engineRuntimeFlags(env = process.env, totalMemoryBytes = os.totalmem()) {
  return runtimeFlags("ENGINE_OLD_SPACE_MB", env, totalMemoryBytes);
}

/** The flags each console process starts with. */
export function consoleRuntimeFlags(env = process.env, totalMemoryBytes = os.totalmem()) {
  return runtimeFlags("CONSOLE_OLD_SPACE_MB", env, totalMemoryBytes);
}
