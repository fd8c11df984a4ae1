import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "../../server/routers/root";
import { downloadUrl } from "./quality-csv";
import type { ShownData } from "./quality-sections";

/** What the server needs to compute the page's figures again (exports/quality-document.ts). */
export function qualityExportRequest(d: ShownData) {
  return { filter: d.filter, selection: d.selection, groupBy: d.grouped?.groupBy ?? "venue", percentile: d.percentile };
}

/**
 * The page's CSV, through the journaled export path: the server computes the same sections for the same
 * filter, writes the file, journals ExportProduced (who, filters, rows, SHA-256), then the browser
 * downloads it (GET /reports/exports/<id>). It is listed in the Reports page's Recent exports.
 */
export async function qualityExport(d: ShownData): Promise<void> {
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: "/api/trpc" })] });
  try {
    let meta = await client.reports.exportStart.mutate({ source: "quality", format: "csv", input: qualityExportRequest(d) });
    while (meta.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, 250));
      meta = await client.reports.exportStatus.query({ id: meta.id });
    }
    if (meta.status === "failed") throw new Error(meta.error ?? "the export failed");
    downloadUrl(meta.fileName, `/reports/exports/${meta.id}`);
  } catch (error) {
    window.alert(`Quality export failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
