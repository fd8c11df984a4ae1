import fs from "node:fs/promises";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { appRouter } from "../routers/root";
import type { ExportMeta } from "./jobs";
import { filePath } from "./store";

// The book as of T exported whole: every page of the engine's rebuilt book for that moment and those
// filters, as the Audit page shows it a page at a time; a bound key only its own accounts.

let prisma: PrismaClient;
let cleanup: (() => Promise<void>) | undefined;
const journaled: { type: string; data: Record<string, unknown> }[] = [];
const asked: { offset?: number; limit?: number; accountIds?: readonly string[]; seq?: number }[] = [];

/** 1,200 orders as of seq 777, alternating ACC-ALPHA / ACC-BETA, newest first as the engine pages them. */
const book: Order[] = Array.from(
  { length: 1200 },
  (_, i) =>
    ({
      orderId: `O${1200 - i}`,
      clOrdId: `C${1200 - i}`,
      accountId: i % 2 === 0 ? "ACC-ALPHA" : "ACC-BETA",
      strategy: null,
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      timeInForce: "DAY",
      orderQty: "10",
      price: "100",
      stopPx: null,
      ordStatus: "Filled",
      cumQty: "10",
      leavesQty: "0",
      avgPx: "100",
      venueId: "SIM-FAST",
      createdBy: "user:t@x.test",
      createdAt: "2026-11-30T08:00:00.000000Z",
      updatedAt: "2026-11-30T08:00:01.000000Z",
      lastSeq: 700,
    }) as unknown as Order,
);

const engine = {
  async journalAdminEvent(event: { type: string; data: Record<string, unknown> }) {
    journaled.push(event);
    return { seq: 9000 + journaled.length, ts: new Date().toISOString(), type: event.type };
  },
  async bookAsOf(at: { seq?: number; offset?: number; limit?: number; accountIds?: readonly string[] }) {
    asked.push(at);
    const matching = book.filter((o) => !at.accountIds || at.accountIds.includes(o.accountId));
    const offset = at.offset ?? 0;
    const limit = at.limit ?? 100;
    return {
      asOf: { seq: at.seq ?? 0, ts: null, requested: { ts: null, seq: at.seq ?? null } },
      orders: matching.slice(offset, offset + limit),
      ordersTotal: matching.length,
      working: 0,
      matched: matching.length,
      offset,
      limit,
      positions: [],
      pnl: { rows: [], byAccount: [], byStrategy: [], firm: null },
    };
  },
} as unknown as EngineClient;

const compliance: Principal = { kind: "user", id: "u-c", email: "c@x.test", name: "c", role: "compliance" };
const alphaKey: Principal = { kind: "apiKey", id: "ak-alpha", name: "alpha", role: "compliance", accountIds: ["ACC-ALPHA"] };
const caller = (principal: Principal) => appRouter.createCaller({ principal, engine, prisma });

async function exportCsv(principal: Principal, input: unknown): Promise<{ meta: ExportMeta; ids: string[] }> {
  const { id } = await caller(principal).reports.exportStart({ source: "asOf", format: "csv", input });
  let meta = await caller(principal).reports.exportStatus({ id });
  for (let i = 0; i < 400 && meta.status === "running"; i++) {
    await new Promise((r) => setTimeout(r, 25));
    meta = await caller(principal).reports.exportStatus({ id });
  }
  expect(meta.status, meta.error ?? "").toBe("done");
  const lines = (await fs.readFile(filePath(meta.id, "csv"), "utf8")).trim().split("\r\n");
  return { meta, ids: lines.slice(1).map((l) => l.split(",")[0] as string) };
}

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
});

describe("export source: the book as of T", () => {
  it("every order of the moment, page after page, in the engine's order; journaled with its filters", async () => {
    asked.length = 0;
    const { meta, ids } = await exportCsv(compliance, { seq: 777 });
    expect(ids).toEqual(book.map((o) => o.orderId));
    expect(meta.rows).toBe(1200);
    expect(asked.map((a) => [a.seq, a.offset, a.limit])).toEqual([
      [777, 0, 500],
      [777, 500, 500],
      [777, 1000, 500],
    ]);
    expect(journaled.at(-1)).toMatchObject({ type: "ExportProduced", data: { source: "asOf", rows: 1200, filters: { seq: 777 } } });
  });

  it("a bound key: the engine is asked for its accounts only, and naming another is FORBIDDEN", async () => {
    asked.length = 0;
    const { ids } = await exportCsv(alphaKey, { seq: 777 });
    expect(ids).toHaveLength(600);
    expect(ids.every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
    expect(asked.every((a) => JSON.stringify(a.accountIds) === '["ACC-ALPHA"]')).toBe(true);
    await expect(
      caller(alphaKey).reports.exportStart({ source: "asOf", format: "csv", input: { seq: 777, accountId: "ACC-BETA" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("a moment is a time or a seq, not both nor neither; a trader may not export it", async () => {
    for (const input of [{}, { seq: 5, ts: "2026-11-30T08:00:00Z" }])
      await expect(caller(compliance).reports.exportStart({ source: "asOf", format: "csv", input })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    const trader: Principal = { kind: "user", id: "u-t", email: "t@x.test", name: "t", role: "trader" };
    await expect(caller(trader).reports.exportStart({ source: "asOf", format: "csv", input: { seq: 5 } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
