import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { appRouter } from "../routers/root";
import { AverageCostBooks } from "./realized";
import { insertFill, insertOrder } from "./test-fills";
import { reportPeriod, type TradeReport } from "./trade-report";

// Trade reports over a fill projection written by hand: the worked examples of
// ../shared/reference/POSITIONS.md (fees 1.00 per fill unless stated), figures computed by hand.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const compliance: Principal = { kind: "user", id: "u-c", email: "c@x.test", name: "c", role: "compliance" };
const boundKey: Principal = { kind: "apiKey", id: "ak-c", name: "comp-alpha", role: "compliance", accountIds: ["ACC-ALPHA"] };
const caller = (principal: Principal) => appRouter.createCaller({ principal, engine: {} as EngineClient, prisma });

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  // Example 1 (ACC-ALPHA, S-ONE, AAPL): day 1 Buy 100 @ 10, Buy 100 @ 12 (SIM-FAST); day 2 Sell 50 @ 13 (SIM-SLOW).
  await insertOrder(prisma, { id: "O1", clOrdId: "C1", accountId: "ACC-ALPHA", strategy: "S-ONE", symbol: "AAPL", side: "Buy" });
  await insertOrder(prisma, { id: "O2", clOrdId: "C2", accountId: "ACC-ALPHA", strategy: "S-ONE", symbol: "AAPL", side: "Sell" });
  await insertFill(prisma, { seq: 10, orderId: "O1", side: "Buy", qty: "100", px: "10.00", ts: "2026-03-02T14:00:00.000001Z" });
  await insertFill(prisma, { seq: 11, orderId: "O1", side: "Buy", qty: "100", px: "12.00", ts: "2026-03-02T15:00:00Z" });
  await insertFill(prisma, {
    seq: 20,
    orderId: "O2",
    side: "Sell",
    qty: "50",
    px: "13.00",
    ts: "2026-03-03T14:00:00Z",
    venueId: "SIM-SLOW",
  });
  // Not counted: a split parent's copy of a child's fill, and a busted fill.
  await insertFill(prisma, { seq: 21, orderId: "O1", side: "Buy", qty: "999", px: "1", ts: "2026-03-03T14:01:00Z", parentCopy: true });
  await insertFill(prisma, { seq: 22, orderId: "O1", side: "Buy", qty: "999", px: "1", ts: "2026-03-03T14:02:00Z", busted: true });
  // Example 2, flip (ACC-BETA, no strategy, MSFT): Buy 100 @ 10 (fee 1), Sell 150 @ 12 (fee 3), Buy 50 @ 11 (fee 1).
  await insertOrder(prisma, { id: "O3", clOrdId: "=HYPERLINK(1)", accountId: "ACC-BETA", strategy: null, symbol: "MSFT", side: "Buy" });
  await insertFill(prisma, { seq: 30, orderId: "O3", side: "Buy", qty: "100", px: "10.00", ts: "2026-03-04T14:00:00Z" });
  await insertFill(prisma, { seq: 31, orderId: "O3", side: "Sell", qty: "150", px: "12.00", ts: "2026-03-04T14:01:00Z", fees: "3.00" });
  await insertFill(prisma, { seq: 32, orderId: "O3", side: "Buy", qty: "50", px: "11.00", ts: "2026-03-04T14:02:00Z" });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
});

const monthly = { reportType: "monthly" as const, asOf: "2026-03-15" };

