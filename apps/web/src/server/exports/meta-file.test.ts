import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMeta, STALE_RUNNING_MS, saveMeta } from "./meta-file";
import { EXPORT_DIR, metaPath } from "./store";

// An export's metadata on disk is what every console process reads: a status poll may reach another
// process than the one writing the export.

const ids: string[] = [];
const meta = (status: string, rows: number) => ({ id: ids[0] as string, status, rows, error: null });

beforeAll(async () => {
  ids.push(randomUUID());
  await fs.mkdir(EXPORT_DIR, { recursive: true });
});
afterAll(async () => {
  for (const id of ids) await fs.rm(metaPath(id), { force: true });
});

describe("export metadata on disk", () => {
  it("is written in call order: progress written just before the end never overwrites the final state", async () => {
    const writes = [];
    for (let rows = 1; rows <= 50; rows++) writes.push(saveMeta(meta("running", rows)));
    writes.push(saveMeta(meta("done", 50)));
    await Promise.all(writes);
    expect(await loadMeta(ids[0] as string)).toMatchObject({ status: "done", rows: 50 });
    // Written whole: no temporary file left beside it.
    expect((await fs.readdir(EXPORT_DIR)).filter((n) => n.startsWith(`meta-${ids[0]}`))).toEqual([`meta-${ids[0]}.json`]);
  });

  it("a running export is running to every reader while its writer writes; failed, saying why, once the writer went quiet", async () => {
    await saveMeta(meta("running", 7));
    expect(await loadMeta(ids[0] as string)).toMatchObject({ status: "running", rows: 7, error: null });
    const later = Date.now() + STALE_RUNNING_MS + 1000;
    expect(await loadMeta(ids[0] as string, later)).toMatchObject({ status: "failed", rows: 7, error: /stopped/ });
    expect(await loadMeta(randomUUID())).toBeNull();
  });
});
