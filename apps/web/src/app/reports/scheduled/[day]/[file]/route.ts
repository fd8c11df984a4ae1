import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { SCHEDULED_DIR, scheduledFile } from "../../../../../server/scheduler/scheduled-store";

// Downloads a scheduled report, digest or the digest's public key. Who may is decided by the console's
// own API: the caller's cookie or API key is forwarded to reports.scheduled.list on this server
// (session, permission and bound-key checks live there); only a file named in a finished day's
// manifest is streamed, with its SHA-256 (the one journaled) in X-Content-SHA256.

export const dynamic = "force-dynamic";

const CONTENT_TYPES: Record<string, string> = {
  csv: "text/csv; charset=utf-8",
  pdf: "application/pdf",
  json: "application/json",
  pem: "application/x-pem-file",
};

function refuse(status: number, message: string): Response {
  return Response.json({ error: { message } }, { status, headers: { "cache-control": "no-store" } });
}

export async function GET(request: Request, { params }: { params: Promise<{ day: string; file: string }> }): Promise<Response> {
  const { day, file: fileName } = await params;
  const headers: Record<string, string> = {};
  for (const name of ["cookie", "authorization"]) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  const answer = await fetch(new URL("/api/trpc/reports.scheduled.list", request.url), { headers, cache: "no-store" });
  if (!answer.ok) {
    const body = (await answer.json().catch(() => null)) as { error?: { message?: string } } | null;
    return refuse(answer.status, body?.error?.message ?? "scheduled reports unavailable");
  }
  const found = await scheduledFile(SCHEDULED_DIR, day, fileName);
  if (!found) return refuse(404, `no scheduled file ${day.slice(0, 10)}/${fileName.slice(0, 64)}`);
  const stream = createReadStream(/*turbopackIgnore: true*/ found.file);
  const opened = await new Promise<boolean>((resolve) => {
    stream.once("open", () => resolve(true));
    stream.once("error", () => resolve(false));
  });
  if (!opened) return refuse(410, `${fileName} is no longer kept`);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "content-type": CONTENT_TYPES[found.meta.format] ?? "application/octet-stream",
      "content-disposition": `attachment; filename="${found.meta.fileName}"`,
      "content-length": String(found.meta.bytes),
      "x-content-sha256": found.meta.sha256,
      "cache-control": "no-store",
    },
  });
}