describe("reports.trades", () => {
  it("example 1: realized 100.00 on the sell, volume 250, fees 3.00, average price 11.4", async () => {
    const r: TradeReport = await caller(compliance).reports.trades({ ...monthly, filters: { accountId: "ACC-ALPHA" } });
    expect(r.period).toEqual({ from: "2026-03-01T00:00:00.000Z", to: "2026-04-01T00:00:00.000Z" });
    expect(r.metrics).toEqual({
      totalTrades: 3,
      totalVolume: "250",
      realizedPnL: "100",
      commissions: "3",
      commissionsByCurrency: { USD: "3" },
      averageFillPrice: "11.4",
      totalNotional: "2850",
    });
    expect(r.trades.map((t) => [t.seq, t.side, t.qty, t.px, t.realizedPnL, t.clOrdId])).toEqual([
      [10, "Buy", "100", "10", "0", "C1"],
      [11, "Buy", "100", "12", "0", "C1"],
      [20, "Sell", "50", "13", "100", "C2"],
    ]);
    expect(r.trades[0]?.ts).toBe("2026-03-02T14:00:00.000001Z");
  });

  it("a daily report of day 2 realizes against the cost basis of the fills before it", async () => {
    const r = await caller(compliance).reports.trades({ reportType: "daily", asOf: "2026-03-03", filters: { symbol: "AAPL" } });
    expect(r.metrics).toMatchObject({ totalTrades: 1, totalVolume: "50", realizedPnL: "100", commissions: "1", averageFillPrice: "13" });
  });

  it("example 2 (a flip): realized 250.00, fees 5.00, average price 3350 / 300 = 11.16666667", async () => {
    const r = await caller(compliance).reports.trades({ ...monthly, filters: { accountId: "ACC-BETA", symbol: "MSFT" } });
    expect(r.trades.map((t) => t.realizedPnL)).toEqual(["0", "200", "50"]);
    expect(r.metrics).toMatchObject({
      totalTrades: 3,
      totalVolume: "300",
      realizedPnL: "250",
      commissions: "5",
      averageFillPrice: "11.16666667",
    });
  });

  it("filters by broker (venue) and strategy; a strategy with no fills gives zeros and no average", async () => {
    const slow = await caller(compliance).reports.trades({ ...monthly, filters: { broker: "SIM-SLOW" } });
    expect(slow.trades.map((t) => t.seq)).toEqual([20]);
    expect(slow.metrics.realizedPnL).toBe("100");
    const none = await caller(compliance).reports.trades({ ...monthly, filters: { strategy: "S-NONE" } });
    expect(none.metrics).toMatchObject({ totalTrades: 0, totalVolume: "0", realizedPnL: "0", averageFillPrice: null });
  });

  it("the preview holds `limit` trades and says the rest exist; the metrics cover all", async () => {
    const r = await caller(compliance).reports.trades({ ...monthly, limit: 2 });
    expect(r.trades).toHaveLength(2);
    expect(r.truncated).toBe(true);
    expect(r.metrics.totalTrades).toBe(6);
    expect(r.metrics.realizedPnL).toBe("350");
  });

  it("a key bound to ACC-ALPHA reports its account only and is refused another", async () => {
    const r = await caller(boundKey).reports.trades(monthly);
    expect(new Set(r.trades.map((t) => t.accountId))).toEqual(new Set(["ACC-ALPHA"]));
    await expect(caller(boundKey).reports.trades({ ...monthly, filters: { accountId: "ACC-BETA" } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("refuses a range that ends before it starts, and a trader", async () => {
    await expect(
      caller(compliance).reports.trades({
        reportType: "regulatory",
        dateRange: { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: /dateRange.from must be before/ });
    await expect(caller({ ...compliance, role: "trader" }).reports.trades(monthly)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("report periods", () => {
  it.each([
    ["daily", "2026-03-04", "2026-03-04T00:00:00.000Z", "2026-03-05T00:00:00.000Z"],
    ["weekly", "2026-03-04", "2026-03-02T00:00:00.000Z", "2026-03-09T00:00:00.000Z"],
    ["weekly", "2026-03-08", "2026-03-02T00:00:00.000Z", "2026-03-09T00:00:00.000Z"],
    ["monthly", "2026-12-31", "2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
  ] as const)("%s of %s is [%s, %s)", (reportType, asOf, from, to) => {
    expect(reportPeriod({ reportType, asOf })).toEqual({ from, to });
  });
});

describe("average-cost realization", () => {
  it("a round trip at one price realizes 0, whatever the fills (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 99_999 }),
        (lots, cents) => {
          const books = new AverageCostBooks();
          const px = (cents / 100).toFixed(2);
          for (const q of lots) books.apply({ book: "b", side: "Buy", qty: String(q), px });
          const total = lots.reduce((a, b) => a + b, 0);
          return books.apply({ book: "b", side: "Sell", qty: String(total), px }) === "0";
        },
      ),
    );
  });

  it("realized over a round trip equals sell proceeds minus buy cost (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100_000 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 5 }),
        (buys, sellCents, parts) => {
          const books = new AverageCostBooks();
          let cost = 0n;
          let qty = 0n;
          for (const [q, c] of buys) {
            books.apply({ book: "b", side: "Buy", qty: String(q), px: (c / 100).toFixed(2) });
            cost += BigInt(q) * BigInt(c);
            qty += BigInt(q);
          }
          // Sell it all in `parts` pieces at one price: Σ realized = qty·px − cost exactly (the cost-out roundings cancel).
          let realized = 0;
          let left = qty;
          for (let i = 0; i < parts && left > 0n; i++) {
            const piece = i === parts - 1 ? left : left / BigInt(parts) || left;
            left -= piece;
            realized += Number(books.apply({ book: "b", side: "Sell", qty: String(piece), px: (sellCents / 100).toFixed(2) }));
          }
          if (left > 0n) realized += Number(books.apply({ book: "b", side: "Sell", qty: String(left), px: (sellCents / 100).toFixed(2) }));
          const expected = Number(qty * BigInt(sellCents) - cost) / 100;
          return Math.abs(realized - expected) < 1e-6;
        },
      ),
    );
  });
});
