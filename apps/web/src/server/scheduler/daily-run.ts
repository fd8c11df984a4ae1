import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PrismaClient } from "@fillmore/db";
import type { EngineClient } from "../engine-client";
import { produceJournaledFile } from "../exports/jobs";
import { SOURCES } from "../exports/sources";
import { type ExportResult, writeExport } from "../exports/writers";
import { tradingDay } from "./boundaries";
import { type ChainHead, type DigestKey, HEAD_AT_SQL, signDigest, toChainHead } from "./digest";
import { SCHEDULER_ACTOR, type ScheduledDay, type ScheduledFile, scheduledPaths } from "./scheduled-store";

/**
 * One session boundary's scheduled work: the day's trade report (every account, the trading day that
 * ends at the boundary) exported as CSV and PDF, and the signed digest of the journal's head at the
 * boundary with the public key beside it. Each file is journaled as ExportProduced by `scheduler`
 * before it is put in place; the day's manifest is written last, so a day with a manifest is done
 * and a day interrupted half-way is made again from the start.
 */
export interface DailyRunDeps {
  prisma: PrismaClient;
  engine: Pick<EngineClient, "journalAdminEvent">;
  dir: string;
  key: DigestKey;
  now: () => Date;
}

const REPORT_FORMATS = ["csv", "pdf"] as const;

async function writeBytes(out: Writable, bytes: Buffer, rows: number): Promise<ExportResult> {
  await pipeline(Readable.from([bytes]), out);
  return { rows, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

export async function runBoundary(deps: DailyRunDeps, boundaryMs: number): Promise<ScheduledDay> {
  const { day, from, to } = tradingDay(boundaryMs);
  const paths = scheduledPaths(deps.dir, day);
  await fs.mkdir(paths.dayDir, { recursive: true });
  const files: ScheduledFile[] = [];
  const producedAt = deps.now().toISOString();
  const query = SOURCES.trades.input.parse({ reportType: "daily", dateRange: { from, to } });
  const title = SOURCES.trades.title(query);
  const journaled = (source: string, format: "csv" | "pdf" | "json", fileName: string, filters: Record<string, unknown>) => ({
    engine: deps.engine,
    actor: SCHEDULER_ACTOR,
    exportId: randomUUID(),
    source,
    format,
    fileName,
    filters,
    part: path.join(paths.dayDir, `${fileName}.part`),
    final: path.join(paths.dayDir, fileName),
  });

  for (const format of REPORT_FORMATS) {
    const fileName = `trades-${day}.${format}`;
    const rows = SOURCES.trades.rows({ prisma: deps.prisma, scope: { accountIds: null, assertAccount: () => undefined } }, query);
    const result = await produceJournaledFile({
      ...journaled("trades", format, fileName, query as unknown as Record<string, unknown>),
      write: (out) =>
        writeExport(
          { format, heading: { title, producedBy: SCHEDULER_ACTOR, producedAt, filters: query }, columns: SOURCES.trades.columns, rows },
          out,
        ),
    });
    files.push({ kind: "report", format, fileName, ...result });
  }

  const heads = await deps.prisma.$queryRawUnsafe<{ seq: string; hash: string; ts: string }[]>(HEAD_AT_SQL, to);
  let digest: ChainHead | null = null;
  if (heads[0]) {
    digest = toChainHead(heads[0]);
    const signed = signDigest(deps.key, digest, to, deps.now().toISOString());
    const fileName = `chain-digest-${day}.json`;
    const text = Buffer.from(`${JSON.stringify(signed, null, 2)}\n`, "utf8");
    const result = await produceJournaledFile({
      ...journaled("chain-digest", "json", fileName, { boundary: to, seq: digest.seq, hash: digest.hash, ts: digest.ts }),
      write: (out) => writeBytes(out, text, 1),
    });
    files.push({ kind: "digest", format: "json", fileName, ...result });
    const publicKey = Buffer.from(deps.key.publicKeyPem, "utf8");
    await fs.writeFile(paths.publicKey, publicKey);
    files.push({
      kind: "public-key",
      format: "pem",
      fileName: path.basename(paths.publicKey),
      rows: 0,
      bytes: publicKey.length,
      sha256: createHash("sha256").update(publicKey).digest("hex"),
      journalSeq: null,
    });
  }

  const manifest: ScheduledDay = { day, boundary: to, from, to, generatedAt: deps.now().toISOString(), digest, files };
  await fs.writeFile(`${paths.manifest}.part`, JSON.stringify(manifest, null, 2));
  await fs.rename(`${paths.manifest}.part`, paths.manifest);
  return manifest;
}
