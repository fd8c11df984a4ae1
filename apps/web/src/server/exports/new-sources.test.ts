import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient, FixMessageView } from "../engine-client";
import { insertOrder } from "../reports/test-fills";
import { appRouter } from "../routers/root";
import type { ExportMeta } from "./jobs";
import { pdfText } from "./pdf-text";
import { filePath } from "./store";

// The export sources added for issue 14's coverage: one order's complete history (events and FIX
// messages, as the Audit page shows them) and the blotter view (its filters over the orders read
// model). Each format is written, read back, hashed and journaled; a bound key stays in its accounts.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const journaled: { type: string; actor: string; data: Record<string, unknown> }[] = [];
const fixMessages: FixMessageView[] = [
  {
    venueId: "FIX-QFJ",
    direction: "out",
    seq: 7,
    msgType: "D",
    msgTypeName: "NewOrderSingle",
    sendingTime: "20261130-08:00:00.123",
    fields: [
      [35, "MsgType", "D"],
      [11, "ClOrdID", "CLORD-ALPHA-000000000000000000000001"],
      [55, "Symbol", "AAPL"],
    ],
  },
  {
    venueId: "FIX-QFJ",
    direction: "in",
    seq: 9,
    msgType: "8",
    msgTypeName: "ExecutionReport",
    sendingTime: "20261130-08:00:00.456",
    fields: [
      [35, "MsgType", "8"],
      [17, "ExecID", "EXEC-9"],
      [39, "OrdStatus", "2"],
    ],
  },
];
let fixDown = false;
const engine = {
  async journalAdminEvent(event: { type: string; actor: string; data: Record<string, unknown> }) {
    journaled.push(event);
    return { seq: 5000 + journaled.length, ts: new Date().toISOString(), type: event.type };
  },
  async orderFixMessages(orderId: string) {
    if (fixDown) throw new Error("engine unavailable");
    return { orderId, messages: orderId === "O-A1" ? fixMessages : [], truncated: false };
  },
} as unknown as EngineClient;

const person = (role: Principal["role"]): Principal => ({ kind: "user", id: `u-${role}`, email: `${role}@x.test`, name: role, role });
const alphaKey: Principal = { kind: "apiKey", id: "ak-alpha", name: "alpha-key", role: "compliance", accountIds: ["ACC-ALPHA"] };
const caller = (principal: Principal) => appRouter.createCaller({ principal, engine, prisma });

async function finished(principal: Principal, id: string): Promise<ExportMeta> {
  for (let i = 0; i < 200; i++) {
    const meta = await caller(principal).reports.exportStatus({ id });
    if (meta.status !== "running") return meta;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("export did not finish");
}

/** Exports and reads the file back as bytes, checking its SHA-256 and its ExportProduced event. */
async function exported(principal: Principal, source: string, format: "csv" | "xlsx" | "pdf" | "json", input: unknown) {
  const started = await caller(principal).reports.exportStart({ source: source as "order", format, input });
  const meta = await finished(principal, started.id);
  expect(meta.status, meta.error ?? "").toBe("done");
  const file = await fs.readFile(filePath(meta.id, format));
  expect([format, file.length, createHash("sha256").update(file).digest("hex")]).toEqual([format, meta.bytes, meta.sha256]);
  expect(journaled.at(-1)).toMatchObject({
    type: "ExportProduced",
    actor: principal.kind === "user" ? `user:${principal.email}` : `key:${principal.id}`,
    data: { exportId: meta.id, source, format, rows: meta.rows, sha256: meta.sha256, filters: input },
  });
  return { meta, file };
}

async function sheetRows(file: Buffer): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(file as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  const rows: unknown[][] = [];
  sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

const HASH_1 = "a".repeat(32) + "0123456789abcdef".repeat(2);
const HASH_2 = "b".repeat(64);

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  for (const o of [
    { id: "O-A1", clOrdId: "CLORD-ALPHA-000000000000000000000001", accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy" as const },
    { id: "O-A2", clOrdId: "Mine-2", accountId: "ACC-ALPHA", symbol: "MSFT", side: "Sell" as const },
    { id: "O-B1", clOrdId: "beta-1", accountId: "ACC-BETA", symbol: "AAPL", side: "Buy" as const },
  ])
    await insertOrder(prisma, { ...o, strategy: "S1" });
  await prisma.$executeRawUnsafe("UPDATE orders SET ord_status = 'Accepted', created_at = now() - interval '1 minute' WHERE id = 'O-A2'");
  const event = (seq: number, type: string, orderId: string, accountId: string, data: unknown, hash: string) =>
    prisma.$executeRawUnsafe(
      "INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash) VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7::jsonb, $8, $9)",
      seq,
      `2026-11-30T08:00:0${seq}.123456Z`,
      type,
      orderId,
      accountId,
      "user:trader@x.test",
      JSON.stringify({ ts: `2026-11-30T08:00:0${seq}.123456Z`, data }),
      "",
      hash,
    );
  await event(
    1,
    "OrderReceived",
    "O-A1",
    "ACC-ALPHA",
    { order: { orderId: "O-A1", clOrdId: "CLORD-ALPHA-000000000000000000000001" } },
    HASH_1,
  );
  await event(2, "OrderFilled", "O-A1", "ACC-ALPHA", { execId: "SIM-FAST:E1", lastQty: "100", lastPx: "189.5" }, HASH_2);
  await event(3, "OrderReceived", "O-B1", "ACC-BETA", { order: { orderId: "O-B1" } }, "c".repeat(64));
});

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
});

