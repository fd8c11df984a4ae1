import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertFill, insertOrder } from "../reports/test-fills";
import { type ExportJob, type ExportProcessStats, exportInChild } from "./export-process";

// The trade report export in its own process: the file it writes, its progress, its failures.

let prisma: PrismaClient;
let url: string;
let cleanup: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  url = db.url;
  prisma = createPrisma(db.url);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "export-process-"));
  await insertOrder(prisma, { id: "O1", clOrdId: "@SUM(A1)", accountId: "ACC-ALPHA", strategy: "S1", symbol: "AAPL", side: "Buy" });
  await insertOrder(prisma, { id: "O2", clOrdId: "C2", accountId: "ACC-ALPHA", strategy: "S1", symbol: "AAPL", side: "Sell" });
  await insertOrder(prisma, { id: "O3", clOrdId: "C3", accountId: "ACC-BETA", strategy: "S1", symbol: "AAPL", side: "Buy" });
  // 12,000 fills: more than two pages of 5,000, so progress is reported on the way.
  for (let i = 0; i < 12; i++)
    await prisma.$executeRawUnsafe(
      `INSERT INTO fill (exec_id, order_id, venue_id, last_qty, last_px, ts, account_id, strategy, symbol, side, fees, currency, liquidity, seq)
       SELECT 'E' || s, 'O3', 'SIM-FAST', 1, 100, timestamptz '2026-03-02T10:00:00Z' + s * interval '1 millisecond', 'ACC-BETA', 'S1', 'AAPL',
         'Buy', 0, 'USD', 'taker', 1000 + s
       FROM generate_series($1::int, $2::int) s`,
      i * 1000,
      i * 1000 + 999,
    );
  await insertFill(prisma, { seq: 1, orderId: "O1", side: "Buy", qty: "100", px: "10", ts: "2026-03-02T14:00:00Z" });
  await insertFill(prisma, { seq: 2, orderId: "O2", side: "Sell", qty: "40", px: "10.5", ts: "2026-03-02T15:00:00Z" });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const heading = { title: "Trade report", producedBy: "user:c@x.test", producedAt: "2026-03-03T00:00:00.000Z", filters: {} };
const job = (over: Partial<ExportJob>): ExportJob => ({
  databaseUrl: url,
  format: "csv",
  input: { reportType: "daily", asOf: "2026-03-02" },
  heading,
  accountIds: null,
  file: path.join(dir, "out"),
  ...over,
});

describe("export process", () => {
  it("writes the trade report CSV with realized P&L, neutralised cells and the file's SHA-256; reports progress", async () => {
    const file = path.join(dir, "a.csv");
    const progress: number[] = [];
    let stats: ExportProcessStats | undefined;
    const result = await exportInChild(job({ file }), { onRow: (n) => progress.push(n), onStats: (s) => (stats = s) });
    const bytes = await fs.readFile(file);
    expect(result).toEqual({ rows: 12_002, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(stats?.peakRssMb).toBeGreaterThanOrEqual(stats?.startRssMb ?? Number.POSITIVE_INFINITY);
    const lines = bytes.toString("utf8").trim().split("\r\n");
    expect(lines).toHaveLength(12_003);
    expect(lines.find((l) => l.startsWith("1,"))).toContain(",'@SUM(A1),");
    expect(
      lines
        .find((l) => l.startsWith("2,"))
        ?.split(",")
        .at(-1),
    ).toBe("20"); // (10.5 − 10) · 40
  });

  it("keeps a bound key to its accounts, and writes XLSX that opens again", async () => {
    const file = path.join(dir, "b.xlsx");
    const result = await exportInChild(job({ file, format: "xlsx", accountIds: ["ACC-ALPHA"] }));
    expect(result.rows).toBe(2);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await fs.readFile(file)) as unknown as ArrayBuffer);
    expect(book.worksheets[0]?.getColumn(3).values.slice(2)).toEqual(["SIM-FAST:E1", "SIM-FAST:E2"]);
  });

  it("fails with the database's error, not a hang, when it cannot read", async () => {
    await expect(exportInChild(job({ databaseUrl: "postgres://nobody@127.0.0.1:1/none" }))).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it("refuses a bad query (validated again in the process)", async () => {
    await expect(exportInChild(job({ input: { reportType: "hourly" } }))).rejects.toThrow(/reportType/);
  });
});
