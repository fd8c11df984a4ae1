import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ExportMeta } from "../../../../server/exports/jobs";
import { EXPORT_ID, filePath } from "../../../../server/exports/store";

// Downloads a finished export. Who may is decided by the console's own API: the caller's cookie or API
// key is forwarded to reports.exportStatus on this server (session, permission and owner checks live
// there), and only an export it reports as done, journaled, is streamed from disk.

export const dynamic = "force-dynamic";

function refuse(status: number, message: string): Response {
  return Response.json({ error: { message } }, { status, headers: { "cache-control": "no-store" } });
}

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  if (!EXPORT_ID.test(id)) return refuse(404, `no export ${id.slice(0, 64)}`);
  const headers: Record<string, string> = {};
  for (const name of ["cookie", "authorization"]) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  const statusUrl = new URL(`/api/trpc/reports.exportStatus?input=${encodeURIComponent(JSON.stringify({ id }))}`, request.url);
  const answer = await fetch(statusUrl, { headers, cache: "no-store" });
  const body = (await answer.json().catch(() => null)) as { result?: { data?: ExportMeta }; error?: { message?: string } } | null;
  const meta = body?.result?.data;
  if (!answer.ok || !meta) return refuse(answer.status === 200 ? 500 : answer.status, body?.error?.message ?? "export unavailable");
  if (meta.status !== "done" || !meta.sha256) return refuse(409, `export ${id} is ${meta.status}`);
  const file = createReadStream(filePath(meta.id, meta.format));
  const opened = await new Promise<boolean>((resolve) => {
    file.once("open", () => resolve(true));
    file.once("error", () => resolve(false));
  });
  if (!opened) return refuse(410, `export ${id} is no longer kept`);
  return new Response(Readable.toWeb(file) as ReadableStream, {
    headers: {
      "content-type": meta.contentType,
      "content-disposition": `attachment; filename="${meta.fileName}"`,
      ...(meta.bytes !== null ? { "content-length": String(meta.bytes) } : {}),
      "x-content-sha256": meta.sha256,
      "cache-control": "no-store",
    },
  });
}