describe("export source: one order's complete history", () => {
  const compliance = person("compliance");
  const input = { orderId: "O-A1" };

  it("CSV: its events (with their full hashes) then its FIX messages out and in, n of n rows known at the start", async () => {
    const { meta, file } = await exported(compliance, "order", "csv", input);
    expect(meta).toMatchObject({ rows: 4, total: 4 });
    const lines = file.toString("utf8").trim().split("\r\n");
    expect(lines[0]).toBe("part,seq,time (UTC),type,orderId,by,detail,hash");
    expect(lines[1]).toMatch(/^event,1,2026-11-30T08:00:01.123456Z,OrderReceived,O-A1,user:trader@x.test,".*CLORD-ALPHA.*",a{32}/);
    expect(lines[1]?.endsWith(HASH_1)).toBe(true);
    expect(lines[2]?.endsWith(HASH_2)).toBe(true);
    expect(lines[3]).toBe(
      "FIX out,7,20261130-08:00:00.123,NewOrderSingle (D),O-A1,FIX-QFJ,35=D|11=CLORD-ALPHA-000000000000000000000001|55=AAPL,",
    );
    expect(lines[4]).toBe("FIX in,9,20261130-08:00:00.456,ExecutionReport (8),O-A1,FIX-QFJ,35=8|17=EXEC-9|39=2,");
  });

  it("XLSX, PDF and JSON hold the same rows, every value whole", async () => {
    const xlsx = await sheetRows((await exported(compliance, "order", "xlsx", input)).file);
    expect(xlsx.map((r) => r[0])).toEqual(["part", "event", "event", "FIX out", "FIX in"]);
    expect(xlsx[2]?.[7]).toBe(HASH_2);
    const pdf = pdfText((await exported(compliance, "order", "pdf", input)).file).replaceAll("\n", "");
    for (const value of [
      HASH_1,
      HASH_2,
      "2026-11-30T08:00:02.123456Z",
      "35=D|11=CLORD-ALPHA-000000000000000000000001|55=AAPL",
      "Order O-A1: complete history",
    ])
      expect(pdf).toContain(value);
    const json = JSON.parse((await exported(compliance, "order", "json", input)).file.toString("utf8"));
    expect(json.heading.title).toBe("Order O-A1: complete history");
    expect(json.rows.map((r: { part: string; seq: number }) => [r.part, r.seq])).toEqual([
      ["event", 1],
      ["event", 2],
      ["FIX out", 7],
      ["FIX in", 9],
    ]);
  });

  it("FIX messages the engine cannot give are said in the file, not silently left out", async () => {
    fixDown = true;
    try {
      const { file } = await exported(compliance, "order", "csv", input);
      expect(file.toString("utf8")).toContain("note,,,note,O-A1,,FIX messages unavailable: engine unavailable,");
    } finally {
      fixDown = false;
    }
  });

  it("a bound key: its account's order exports; another account's or an unknown order is NOT_FOUND, nothing journaled", async () => {
    await exported(alphaKey, "order", "csv", input);
    const before = journaled.length;
    for (const orderId of ["O-B1", "O-NOPE"])
      await expect(caller(alphaKey).reports.exportStart({ source: "order", format: "csv", input: { orderId } })).rejects.toMatchObject({
        code: "NOT_FOUND",
        message: `no order ${orderId}`,
      });
    expect(journaled.length).toBe(before);
  });

  it("needs audit:read; bad input is refused", async () => {
    await expect(caller(person("trader")).reports.exportStart({ source: "order", format: "csv", input })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(caller(compliance).reports.exportStart({ source: "order", format: "csv", input: { orderId: "" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: /input.orderId/,
    });
  });
});

describe("export source: the blotter view", () => {
  const trader = person("trader");

  it("the blotter's filters as it applies them: symbol contains, find in order id or ClOrdID (any case), status, account", async () => {
    const ids = async (view: Record<string, unknown>) => {
      const { meta, file } = await exported(trader, "blotter", "csv", view);
      const rows = file.toString("utf8").trim().split("\r\n").slice(1);
      expect(meta.total).toBe(rows.length);
      return rows.map((l) => l.split(",")[0]);
    };
    expect(await ids({})).toEqual(["O-B1", "O-A1", "O-A2"]); // newest first
    expect(await ids({ symbol: "ap" })).toEqual(["O-B1", "O-A1"]);
    expect(await ids({ find: "MINE" })).toEqual(["O-A2"]);
    expect(await ids({ find: "b1" })).toEqual(["O-B1"]);
    expect(await ids({ status: "Accepted" })).toEqual(["O-A2"]);
    expect(await ids({ accountId: "ACC-BETA" })).toEqual(["O-B1"]);
  });

  it("XLSX, PDF and JSON read back with the same orders and the blotter's filters in the heading", async () => {
    const view = { accountId: "ACC-ALPHA" };
    expect((await sheetRows((await exported(trader, "blotter", "xlsx", view)).file)).map((r) => r[0])).toEqual(["orderId", "O-A1", "O-A2"]);
    const pdf = pdfText((await exported(trader, "blotter", "pdf", view)).file).replaceAll("\n", "");
    expect(pdf).toContain("CLORD-ALPHA-000000000000000000000001");
    expect(pdf).toContain('filters {"accountId":"ACC-ALPHA"}');
    const json = JSON.parse((await exported(trader, "blotter", "json", view)).file.toString("utf8"));
    expect(json.heading).toMatchObject({ title: "Blotter", filters: view });
    expect(json.rows.map((r: { orderId: string }) => r.orderId)).toEqual(["O-A1", "O-A2"]);
  });

  it("pages past 500 orders in order, each once", async () => {
    // Every third order shares its created_at with others: the keyset breaks ties by id.
    await prisma.$executeRawUnsafe(
      `INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, ord_status, cum_qty, leaves_qty,
         strategy, created_by, created_at, updated_at, last_seq)
       SELECT 'P-' || lpad(i::text, 4, '0'), 'P-' || i, 'ACC-GAMMA', 'SPY', 'Buy', 'Market', 'DAY', 1, 'New', 0, 1, NULL, 'user:t@x.test',
         '2026-01-01T00:00:00Z'::timestamptz + (i / 3) * interval '1 microsecond', now(), 1
       FROM generate_series(0, 1099) i`,
    );
    const { meta, file } = await exported(trader, "blotter", "csv", { accountId: "ACC-GAMMA" });
    expect(meta).toMatchObject({ rows: 1100, total: 1100 });
    const got = file
      .toString("utf8")
      .trim()
      .split("\r\n")
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(new Set(got).size).toBe(1100);
  });

  it("at most 3 exports of one principal at once, even when they are asked for at the same moment", async () => {
    const busy: Principal = { kind: "user", id: "u-busy", email: `busy-${Date.now()}@x.test`, name: "busy", role: "trader" };
    const starts = await Promise.allSettled(
      Array.from({ length: 6 }, () => caller(busy).reports.exportStart({ source: "blotter", format: "xlsx", input: {} })),
    );
    const refused = starts.filter((s) => s.status === "rejected");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(r.reason).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    for (const s of starts) if (s.status === "fulfilled") await finished(busy, s.value.id);
  });

  it("a bound key exports its accounts only; naming another account is FORBIDDEN", async () => {
    const { file } = await exported(alphaKey, "blotter", "csv", { symbol: "AAPL" });
    expect(
      file
        .toString("utf8")
        .trim()
        .split("\r\n")
        .slice(1)
        .map((l) => l.split(",")[0]),
    ).toEqual(["O-A1"]);
    await expect(
      caller(alphaKey).reports.exportStart({ source: "blotter", format: "csv", input: { accountId: "ACC-BETA" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: /ACC-BETA/ });
    await expect(
      caller(trader).reports.exportStart({ source: "blotter", format: "csv", input: { status: "Bogus" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: /input.status/,
    });
  });
});

describe("export source: the Quality page's figures", () => {
  const risk = person("risk");
  const input = { filter: { from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }, groupBy: "symbol" };

  beforeAll(async () => {
    for (const [orderId, accountId, venue, latency] of [
      ["Q-A1", "ACC-ALPHA", "SIM-FAST", 5],
      ["Q-A2", "ACC-ALPHA", "=EVIL()", 7],
      ["Q-B1", "ACC-BETA", "SIM-SLOW", 40],
    ] as const)
      await prisma.$executeRawUnsafe(
        `INSERT INTO execution_metrics (order_id, account_id, symbol, side, order_type, venue, status, size_bucket, received_at, submitted_at,
           sent, rejected, denied, cancelled_unfilled, fully_filled, order_qty, filled_qty, notional, latency_ms, slippage_cost, slippage_bench,
           slippage_bps, fees, updated_seq)
         VALUES ($1, $2, 'AAPL', 'Buy', 'MARKET', $3, 'OrderFilled', 'lt250', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z',
           true, false, false, false, true, 1, 1, 100, $4, 0.01, 100, 1, 0, 1)`,
        orderId,
        accountId,
        venue,
        latency,
      );
  });

  it("CSV: the page's sections (comparison, aggregates, series, distribution, orders), journaled with its SHA-256", async () => {
    const { meta, file } = await exported(risk, "quality", "csv", input);
    const csv = file.toString("utf8");
    for (const line of [
      "# filter",
      "# broker comparison (venue x order type x size)",
      "# aggregates by venue",
      "# aggregates by symbol",
      "# orders (3 of 3)",
    ])
      expect(csv.split("\r\n")).toContain(line);
    expect(csv).toContain("order_type,size_bucket,venue,rank,orders");
    // A venue name a spreadsheet would run is neutralised, as in the page's CSV.
    expect(csv).toContain("'=EVIL()");
    for (const line of csv.split("\r\n")) for (const cell of line.split(",")) expect(cell).not.toMatch(/^[=+@\t]/);
    expect(meta.rows).toBe(meta.total);
    expect(meta.rows).toBeGreaterThan(3);
  });

  it("JSON holds the same sections; XLSX and PDF are refused (the page's figures are sections, not one table)", async () => {
    const json = JSON.parse((await exported(risk, "quality", "json", input)).file.toString("utf8"));
    expect(json.heading).toMatchObject({ title: "Execution quality", producedBy: "user:risk@x.test" });
    expect(
      json.sections
        .find((s: { title: string }) => s.title === "aggregates by venue")
        .rows.map((r: unknown[]) => r[0])
        .sort(),
    ).toEqual(["=EVIL()", "SIM-FAST", "SIM-SLOW"]);
    for (const format of ["xlsx", "pdf"] as const)
      await expect(caller(risk).reports.exportStart({ source: "quality", format, input })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: /quality export is csv or json/,
      });
  });

  it("a bound key's file holds its accounts' orders only; a bad filter is refused", async () => {
    const bound: Principal = { ...alphaKey, role: "risk" };
    const json = JSON.parse((await exported(bound, "quality", "json", input)).file.toString("utf8"));
    const orders = json.sections.find((s: { title: string }) => s.title.startsWith("orders ("));
    expect(orders.rows.map((r: unknown[]) => r[0]).sort()).toEqual(["Q-A1", "Q-A2"]);
    await expect(
      caller(risk).reports.exportStart({ source: "quality", format: "csv", input: { filter: { from: "yesterday" } } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: /input.filter/ });
  });
});

describe("recent exports: the caller's own, newest first", () => {
  it("lists a caller's exports with their state and hash, never another's; limit respected", async () => {
    const me: Principal = { kind: "user", id: "u-recent", email: `recent-${Date.now()}@x.test`, name: "recent", role: "compliance" };
    const other: Principal = { kind: "user", id: "u-other", email: `other-${Date.now()}@x.test`, name: "other", role: "compliance" };
    expect(await caller(me).reports.exportList()).toEqual([]);
    const first = await exported(me, "blotter", "csv", { accountId: "ACC-ALPHA" });
    const second = await exported(me, "order", "json", { orderId: "O-A1" });
    await exported(other, "blotter", "csv", {});
    const list = await caller(me).reports.exportList();
    expect(list.map((e) => [e.id, e.source, e.status, e.downloadable, e.sha256])).toEqual([
      [second.meta.id, "order", "done", true, second.meta.sha256],
      [first.meta.id, "blotter", "done", true, first.meta.sha256],
    ]);
    expect((await caller(me).reports.exportList({ limit: 1 })).map((e) => e.id)).toEqual([second.meta.id]);
    // A file the store no longer keeps is listed, not offered for download.
    await fs.rm(filePath(first.meta.id, "csv"));
    expect((await caller(me).reports.exportList()).find((e) => e.id === first.meta.id)?.downloadable).toBe(false);
    await expect(caller(me).reports.exportList({ limit: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
