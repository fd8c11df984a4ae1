import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EVENTS } from "../../../../../engine/src/audit/admin-events";
import type { Principal } from "../../auth";
import type { EngineClient } from "../../engine-client";
import { pdfText } from "../../exports/pdf-text";
import { filePath } from "../../exports/store";
import { appRouter } from "../../routers/root";
import { bunzip2 } from "./bzip2";
import { quote, receivedOrder, TestJournal } from "./test-journal";

// The regulatory reports computed from a journal written by hand (through the engine's Journal), with
// every figure worked out by hand below. Orders (XYZ an S&P 500 member here; NBBO 20.00 × 20.04, M 20.02):
// O1 ACC-ALPHA market buy 300, 10:00 ET 3 Aug 2026, → SIM-FAST, fills 200 @ 20.03 (+1.2 ms, fee 0.60) and
//    100 @ 20.04 (+3.5 ms, fee 0.30), midpoints 15 s after 20.03, 1 min after 20.05 (REGULATORY.md Example A);
//    NBBO when each fill was booked 20.00 × 20.04 and 20.02 × 20.06.
// O2 ACC-ALPHA limit sell 100 @ 20.10 (not marketable), 10:05 ET → SIM-DEEP; replaced to 80 @ 20.12;
//    cancelled on 4 Aug (80 cancelled).
// O3 ACC-BETA market buy 50, 08:00 ET (before the open: not a 605 covered order) → SIM-FAST, unfilled.
// O4 ACC-ALPHA market buy 10 directed to SIM-FAST, 10:10 ET, fill 10 @ 20.02 at +2 ms as maker, fee 0.05;
//    NBBO at the fill 20.01 × 20.05.
// O5 ACC-ALPHA EURUSD: not an NMS stock, in no report but CAT.

process.env.FILLMORE_REGULATORY_FIRM = JSON.stringify({
  sp500: ["XYZ"],
  catDestinations: { "SIM-FAST": { destination: "XFST", destinationType: "E" } },
});

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const journaled: { type: string; actor: string; data: Record<string, unknown> }[] = [];
const engine = {
  journalAdminEvent: async (e: { type: string; actor: string; data: Record<string, unknown> }) => {
    // The engine's own check of the event (POST /v1/audit/events refuses what this refuses).
    ADMIN_EVENTS.ExportProduced.parse(e.data);
    journaled.push(e);
    return { seq: 900 + journaled.length, ts: "2026-09-01T00:00:00.000000Z", type: e.type };
  },
} as unknown as EngineClient;
const compliance: Principal = { kind: "user", id: "u-c", email: "c@x.test", name: "c", role: "compliance" };
const boundKey: Principal = { kind: "apiKey", id: "ak-c", name: "comp-alpha", role: "compliance", accountIds: ["ACC-ALPHA"] };
const regulatory = (p: Principal = compliance) => appRouter.createCaller({ principal: p, engine, prisma }).reports.regulatory;

