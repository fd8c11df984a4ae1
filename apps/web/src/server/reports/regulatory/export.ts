import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import type { EngineClient } from "../../engine-client";
import type { ExportMeta } from "../../exports/jobs";
import { EXPORT_DIR, filePath, metaPath } from "../../exports/store";
import type { RegulatoryFile } from "./build";

// A regulatory file made downloadable through the console's export machinery: written into the export
// store, journaled as ExportProduced (who, which report and period, SHA-256 of exactly these bytes)
// and only then given its metadata, so reports.exportStatus and GET /reports/exports/<id> serve it
// like any export (owner only, X-Content-SHA256). The files are small (one month, quarter or day of
// a firm's orders), so they are written at once rather than as a background job.

export interface RegulatoryExport {
  id: string;
  fileName: string;
  bytes: number;
  sha256: string;
  journalSeq: number;
  rows: number;
}

export async function exportRegulatoryFile(
  engine: Pick<EngineClient, "journalAdminEvent">,
  owner: string,
  file: RegulatoryFile,
  filters: Record<string, unknown>,
): Promise<RegulatoryExport> {
  await fs.mkdir(EXPORT_DIR, { recursive: true });
  const id = randomUUID();
  const startedAt = new Date().toISOString();
  const sha256 = createHash("sha256").update(file.content).digest("hex");
  const part = filePath(id, "part");
  await fs.writeFile(part, file.content);
  try {
    const journaled = await engine.journalAdminEvent({
      type: "ExportProduced",
      actor: owner,
      accountId: null,
      data: {
        exportId: id,
        source: `regulatory:${file.kind}`,
        format: file.format,
        fileName: file.fileName,
        filters,
        rows: file.rows,
        bytes: file.content.length,
        sha256,
      },
    });
    await fs.rename(part, filePath(id, file.format));
    // The export store's metadata (exports/jobs.ts ExportMeta); source and format name a regulatory file.
    const meta = {
      id,
      owner,
      source: `regulatory:${file.kind}`,
      format: file.format,
      fileName: file.fileName,
      contentType: file.contentType,
      filters,
      status: "done",
      rows: file.rows,
      bytes: file.content.length,
      sha256,
      journalSeq: journaled.seq,
      error: null,
      startedAt,
      finishedAt: new Date().toISOString(),
    } as unknown as ExportMeta;
    await fs.writeFile(metaPath(id), JSON.stringify(meta));
    return { id, fileName: file.fileName, bytes: file.content.length, sha256, journalSeq: journaled.seq, rows: file.rows };
  } catch (error) {
    await fs.rm(part, { force: true });
    throw error;
  }
}
