import { constants, PerformanceObserver } from "node:perf_hooks";

export interface GcSeen {
  /** Full (mark-compact) collections that finished in the interval, and their main-thread pauses. */
  full: number;
  full_pause_ms_max: number;
  /** Incremental marking steps on the main thread (a full collection's earlier work). */
  incremental_ms_total: number;
  /** Scavenges of the young generation. */
  scavenges: number;
  scavenge_ms_max: number;
  scavenge_ms_total: number;
}

export interface GcMeter {
  stop(): GcSeen;
}

const round = (v: number) => Number(v.toFixed(2));

/**
 * This process's garbage collections over an interval, from V8's `gc` performance entries. The engine
 * phases run the engine in this process, so a full collection of its heap shows here; the eleventh
 * session found that whether one falls into the measured stretch decides the 1,000/s tail.
 */
export function gcMeter(): GcMeter {
  const seen: GcSeen = { full: 0, full_pause_ms_max: 0, incremental_ms_total: 0, scavenges: 0, scavenge_ms_max: 0, scavenge_ms_total: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        seen.full += 1;
        seen.full_pause_ms_max = Math.max(seen.full_pause_ms_max, entry.duration);
      } else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) {
        seen.incremental_ms_total += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        seen.scavenges += 1;
        seen.scavenge_ms_max = Math.max(seen.scavenge_ms_max, entry.duration);
        seen.scavenge_ms_total += entry.duration;
      }
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    stop() {
      observer.disconnect();
      return {
        full: seen.full,
        full_pause_ms_max: round(seen.full_pause_ms_max),
        incremental_ms_total: round(seen.incremental_ms_total),
        scavenges: seen.scavenges,
        scavenge_ms_max: round(seen.scavenge_ms_max),
        scavenge_ms_total: round(seen.scavenge_ms_total),
      };
    },
  };
}