const NBBO = quote("20.00", "20.04", "20.02");
const fill = (
  execId: string,
  venueId: string,
  lastQty: string,
  lastPx: string,
  fee: string,
  liquidity = "taker",
  nbbo: ReturnType<typeof quote> | null = null,
) => ({
  execId,
  venueId,
  lastQty,
  lastPx,
  liquidity,
  fees: [{ amount: fee, currency: "USD", kind: "commission" }],
  ...(nbbo ? { quote: nbbo } : {}),
});

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  await prisma.$executeRawUnsafe(
    `INSERT INTO venue (id, name, kind, config) VALUES ('SIM-FAST', 'Fast venue', 'sim', '{"mic":"XFST"}'), ('SIM-DEEP', 'Deep venue', 'sim', '{}')`,
  );
  const j = await TestJournal.open(db.url);
  const ev = (ts: string, type: string, orderId: string, accountId: string, data: Record<string, unknown>) =>
    j.at(ts, { type, orderId, accountId, actor: "user:t@x.test", data });
  const A = "ACC-ALPHA";
  // O3, before the open (the journal is in time order, as the engine writes it)
  ev("2026-08-03T12:00:00.000000Z", "OrderReceived", "O3", "ACC-BETA", {
    order: receivedOrder({ orderId: "O3", accountId: "ACC-BETA", symbol: "XYZ", side: "Buy", ordType: "Market", orderQty: "50" }),
    arrival: NBBO,
  });
  ev("2026-08-03T12:00:00.000100Z", "OrderSubmitted", "O3", "ACC-BETA", { venueId: "SIM-FAST", venueOrderId: "V-3" });
  // O1
  ev("2026-08-03T14:00:00.000000Z", "OrderReceived", "O1", A, {
    order: receivedOrder({ orderId: "O1", accountId: A, symbol: "XYZ", side: "Buy", ordType: "Market", orderQty: "300" }),
    arrival: NBBO,
  });
  ev("2026-08-03T14:00:00.000210Z", "OrderSubmitted", "O1", A, { venueId: "SIM-FAST", venueOrderId: "V-1", quote: NBBO });
  ev("2026-08-03T14:00:00.001200Z", "OrderPartiallyFilled", "O1", A, fill("E1", "SIM-FAST", "200", "20.03", "0.60", "taker", NBBO));
  ev(
    "2026-08-03T14:00:00.003500Z",
    "OrderFilled",
    "O1",
    A,
    fill("E2", "SIM-FAST", "100", "20.04", "0.30", "taker", quote("20.02", "20.06", "20.04")),
  );
  for (const [horizonMs, ts, mid] of [
    [15000, "2026-08-03T14:00:15.100000Z", "20.03"],
    [60000, "2026-08-03T14:01:00.100000Z", "20.05"],
    [1000, "2026-08-03T14:01:00.200000Z", null],
  ] as const)
    for (const execId of ["E1", "E2"]) ev(ts, "MarkoutSampled", "O1", A, { orderId: "O1", execId, horizonMs, mid, ts: mid ? 0 : null });
  // O2
  ev("2026-08-03T14:05:00.000000Z", "OrderReceived", "O2", A, {
    order: receivedOrder({ orderId: "O2", accountId: A, symbol: "XYZ", side: "Sell", ordType: "Limit", orderQty: "100", price: "20.10" }),
    arrival: NBBO,
  });
  ev("2026-08-03T14:05:00.000300Z", "OrderSubmitted", "O2", A, { venueId: "SIM-DEEP", venueOrderId: "V-2" });
  ev("2026-08-03T14:06:00.000000Z", "OrderReplaced", "O2", A, { orderQty: "80", price: "20.12", stopPx: null });
  // O4 (directed)
  ev("2026-08-03T14:10:00.000000Z", "OrderReceived", "O4", A, {
    order: receivedOrder({
      orderId: "O4",
      accountId: A,
      symbol: "XYZ",
      side: "Buy",
      ordType: "Market",
      orderQty: "10",
      requestedVenueId: "SIM-FAST",
    }),
    arrival: NBBO,
  });
  ev("2026-08-03T14:10:00.000100Z", "OrderSubmitted", "O4", A, { venueId: "SIM-FAST", venueOrderId: "V-4" });
  ev(
    "2026-08-03T14:10:00.002000Z",
    "OrderFilled",
    "O4",
    A,
    fill("E4", "SIM-FAST", "10", "20.02", "0.05", "maker", quote("20.01", "20.05", "20.03")),
  );
  // O5: EURUSD
  ev("2026-08-03T14:20:00.000000Z", "OrderReceived", "O5", A, {
    order: receivedOrder({ orderId: "O5", accountId: A, symbol: "EURUSD", side: "Buy", ordType: "Market", orderQty: "1000" }),
    arrival: quote("1.08", "1.09", "1.085"),
  });
  // The next day: O2 cancelled.
  ev("2026-08-04T14:00:00.000000Z", "OrderCancelled", "O2", A, { reason: "client" });
  await j.close();
}, 120_000);

