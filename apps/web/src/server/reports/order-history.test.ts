import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { appRouter } from "../routers/root";
import { insertOrder } from "./test-fills";

// reports.orderHistory: server-side sort and keyset paging over the orders projection.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const trader: Principal = { kind: "user", id: "u-t", email: "t@x.test", name: "t", role: "trader" };
const history = (principal: Principal = trader) =>
  appRouter.createCaller({ principal, engine: {} as EngineClient, prisma }).reports.orderHistory;

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  for (let i = 0; i < 25; i++) {
    await insertOrder(prisma, {
      id: `O${String(i).padStart(2, "0")}`,
      clOrdId: `C${i}`,
      accountId: i % 2 ? "ACC-ALPHA" : "ACC-BETA",
      strategy: null,
      symbol: ["AAPL", "MSFT", "TSLA"][i % 3] as string,
      side: i % 2 ? "Buy" : "Sell",
    });
    // Distinct creation times (one second apart) and quantities, with ties on quantity.
    await prisma.$executeRawUnsafe(
      "UPDATE orders SET created_at = $2::timestamptz, order_qty = $3 WHERE id = $1",
      `O${String(i).padStart(2, "0")}`,
      new Date(Date.UTC(2026, 2, 2, 14, 0, i)).toISOString(),
      [9, 10, 100, 1000, 5][i % 5],
    );
  }
});

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
});

async function all(input: Parameters<ReturnType<typeof history>>[0]) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await history()({ ...input, cursor, limit: 7 });
    ids.push(...page.orders.map((o) => o.orderId));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor);
  return { ids, pages };
}

describe("reports.orderHistory", () => {
  it("pages newest first by creation, 7 at a time, every order exactly once", async () => {
    const { ids, pages } = await all({ sort: "createdAt", dir: "desc" });
    expect(pages).toBe(4);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => `O${String(24 - i).padStart(2, "0")}`));
  });

  it("sorts by quantity as a number (9 before 10 before 100), ties broken by id, across pages", async () => {
    const { ids } = await all({ sort: "orderQty", dir: "asc" });
    const expected = Array.from({ length: 25 }, (_, i) => ({ id: `O${String(i).padStart(2, "0")}`, q: [9, 10, 100, 1000, 5][i % 5] ?? 0 }))
      .sort((a, b) => a.q - b.q || a.id.localeCompare(b.id))
      .map((o) => o.id);
    expect(ids).toEqual(expected);
  });

  it("filters by account, symbol and side", async () => {
    const page = await history()({ filters: { accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy" }, limit: 50 });
    expect(page.orders.map((o) => o.orderId)).toEqual(["O21", "O15", "O09", "O03"]);
    expect(page.nextCursor).toBeNull();
  });

  it("filters by status and by creation time [from, to), as the History page sends them; a bad instant is refused", async () => {
    await prisma.$executeRawUnsafe("UPDATE orders SET ord_status = 'Cancelled' WHERE id IN ('O04', 'O07', 'O11')");
    try {
      const cancelled = await history()({ filters: { ordStatus: ["Cancelled"] }, limit: 50 });
      expect(cancelled.orders.map((o) => o.orderId)).toEqual(["O11", "O07", "O04"]);
      // Created 14:00:05 up to (not including) 14:00:08: O05, O06, O07.
      const window = await history()({
        filters: { from: "2026-03-02T14:00:05Z", to: "2026-03-02T14:00:08Z" },
        sort: "createdAt",
        dir: "asc",
        limit: 50,
      });
      expect(window.orders.map((o) => o.orderId)).toEqual(["O05", "O06", "O07"]);
      const both = await history()({ filters: { ordStatus: ["Cancelled"], from: "2026-03-02T14:00:05Z" }, limit: 50 });
      expect(both.orders.map((o) => o.orderId)).toEqual(["O11", "O07"]);
      await expect(history()({ filters: { from: "yesterday" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    } finally {
      await prisma.$executeRawUnsafe("UPDATE orders SET ord_status = 'Filled' WHERE id IN ('O04', 'O07', 'O11')");
    }
  });

  it("a bound key sees only its accounts; a forged cursor is refused", async () => {
    const key: Principal = { kind: "apiKey", id: "k", name: "alpha", role: "trader", accountIds: ["ACC-ALPHA"] };
    const page = await history(key)({ limit: 50 });
    expect(new Set(page.orders.map((o) => o.accountId))).toEqual(new Set(["ACC-ALPHA"]));
    await expect(
      history()({ sort: "orderQty", cursor: Buffer.from('["1; DROP TABLE orders","x"]').toString("base64url") }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
