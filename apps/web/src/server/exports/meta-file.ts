import fs from "node:fs/promises";
import { metaPath } from "./store";

/** What is kept of an export on disk; `savedAt` says when its writer last wrote it. */
interface Saved {
  id: string;
  status: string;
  error: string | null;
  savedAt?: string;
}

/** A running export whose metadata has not been written for this long lost its writer (a console process stopped). */
export const STALE_RUNNING_MS = 30_000;

const writes = new Map<string, Promise<void>>();

/**
 * Writes an export's metadata, whole (a temporary file renamed over it, so a reader never sees half)
 * and in call order (a late progress write never overwrites the final state). Every console process
 * of the machine reads it: a status poll may reach another process than the one writing the file.
 */
export function saveMeta(meta: Saved): Promise<void> {
  const text = JSON.stringify({ ...meta, savedAt: new Date().toISOString() });
  const target = metaPath(meta.id);
  const next = (writes.get(meta.id) ?? Promise.resolve())
    .then(async () => {
      const temporary = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temporary, text);
      await fs.rename(temporary, target);
    })
    .catch(() => undefined);
  writes.set(meta.id, next);
  void next.then(() => {
    if (writes.get(meta.id) === next) writes.delete(meta.id);
  });
  return next;
}

/** Reads an export's metadata; a running one whose writer went quiet reads as failed, saying why. */
export async function loadMeta<T extends Saved>(id: string, now = Date.now()): Promise<T | null> {
  const meta = await fs
    .readFile(metaPath(id), "utf8")
    .then((text) => JSON.parse(text) as T)
    .catch(() => null);
  if (meta?.status === "running" && now - Date.parse(meta.savedAt ?? "") > STALE_RUNNING_MS)
    return { ...meta, status: "failed", error: "the console process writing it stopped; export again" };
  return meta;
}