afterAll(async () => {
  delete process.env.FILLMORE_REGULATORY_FIRM;
  await prisma?.$disconnect();
  await cleanup?.();
});

type Preview = Awaited<ReturnType<ReturnType<typeof regulatory>["preview"]>>;
const byColumn = (p: Preview, match: (r: Record<string, string>) => boolean) =>
  p.preview.map((r) => Object.fromEntries(p.columns.map((c, i) => [c, r[i] ?? ""]))).filter(match);

describe("Rule 605 from the journal, August 2026", () => {
  it("the months around it have no covered orders", async () => {
    for (const month of ["2026-07", "2026-09"])
      expect(await regulatory().preview({ kind: "rule605", month })).toMatchObject({
        rows: 0,
        notes: expect.arrayContaining(["0 covered orders."]),
      });
  });

  it("detailed: O1 is Example A's row; O4 an odd lot in the 0 bucket; O2 a non-marketable limit with 80 cancelled; O3, O5 not covered", async () => {
    const p = await regulatory().preview({ kind: "rule605", month: "2026-08" });
    expect(p.fileName).toBe("FLMR202608.txt");
    expect(p.columns).toHaveLength(55);
    const rows = byColumn(p, () => true);
    expect(rows.map((r) => [r.Symbol, r.LotSizeFlag, r.OrderSize, r.OrderType, r.CvrdOrderCnt])).toEqual([
      ["XYZ", "ODD", "0", "MXXNN", "1"],
      ["XYZ", "ROUND", "1000", "LNNNN", "1"],
      ["XYZ", "ROUND", "5000", "MXXNN", "1"],
    ]);
    const [o4, o2, o1] = rows as [Record<string, string>, Record<string, string>, Record<string, string>];
    expect(o1).toMatchObject({
      CvrdOrderSize: "6006",
      CvrdOrderExctdQty: "300",
      AvgEffctvSprd: "0.026667",
      AvgEffctvSprdPct: "0.001332",
      AvgEFQPct: "0.666667",
      ExctdPIOrdersQty: "200",
      ExctdPIOrdWghtdAvgTime: "1.2",
      ExctdOrderAtQuotQty: "100",
      AvgRealSprd15sec: "0.006667",
      AvgRealSprd1min: "-0.033333",
      AvgRealSprd1sec: "", // sampled with no quote: unknown, never 0
      CvrdOrderQtyto10millisec: "300",
      // Against the best available displayed price (the NBBO: no odd-lot quote is journaled).
      ExctdPIOrderRltvBestPrQty: "200",
      ExctdOrderAtBestPrQty: "100",
      FilledOrderCnt: "", // a market order: no fill statistics
    });
    // O2: 100 × 20.02 = 2,002 → 1000; replaced to 80 and cancelled: 80 cancelled, nothing executed, no spreads.
    expect(o2).toMatchObject({ CvrdOrderQty: "100", CvrdOrderCnclQty: "80", CvrdOrderExctdQty: "0", AvgEffctvSprd: "" });
    // A non-marketable limit: fill statistics, none filled; no BADP columns.
    expect(o2).toMatchObject({ FilledOrderCnt: "0", RegExctdOrderQty: "0", FilledOrderWghtdAvgTime: "", ExctdOrderAtBestPrQty: "" });
    // O4: 10 × 20.02 = 200.2 → 0; bought at 20.02 against the ask 20.04: improved by 0.02 in 2 ms; ES = 2(20.02 − 20.02) = 0.
    expect(o4).toMatchObject({
      CvrdOrderSize: "200.2",
      ExctdPIOrdersQty: "10",
      ExctdPIOrdWghtdAvgAmtPerShare: "0.02",
      ExctdPIOrdWghtdAvgTime: "2",
      AvgEffctvSprd: "0",
      CvrdOrderQtyto10millisec: "10",
    });
  });

  it("summary: the under-$200k row pools O1 and O4 (M orders, S&P 500)", async () => {
    const p = await regulatory().preview({ kind: "rule605Summary", month: "2026-08" });
    expect(p.fileName).toBe("FLMR202608.csv");
    const [all] = byColumn(p, (r) => r.OrderSize === "199999");
    // (300 + 10)/2 = 155 sh; (6,006 + 200.2)/2 = 3,103.1 $; improved (200 + 10)/310 = 0.677419;
    // time (200·1.2 + 100·3.5 + 10·2)/310 = 610/310 = 1.967742 ms.
    expect(all).toMatchObject({
      Sp500: "Y",
      OrderType: "M",
      AvgOrderQty: "155",
      AvgOrderSize: "3103.1",
      PctExctdAtQuotOrBetter: "1",
      PctExctdPI: "0.677419",
      WghtdAvgExctnTime: "1.967742",
    });
  });
});

