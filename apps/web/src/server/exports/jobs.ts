import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import type { PrismaClient } from "@fillmore/db";
import { can, type Permission } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import type { AccountScope } from "../scope";
import { actorOf } from "../trpc";
import { exportInChild } from "./export-process";
import { loadMeta, saveMeta } from "./meta-file";
import { EXPORT_SOURCES, type ExportSource, type Prepared, SOURCES, type SourceContext } from "./sources";
import { EXPORT_DIR, filePath, KEEP_MS, META_PREFIX } from "./store";
import { CONTENT_TYPES, type ExportFormat, type ExportResult, writeExport, writeText } from "./writers";

/**
 * Export jobs: a file is written in the background (streaming, bounded memory) while the console
 * polls its progress; when complete, the export is journaled (ExportProduced: who, source, filters,
 * rows, bytes, SHA-256) and only then downloadable, by the principal who asked for it. An export
 * whose event could not be journaled is deleted: no file leaves without its audit record.
 */
export const SOURCE_PERMISSION: Record<ExportSource, Permission> = {
  trades: "audit:read",
  audit: "audit:read",
  orders: "orders:read",
  order: "audit:read",
  asOf: "audit:read",
  blotter: "orders:read",
  quality: "risk:read",
};

export type ExportStatus = "running" | "done" | "failed";

export interface ExportMeta {
  id: string;
  owner: string;
  source: ExportSource;
  format: ExportFormat;
  fileName: string;
  contentType: string;
  filters: Record<string, unknown>;
  status: ExportStatus;
  rows: number;
  /** The rows the export will hold when known before writing (a count with the same filters), else null. */
  total: number | null;
  bytes: number | null;
  sha256: string | null;
  /** The journal seq of its ExportProduced event. */
  journalSeq: number | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ExportContext {
  prisma: PrismaClient;
  engine: Pick<EngineClient, "journalAdminEvent" | "orderFixMessages" | "bookAsOf">;
  principal: Principal;
  scope: AccountScope;
}

/** Exports running in this process, for progress; finished ones are read from their metadata file. */
const running = new Map<string, ExportMeta>();
/** Exports one principal may have being written at once (per console process): a large export is CPU and disk work. */
export const MAX_RUNNING = 3;

function stamp(iso: string): string {
  return iso.replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

async function sweep(): Promise<void> {
  const names = await fs.readdir(EXPORT_DIR).catch(() => [] as string[]);
  const now = Date.now();
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(EXPORT_DIR, name);
      const stat = await fs.stat(file).catch(() => null);
      // Files only: scheduled reports are kept in their own directory (scheduled/), not swept.
      if (stat?.isFile() && now - stat.mtimeMs > KEEP_MS) await fs.rm(file, { force: true });
    }),
  );
}

/** Validates and starts an export; resolves with its id at once, the file follows in the background. */
export async function startExport(
  ctx: ExportContext,
  request: { source: ExportSource; format: ExportFormat; input: unknown },
  options: { onDone?: (meta: ExportMeta) => void } = {},
): Promise<ExportMeta> {
  const { source, format } = request;
  if (!EXPORT_SOURCES.includes(source)) throw new TRPCError({ code: "BAD_REQUEST", message: `source: unknown export ${source}` });
  const permission = SOURCE_PERMISSION[source];
  if (!can(ctx.principal.role, permission))
    throw new TRPCError({ code: "FORBIDDEN", message: `role ${ctx.principal.role} lacks permission ${permission}` });
  const spec = SOURCES[source];
  const parsed = spec.input.safeParse(request.input ?? {});
  if (!parsed.success)
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: parsed.error.issues.map((i) => `input.${i.path.join(".")}: ${i.message}`).join("; "),
    });
  const input = parsed.data as z.output<typeof spec.input>;
  const formats = "formats" in spec ? spec.formats : undefined;
  if (formats && !formats.includes(format))
    throw new TRPCError({ code: "BAD_REQUEST", message: `format: a ${source} export is ${formats.join(" or ")}` });
  // Runs the source's scope checks now (a bound key naming another account is refused, not exported empty).
  const prepared = await prepare(spec as SourceSpec, { prisma: ctx.prisma, scope: ctx.scope, engine: ctx.engine }, input);

  await fs.mkdir(EXPORT_DIR, { recursive: true });
  // Counted and claimed with no await between, so concurrent starts cannot all pass.
  const owner = actorOf(ctx.principal);
  if ([...running.values()].filter((m) => m.owner === owner).length >= MAX_RUNNING)
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `${MAX_RUNNING} of your exports are being written; try again when one is done`,
    });
  void sweep();
  const startedAt = new Date().toISOString();
  const id = randomUUID();
  const meta: ExportMeta = {
    id,
    owner,
    source,
    format,
    fileName: `${source}-${stamp(startedAt)}.${format}`,
    contentType: CONTENT_TYPES[format],
    filters: input as Record<string, unknown>,
    status: "running",
    rows: 0,
    total: prepared.total,
    bytes: null,
    sha256: null,
    journalSeq: null,
    error: null,
    startedAt,
    finishedAt: null,
  };
  running.set(id, meta);
  await saveMeta(meta);
  const title = (spec.title as (i: unknown) => string)(input);
  void run(ctx, meta, title, prepared).then(() => options.onDone?.(meta));
  return { ...meta };
}

type SourceSpec = {
  rows: (ctx: SourceContext, input: unknown) => AsyncIterable<unknown>;
  prepare?: (ctx: SourceContext, input: unknown) => Promise<Prepared<unknown>>;
};

/** The source's rows (its scope checks run here), and their count when the source knows it cheaply. */
function prepare(spec: SourceSpec, ctx: SourceContext, input: unknown): Promise<Prepared<unknown>> {
  if (spec.prepare) return spec.prepare(ctx, input);
  return Promise.resolve({ rows: spec.rows(ctx, input), total: null });
}

