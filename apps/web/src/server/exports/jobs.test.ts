import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { insertFill, insertOrder } from "../reports/test-fills";
import { appRouter } from "../routers/root";
import type { ExportMeta } from "./jobs";
import { loadMeta } from "./meta-file";
import { filePath } from "./store";

// Export jobs end to end against Postgres: the file is written, hashed and journaled (the engine's
// POST /v1/audit/events, faked here and tested in apps/engine/src/audit), downloadable only then and
// only by its owner.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const journaled: { type: string; actor: string; data: Record<string, unknown> }[] = [];
let refuse = false;
const engine = {
  async journalAdminEvent(event: { type: string; actor: string; data: Record<string, unknown> }) {
    if (refuse) throw new Error("engine unavailable");
    journaled.push(event);
    return { seq: 1000 + journaled.length, ts: new Date().toISOString(), type: event.type };
  },
} as unknown as EngineClient;
const person = (role: Principal["role"], email = `${role}@x.test`): Principal => ({
  kind: "user",
  id: `u-${role}`,
  email,
  name: role,
  role,
});
const caller = (principal: Principal) => appRouter.createCaller({ principal, engine, prisma });

async function finished(principal: Principal, id: string): Promise<ExportMeta> {
  for (let i = 0; i < 200; i++) {
    const meta = await caller(principal).reports.exportStatus({ id });
    if (meta.status !== "running") return meta;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("export did not finish");
}

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  // As in the console: trade report exports run in their own process (export-process.ts) on this database.
  process.env.DATABASE_URL = db.url;
  await insertOrder(prisma, {
    id: "O1",
    clOrdId: "=cmd|' /C calc'!A0",
    accountId: "ACC-ALPHA",
    strategy: "S1",
    symbol: "AAPL",
    side: "Buy",
  });
  await insertOrder(prisma, { id: "O2", clOrdId: "C2", accountId: "ACC-ALPHA", strategy: "S1", symbol: "AAPL", side: "Sell" });
  await insertFill(prisma, { seq: 1, orderId: "O1", side: "Buy", qty: "100", px: "10", ts: "2026-03-02T14:00:00Z" });
  await insertFill(prisma, { seq: 2, orderId: "O2", side: "Sell", qty: "40", px: "10.5", ts: "2026-03-02T15:00:00Z" });
});

afterAll(async () => {
  delete process.env.DATABASE_URL;
  await prisma?.$disconnect();
  await cleanup?.();
});

const tradesInput = { reportType: "daily", asOf: "2026-03-02", filters: { symbol: "AAPL" } };

describe("exports", () => {
  it("a trade report CSV: written, hashed, journaled with who, filters, rows and SHA-256, then done", async () => {
    const compliance = person("compliance");
    const started = await caller(compliance).reports.exportStart({ source: "trades", format: "csv", input: tradesInput });
    expect(started).toMatchObject({ status: "running", owner: "user:compliance@x.test", format: "csv" });
    // Already on disk, where another console process answering the status poll reads it.
    expect(await loadMeta(started.id)).toMatchObject({ id: started.id, owner: "user:compliance@x.test" });
    const meta = await finished(compliance, started.id);
    expect(await loadMeta(started.id)).toMatchObject({ status: "done", sha256: meta.sha256 });
    expect(meta).toMatchObject({ status: "done", rows: 2, journalSeq: expect.any(Number) });
    const file = await fs.readFile(filePath(meta.id, "csv"));
    expect(meta.sha256).toBe(createHash("sha256").update(file).digest("hex"));
    const lines = file.toString("utf8").trim().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain("'=cmd|' /C calc'!A0"); // the clOrdId a spreadsheet would have run
    expect(lines[2]?.split(",").at(-1)).toBe("20"); // realized (10.5 − 10) · 40
    expect(journaled.at(-1)).toEqual({
      type: "ExportProduced",
      actor: "user:compliance@x.test",
      accountId: null,
      data: {
        exportId: meta.id,
        source: "trades",
        format: "csv",
        fileName: meta.fileName,
        filters: { reportType: "daily", asOf: "2026-03-02", filters: { symbol: "AAPL" } },
        rows: 2,
        bytes: file.length,
        sha256: meta.sha256,
      },
    });
  });

  it("an order history XLSX opens again with the orders", async () => {
    const admin = person("admin");
    const started = await caller(admin).reports.exportStart({ source: "orders", format: "xlsx", input: { sort: "createdAt", dir: "asc" } });
    const meta = await finished(admin, started.id);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await fs.readFile(filePath(meta.id, "xlsx"))) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet("Order history");
    expect(sheet?.getColumn(1).values.slice(2)).toEqual(["O1", "O2"]);
  });

  it("a JSON export's file is the export, not its metadata (both were <id>.json until 30 Nov)", async () => {
    const compliance = person("compliance");
    const started = await caller(compliance).reports.exportStart({ source: "audit", format: "json", input: {} });
    const meta = await finished(compliance, started.id);
    const file = await fs.readFile(filePath(meta.id, "json"));
    expect(createHash("sha256").update(file).digest("hex")).toBe(meta.sha256);
    expect(JSON.parse(file.toString("utf8"))).toMatchObject({ heading: { title: "Audit trail search" }, rows: [] });
  });

  it("someone else asking for the export gets NOT_FOUND, like an unknown id", async () => {
    const started = await caller(person("compliance")).reports.exportStart({ source: "audit", format: "json", input: {} });
    await finished(person("compliance"), started.id);
    await expect(caller(person("admin")).reports.exportStatus({ id: started.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("if the engine cannot journal the export, it fails and no file is left", async () => {
    refuse = true;
    try {
      const compliance = person("compliance");
      const started = await caller(compliance).reports.exportStart({ source: "trades", format: "pdf", input: tradesInput });
      const meta = await finished(compliance, started.id);
      expect(meta).toMatchObject({ status: "failed", error: "engine unavailable", sha256: null });
      await expect(fs.stat(filePath(meta.id, "pdf"))).rejects.toThrow();
      await expect(fs.stat(filePath(meta.id, "part"))).rejects.toThrow();
    } finally {
      refuse = false;
    }
  });

  it("a trader may export orders but not trade reports or the audit trail; bad input changes nothing", async () => {
    const trader = caller(person("trader"));
    await expect(trader.reports.exportStart({ source: "trades", format: "csv", input: tradesInput })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: /lacks permission audit:read/,
    });
    await expect(
      caller(person("compliance")).reports.exportStart({ source: "trades", format: "csv", input: { reportType: "hourly" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: /input.reportType/ });
  });
});