describe("Rule 606(a)(1) from the journal, 2026-Q3", () => {
  it("non-directed 3 of 4 routed orders; venues by orders; SIM-FAST's fees as a negative net payment", async () => {
    const p = await regulatory().preview({ kind: "rule606", quarter: "2026-Q3" });
    expect(p.fileName).toBe("FLMR_606a_2026-Q3.xml");
    const rows = byColumn(p, () => true);
    // O1, O3 market → SIM-FAST, O2 non-marketable limit → SIM-DEEP; O4 directed. ndo 3/4 = 75.00.
    // Net, SIM-FAST market: −(0.60 + 0.30) = −0.90 on 300 executed shares (O3 none).
    expect(
      rows.map((r) => [r.month, r.section, r.ndoPct, r.venue, r.mic, r.orderPct, r.marketPct, r.nonMarketableLimitPct, r.netMarketUsd]),
    ).toEqual([
      ["2026-08", "SP500", "75", "Fast venue", "XFST", "66.67", "100", "0", "-0.9"],
      ["2026-08", "SP500", "75", "Deep venue", "SIM-DEEP", "33.33", "0", "100", "0"],
    ]);
  });

  it("the XML carries cents per 100 shares: −0.90 × 10,000 / 300 = −30.0000", async () => {
    const { id } = await regulatory().export({ kind: "rule606", quarter: "2026-Q3" });
    const xml = await fs.readFile(filePath(id, "xml"), "utf8");
    expect(xml).toContain("<netPmtPaidRecvMarketOrdersCph>-30.0000</netPmtPaidRecvMarketOrdersCph>");
    expect(xml).toContain("<ndoMarketPct>66.67</ndoMarketPct>");
    // Three months, each with the options section in its zero form (Fillmore trades no options).
    expect(xml.match(/<rOptions>\n {6}<ndoPct>0\.00<\/ndoPct>/g)).toHaveLength(3);
  });

  it("the readable PDF says the same", async () => {
    const { id, sha256 } = await regulatory().export({ kind: "rule606Pdf", quarter: "2026-Q3" });
    const pdf = await fs.readFile(filePath(id, "pdf"));
    expect(createHash("sha256").update(pdf).digest("hex")).toBe(sha256);
    const text = pdfText(pdf);
    expect(text).toContain("Rule 606(a)(1), 2026 Q3");
    expect(text).toContain("August 2026 - S&P 500 stocks");
    expect(text).toContain("Non-directed orders: 75% of orders.");
    expect(text).toContain("Fast venue (XFST)");
    expect(text).toContain("-0.9 (-30 c/100)");
    expect(text).toContain("August 2026 - Options: none: Fillmore does not trade options.");
    expect(text).toContain("July 2026 - S&P 500 stocks: no held orders routed.");
  });
});