/**
 * Where trade report exports are written: in their own process (export-process.ts) reading the
 * console's database, DATABASE_URL; without it (a test's console), in this process.
 */
function tradeExportDatabase(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

async function run(ctx: ExportContext, meta: ExportMeta, title: string, { rows, total, text }: Prepared<unknown>): Promise<void> {
  const heading = { title, producedBy: meta.owner, producedAt: meta.startedAt, filters: meta.filters };
  // Progress on disk too, at most every second: another console process may answer the status poll.
  let savedAt = Date.now();
  const onRow = (n: number) => {
    meta.rows = n;
    if (Date.now() - savedAt >= 1000) {
      savedAt = Date.now();
      void saveMeta(meta);
    }
  };
  const databaseUrl = meta.source === "trades" ? tradeExportDatabase() : undefined;
  let outcome: Partial<ExportMeta>;
  try {
    const result = await produceJournaledFile({
      engine: ctx.engine,
      actor: meta.owner,
      exportId: meta.id,
      source: meta.source,
      format: meta.format,
      fileName: meta.fileName,
      filters: meta.filters,
      part: filePath(meta.id, "part"),
      final: filePath(meta.id, meta.format),
      write: databaseUrl
        ? {
            file: (part) =>
              exportInChild(
                { databaseUrl, format: meta.format, input: meta.filters, heading, accountIds: ctx.scope.accountIds, file: part },
                { onRow },
              ),
          }
        : text
          ? (out) => writeText(text(meta.format, heading), total ?? 0, out)
          : (out) => writeExport({ format: meta.format, heading, columns: SOURCES[meta.source].columns as never, rows, onRow }, out),
    });
    outcome = { ...result, status: "done", finishedAt: new Date().toISOString() };
  } catch (error) {
    outcome = { status: "failed", error: error instanceof Error ? error.message : String(error), finishedAt: new Date().toISOString() };
  }
  // On disk first, then here: this process never reports an outcome another console process cannot read yet.
  await saveMeta({ ...meta, ...outcome });
  Object.assign(meta, outcome);
  running.delete(meta.id);
}

export interface JournaledFile {
  engine: Pick<EngineClient, "journalAdminEvent">;
  /** Who the ExportProduced event names (a principal, or "scheduler"). */
  actor: string;
  exportId: string;
  source: string;
  format: ExportFormat | "json";
  fileName: string;
  filters: Record<string, unknown>;
  /** Written first, renamed to `final` only once the event is journaled. */
  part: string;
  final: string;
  /** Writes the file: into a stream to `part`, or ({file}) to the path `part` itself, from another process. */
  write: ((out: Writable) => Promise<ExportResult>) | { file: (path: string) => Promise<ExportResult> };
}

/**
 * Writes a file, journals its ExportProduced event (who, what, filters, rows, bytes, SHA-256 of exactly
 * the bytes written) and only then puts it in place. If anything fails, the partial file is deleted
 * and the error thrown: no file is kept without its audit record. Used by on-demand exports and the
 * scheduler's daily reports and digests.
 */
export async function produceJournaledFile(f: JournaledFile): Promise<ExportResult & { journalSeq: number }> {
  try {
    const result = await (typeof f.write === "function" ? f.write(createWriteStream(f.part)) : f.write.file(f.part));
    const journaled = await f.engine.journalAdminEvent({
      type: "ExportProduced",
      actor: f.actor,
      accountId: null,
      data: {
        exportId: f.exportId,
        source: f.source,
        format: f.format,
        fileName: f.fileName,
        filters: f.filters,
        rows: result.rows,
        bytes: result.bytes,
        sha256: result.sha256,
      },
    });
    await fs.rename(f.part, f.final);
    return { ...result, journalSeq: journaled.seq };
  } catch (error) {
    await fs.rm(f.part, { force: true });
    throw error;
  }
}

/** An export's state, for the principal who asked for it only (anyone else: NOT_FOUND, like an unknown id). */
export async function exportStatus(principal: Principal, id: string): Promise<ExportMeta> {
  const meta = running.get(id) ?? (await loadMeta<ExportMeta>(id));
  if (!meta || meta.owner !== actorOf(principal)) throw new TRPCError({ code: "NOT_FOUND", message: `no export ${id}` });
  return { ...meta };
}

/** An export in its owner's list: its state, and whether its file is still kept (downloadable). */
export interface RecentExport extends ExportMeta {
  downloadable: boolean;
}

/**
 * The caller's own exports, newest first: those being written in this process and every finished one
 * whose metadata is still in the export store (kept 24 hours; any console process of this machine).
 * Scheduled reports (the scheduler's, in scheduled/) are listed by reports.scheduled.list instead.
 */
export async function recentExports(principal: Principal, limit: number): Promise<RecentExport[]> {
  const owner = actorOf(principal);
  const names = await fs.readdir(EXPORT_DIR).catch(() => [] as string[]);
  const stored = await Promise.all(
    names
      .filter((name) => name.startsWith(META_PREFIX) && name.endsWith(".json"))
      .map((name) => loadMeta<ExportMeta>(name.slice(META_PREFIX.length, -".json".length))),
  );
  const mine = [
    ...[...running.values()].filter((m) => m.owner === owner),
    ...stored.filter((m): m is ExportMeta => m !== null && m.owner === owner && !running.has(m.id)),
  ]
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id))
    .slice(0, limit);
  return Promise.all(
    mine.map(async (m) => ({
      ...m,
      downloadable:
        m.status === "done" &&
        (await fs
          .stat(filePath(m.id, m.format))
          .then(() => true)
          .catch(() => false)),
    })),
  );
}
