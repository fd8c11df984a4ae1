import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { VenueHealthView } from "@fillmore/shared";
import type { EngineConfig } from "../config";
import type { JournalStats } from "../journal/journal";
import { defaultCheckpointFile } from "../journal/keys";

/** The engine's version, as journaled in EngineStarted. */
export const ENGINE_VERSION = "0.1.0";
const STARTED_AT = new Date(Date.now() - process.uptime() * 1000).toISOString();

/**
 * GET /health (docs/OPERATIONS.md, "Health"): 200 while `status` is "ok" (the journal commits and
 * trading is not blocked by it), else 503. The rest is for monitors and the console's System page.
 */
// A type, not an interface: ApiDeps.health takes an object with an index signature.
export type EngineHealth = {
  status: "ok" | "degraded";
  version: string;
  pid: number;
  startedAt: string;
  uptimeS: number;
  /** lag: events appended but not yet committed. */
  journal: JournalStats & { lag: number };
  lastCheckpoint: { seq: number; ts: string } | null;
  liveOrders: number;
  venues: { venueId: string; state: string; connected: boolean }[];
};

export interface HealthSources {
  journal: () => JournalStats;
  liveOrders: () => number;
  venues: () => VenueHealthView[];
  config: Pick<EngineConfig, "JOURNAL_KEY_FILE" | "JOURNAL_CHECKPOINT_FILE">;
}

export function healthOf(sources: HealthSources): () => EngineHealth {
  const checkpointFile =
    sources.config.JOURNAL_CHECKPOINT_FILE ??
    (sources.config.JOURNAL_KEY_FILE ? defaultCheckpointFile(sources.config.JOURNAL_KEY_FILE) : undefined);
  const lastCheckpoint = checkpointFile ? lastCheckpointReader(checkpointFile) : () => null;
  return () => {
    const stats = sources.journal();
    return {
      status: stats.healthy ? "ok" : "degraded",
      version: ENGINE_VERSION,
      pid: process.pid,
      startedAt: STARTED_AT,
      uptimeS: Math.round(process.uptime()),
      journal: { ...stats, lag: stats.lastSeq - stats.committedSeq },
      lastCheckpoint: lastCheckpoint(),
      liveOrders: sources.liveOrders(),
      venues: sources.venues().map((v) => ({ venueId: v.venueId, state: v.state, connected: v.connected })),
    };
  };
}

/** The newest signed checkpoint's seq and time: the file's last line, re-read only when the file changed. */
export function lastCheckpointReader(file: string): () => { seq: number; ts: string } | null {
  let seen: { mtimeMs: number; size: number; value: { seq: number; ts: string } | null } | undefined;
  return () => {
    let stat: { mtimeMs: number; size: number };
    try {
      stat = statSync(file);
    } catch {
      return null;
    }
    if (seen && seen.mtimeMs === stat.mtimeMs && seen.size === stat.size) return seen.value;
    seen = { mtimeMs: stat.mtimeMs, size: stat.size, value: parseLastLine(readTail(file, stat.size)) };
    return seen.value;
  };
}

function readTail(file: string, size: number): string {
  const length = Math.min(size, 4096);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8");
}

function parseLastLine(text: string): { seq: number; ts: string } | null {
  const line = text.trimEnd().split("\n").pop();
  if (!line) return null;
  try {
    const parsed = JSON.parse(line) as { seq?: unknown; ts?: unknown };
    return typeof parsed.seq === "number" && typeof parsed.ts === "string" ? { seq: parsed.seq, ts: parsed.ts } : null;
  } catch {
    return null;
  }
}