describe("CAT from the journal", () => {
  it("3 Aug: MENO and MEOR per order, O2's modify, in journal order; O1 routed to the exchange XFST", async () => {
    const p = await regulatory().preview({ kind: "cat", day: "2026-08-03" });
    expect(p.fileName).toBe("12345_FLMR_20260803_G1_OrderEvents_000001.json.bz2");
    const rows = byColumn(p, () => true);
    expect(rows.map((r) => `${r.type} ${r.orderID}`)).toEqual([
      "MENO O3",
      "MEOR O3",
      "MENO O1",
      "MEOR O1",
      "MENO O2",
      "MEOR O2",
      "MEOM O2",
      "MENO O4",
      "MEOR O4",
      "MENO O5",
    ]);
    expect(rows[0]).toMatchObject({ eventTimestamp: "20260803 080000.000000000" });
    expect(rows[2]).toMatchObject({ eventTimestamp: "20260803 100000.000000000", quantity: "300", side: "B", orderType: "MKT" });
    expect(rows[3]).toMatchObject({ destination: "XFST", routedOrderID: "V-1", eventTimestamp: "20260803 100000.000210000" });
  });

  it("4 Aug: O2's cancel on its Order Key of 3 Aug, 80 cancelled (the .json.bz2 decompressed)", async () => {
    const { id, fileName } = await regulatory().export({ kind: "cat", day: "2026-08-04" });
    expect(fileName).toBe("12345_FLMR_20260804_G1_OrderEvents_000001.json.bz2");
    const records = (await bunzip2(await fs.readFile(filePath(id, "bz2"))))
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records).toEqual([
      expect.objectContaining({ type: "MEOC", orderID: "O2", orderKeyDate: "20260803 100500.000000000", cancelQty: 80, leavesQty: 0 }),
    ]);
  });

  it("3 Aug: the bz2 holds exactly the previewed records; the metadata file names it, counts them and hashes its bytes", async () => {
    const p = await regulatory().preview({ kind: "cat", day: "2026-08-03" });
    const data = await regulatory().export({ kind: "cat", day: "2026-08-03" });
    const compressed = await fs.readFile(filePath(data.id, "bz2"));
    expect(compressed.subarray(0, 3).toString("latin1")).toBe("BZh");
    const lines = (await bunzip2(compressed)).toString("utf8").trim().split("\n");
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => `${r.type} ${r.orderID} ${r.firmROEID}`)).toEqual(
      byColumn(p, () => true).map((r) => `${r.type} ${r.orderID} ${r.firmROEID}`),
    );
    expect(data.rows).toBe(10);

    const meta = await regulatory().export({ kind: "catMetadata", day: "2026-08-03" });
    expect(meta.fileName).toBe("12345_FLMR_20260803_G1_OrderEvents_000001.meta.json");
    const metadata = JSON.parse(await fs.readFile(filePath(meta.id, "meta.json"), "utf8"));
    expect(metadata).toEqual({
      dataFileName: data.fileName,
      recordCount: 10,
      compressedHash: createHash("sha256").update(compressed).digest("hex"),
      compressedSize: compressed.length,
      compression: "bzip2",
      submitter: "12345",
      reporter: "FLMR",
      doneForDay: true,
    });
    // The journaled SHA-256 of the data file is the metadata's compressedHash.
    expect(metadata.compressedHash).toBe(data.sha256);
    expect(journaled.at(-1)).toMatchObject({ data: { source: "regulatory:catMetadata", format: "meta.json", fileName: meta.fileName } });
  });
});

