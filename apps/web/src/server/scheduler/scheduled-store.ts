import fs from "node:fs/promises";
import path from "node:path";
import { EXPORT_DIR } from "../exports/store";
import type { ChainHead } from "./digest";

/**
 * Where scheduled reports are kept: one directory per trading day under the exports directory
 * (`<exports>/scheduled/<YYYY-MM-DD>/`), with the day's files and its manifest.json, written last.
 * Kept until an operator removes them (the 24-hour sweep of on-demand exports leaves them alone).
 */
export const SCHEDULER_ACTOR = "scheduler";
export const SCHEDULED_DIR = path.join(EXPORT_DIR, "scheduled");

export interface ScheduledFile {
  kind: "report" | "digest" | "public-key";
  format: "csv" | "pdf" | "json" | "pem";
  fileName: string;
  rows: number;
  bytes: number;
  sha256: string;
  /** The seq of its ExportProduced event (the public key is not journaled: it is the key's, not the day's). */
  journalSeq: number | null;
}

export interface ScheduledDay {
  day: string;
  /** The session boundary that closed the day (UTC). */
  boundary: string;
  from: string;
  to: string;
  generatedAt: string;
  /** The journal head the digest signs; null when the journal was empty at the boundary. */
  digest: ChainHead | null;
  files: ScheduledFile[];
}

export const DAY_NAME = /^\d{4}-\d{2}-\d{2}$/;
/** The names a scheduled day's files may have: nothing else in the directory is ever served. */
export const SCHEDULED_FILE_NAME = /^(trades-\d{4}-\d{2}-\d{2}\.(csv|pdf)|chain-digest-\d{4}-\d{2}-\d{2}\.json|digest-public-key\.pem)$/;

export function scheduledPaths(dir: string, day: string) {
  const dayDir = path.join(dir, day);
  return {
    dayDir,
    manifest: path.join(dayDir, "manifest.json"),
    publicKey: path.join(dayDir, "digest-public-key.pem"),
    lock: path.join(dir, `${day}.lock`),
  };
}

/** A day's manifest, or null when the day is not finished (or its manifest is unreadable). */
async function readManifest(dir: string, day: string): Promise<ScheduledDay | null> {
  const text = await fs.readFile(/*turbopackIgnore: true*/ scheduledPaths(dir, day).manifest, "utf8").catch(() => null);
  try {
    return text === null ? null : (JSON.parse(text) as ScheduledDay);
  } catch {
    return null;
  }
}

/** Every finished day (those with a manifest), newest first. */
export async function listScheduled(dir: string, limit = 400): Promise<ScheduledDay[]> {
  const names = (await fs.readdir(dir).catch(() => [] as string[]))
    .filter((n) => DAY_NAME.test(n))
    .sort()
    .reverse();
  const days: ScheduledDay[] = [];
  for (const name of names) {
    if (days.length >= limit) break;
    const day = await readManifest(dir, name);
    if (day) days.push(day);
  }
  return days;
}

/** The newest boundary done, as epoch ms, or null. */
export async function lastDoneBoundary(dir: string): Promise<number | null> {
  const [newest] = await listScheduled(dir, 1);
  return newest ? Date.parse(newest.boundary) : null;
}

/** A day's file, if it is one of the names scheduled work writes and the day is done. */
export async function scheduledFile(dir: string, day: string, fileName: string): Promise<{ file: string; meta: ScheduledFile } | null> {
  if (!DAY_NAME.test(day) || !SCHEDULED_FILE_NAME.test(fileName)) return null;
  const meta = (await readManifest(dir, day))?.files.find((f) => f.fileName === fileName);
  return meta ? { file: path.join(scheduledPaths(dir, day).dayDir, fileName), meta } : null;
}