describe("Rule 606(b)(3) for ACC-ALPHA, six months to August 2026", () => {
  it("per venue and section: routed, executed, fill rate, net fee in cents per 100 shares, liquidity", async () => {
    const p = await regulatory().preview({ kind: "customer606", accountId: "ACC-ALPHA", month: "2026-08" });
    const rows = byColumn(p, (r) => r.venue !== "(total)");
    expect(rows.map((r) => [r.section, r.venue, r.sharesRouted, r.sharesExecuted, r.fillRate, r.avgFillSize, r.netCph])).toEqual([
      // O4: 10 routed, 10 executed, −0.05 × 10,000 / 10 = −50.
      ["directed", "Fast venue", "10", "10", "1", "10", "-50"],
      // O2: 100 routed at receipt, none executed.
      ["nonDirected", "Deep venue", "100", "0", "0", "", ""],
      // O1: 300 in 2 fills (150 each), −0.90 × 10,000 / 300 = −30; all taken (removed).
      ["nonDirected", "Fast venue", "300", "300", "1", "150", "-30"],
    ]);
    expect(rows[0]).toMatchObject({ providedShares: "10", providedPct: "100", providedAvgMs: "1.9", providedNetCph: "-50" });
    expect(rows[2]).toMatchObject({ removedShares: "300", removedPct: "100", removedNetCph: "-30", providedShares: "0" });
    // Against the NBBO midpoint when each fill was booked: O1's 200 @ 20.03 (mid 20.02, a buy above it:
    // unfavourable) and 100 @ 20.04 (mid 20.04: at the midpoint); O4's 10 @ 20.02 (mid 20.03: favourable).
    expect(
      rows.map((r) => [r.sharesAtMidpoint, r.midpointPct, r.sharesFavourable, r.favourablePct, r.sharesUnfavourable, r.unfavourablePct]),
    ).toEqual([
      ["0", "0", "10", "100", "0", "0"],
      ["0", "", "0", "", "0", ""], // O2: nothing executed: 0 shares, no percentage of nothing
      ["100", "33.33", "0", "0", "200", "66.67"],
    ]);
    // O3 is ACC-BETA's; O5 was never routed.
    expect(byColumn(p, (r) => r.venue === "(total)").map((r) => [r.section, r.sharesRouted])).toEqual([
      ["directed", "10"],
      ["nonDirected", "400"],
    ]);
  });

  it("a key bound to ACC-ALPHA gets its own report and not ACC-BETA's, nor a firm-wide file", async () => {
    await expect(regulatory(boundKey).preview({ kind: "customer606", accountId: "ACC-ALPHA", month: "2026-08" })).resolves.toMatchObject({
      rows: 5,
    });
    await expect(regulatory(boundKey).preview({ kind: "customer606", accountId: "ACC-BETA", month: "2026-08" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(regulatory(boundKey).export({ kind: "rule605", month: "2026-08" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("downloads", () => {
  it("each file is journaled as ExportProduced with the SHA-256 of its bytes, and served as an export of its owner", async () => {
    const before = journaled.length;
    const exported = await regulatory().export({ kind: "rule605", month: "2026-08" });
    const bytes = await fs.readFile(filePath(exported.id, "psv"));
    expect(journaled.slice(before)).toEqual([
      {
        type: "ExportProduced",
        actor: "user:c@x.test",
        accountId: null,
        data: {
          exportId: exported.id,
          source: "regulatory:rule605",
          format: "psv",
          fileName: "FLMR202608.txt",
          filters: { kind: "rule605", month: "2026-08" },
          rows: 3,
          bytes: bytes.length,
          sha256: createHash("sha256").update(bytes).digest("hex"),
        },
      },
    ]);
    const status = await appRouter.createCaller({ principal: compliance, engine, prisma }).reports.exportStatus({ id: exported.id });
    expect(status).toMatchObject({ status: "done", fileName: "FLMR202608.txt", sha256: exported.sha256, format: "psv" });
    const other: Principal = { ...compliance, id: "u-o", email: "o@x.test" };
    await expect(
      appRouter.createCaller({ principal: other, engine, prisma }).reports.exportStatus({ id: exported.id }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("bad periods are refused before anything is read or written", async () => {
    const before = journaled.length;
    for (const input of [
      { kind: "rule605", month: "2026-13" },
      { kind: "rule606", quarter: "2026-Q0" },
      { kind: "cat", day: "2026-02-30" },
      { kind: "rule605", quarter: "2026-Q1" },
    ])
      await expect(regulatory().export(input as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(journaled.length).toBe(before);
  });

  it("if the export cannot be journaled, the export fails (and its file is removed)", async () => {
    const failing = { journalAdminEvent: async () => Promise.reject(new Error("journal unreachable")) } as unknown as EngineClient;
    await expect(
      appRouter
        .createCaller({ principal: compliance, engine: failing, prisma })
        .reports.regulatory.export({ kind: "cat", day: "2026-08-03" }),
    ).rejects.toThrow(/journal unreachable/);
  });
});
