import { type OrdStatus, TERMINAL_STATUSES } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "../../test/harness";

// GET /v1/audit/as-of: the book rebuilt from the journal at a past moment, by seq or by time.

let h: Harness;
let before: { seq: number; ts: string };

const submit = (clOrdId: string, orderQty: string, extra: Record<string, unknown> = {}) =>
  h.api("/v1/orders", {
    body: {
      actor: "user:t@x.test",
      order: { clOrdId, accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Market", orderQty, timeInForce: "DAY", ...extra },
    },
  });

beforeAll(async () => {
  h = await createHarness();
  await h.start();
  const first = await submit("ASOF-1", "10");
  const firstId = first.json.order.orderId as string;
  await until(async () => ((await h.api(`/v1/orders/${firstId}`)).json.order.ordStatus === "Filled" ? true : undefined), 10_000);
  // The API shows the order as applied; the journal row of its fill may still be in the group commit.
  await h.engine?.journal.durable();
  const { rows } = await h.pool.query(
    "SELECT max(seq)::int AS seq, to_char(max(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS ts FROM journal",
  );
  before = rows[0];
  const second = await submit("ASOF-2", "5");
  const secondId = second.json.order.orderId as string;
  await until(async () => ((await h.api(`/v1/orders/${secondId}`)).json.order.ordStatus === "Filled" ? true : undefined), 10_000);
  await h.engine?.journal.durable();
});
afterAll(() => h?.close());

describe("GET /v1/audit/as-of", () => {
  it("by seq: only the first order, filled, and a position of 10", async () => {
    const { status, json } = await h.api(`/v1/audit/as-of?seq=${before.seq}`);
    expect(status).toBe(200);
    expect(json.asOf.seq).toBe(before.seq);
    expect(json.orders.map((o: { clOrdId: string; ordStatus: string }) => [o.clOrdId, o.ordStatus])).toEqual([["ASOF-1", "Filled"]]);
    expect(json.positions).toEqual([expect.objectContaining({ accountId: "ACC-ALPHA", symbol: "AAPL", qty: "10" })]);
  });

  it("by time: the same moment gives the same book; now gives both orders and 15", async () => {
    const atTime = await h.api(`/v1/audit/as-of?ts=${before.ts}`);
    expect(atTime.json.ordersTotal).toBe(1);
    const now = await h.api(`/v1/audit/as-of?ts=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(now.json.ordersTotal).toBe(2);
    expect(now.json.positions[0].qty).toBe("15");
  });

  it("gives the positions view as it stood: the live book's average price, realized P&L and fees, no marks", async () => {
    const then = (await h.api(`/v1/audit/as-of?seq=${before.seq}`)).json.pnl;
    expect(then.rows).toEqual([
      expect.objectContaining({ accountId: "ACC-ALPHA", symbol: "AAPL", qty: "10", mark: null, unrealized: null }),
    ]);
    const now = (await h.api(`/v1/audit/as-of?ts=${new Date(Date.now() + 60_000).toISOString()}`)).json.pnl;
    const live = (await h.api("/v1/positions?method=avgCost")).json;
    const pick = (r: Record<string, unknown>) => [r.accountId, r.symbol, r.qty, r.avgPx, r.realized, r.fees];
    expect(now.rows.map(pick)).toEqual(live.rows.map(pick));
    expect(now.rows[0].qty).toBe("15");
    expect(now.byAccount.map((r: { group: { accountId: string } }) => r.group.accountId)).toEqual(["ACC-ALPHA"]);
  });

  it("refuses neither or both of ts and seq, and a status that is none", async () => {
    expect((await h.api("/v1/audit/as-of")).status).toBe(400);
    expect((await h.api(`/v1/audit/as-of?seq=1&ts=${before.ts}`)).status).toBe(400);
    const bad = await h.api("/v1/audit/as-of?seq=1&status=Sleeping");
    expect([bad.status, bad.json.error.code]).toEqual([400, "INVALID_INPUT"]);
    expect((await h.api("/v1/audit/as-of?seq=1&offset=-1")).status).toBe(400);
    expect((await h.api("/v1/audit/as-of?seq=1&page=2")).status).toBe(400);
  });
});

describe("GET /v1/audit/as-of: pages and filters over more orders than a page", () => {
  type Row = { orderId: string; clOrdId: string; accountId: string; symbol: string; ordStatus: OrdStatus };
  let head: number;
  let received: string[];

  beforeAll(async () => {
    // 14 more orders over two accounts and two symbols; half rest (a buy limit some 3% below the
    // reference price: inside the price collar, below the quiet simulated market).
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) {
      const symbol = i % 4 < 2 ? "AAPL" : "MSFT";
      const resting = i % 2 === 0 ? { ordType: "Limit", price: symbol === "AAPL" ? "184.00" : "403.00" } : {};
      const r = await submit(`ASOF-P${i}`, "1", {
        accountId: i % 3 === 0 ? "ACC-BETA" : "ACC-ALPHA",
        symbol,
        ...resting,
      });
      ids.push(r.json.order.orderId as string);
    }
    const settled = async (orderId: string) => (await h.api(`/v1/orders/${orderId}`)).json.order.ordStatus !== "PendingNew";
    await until(async () => ((await Promise.all(ids.map(settled))).every(Boolean) ? true : undefined), 10_000);
    head = (await h.pool.query("SELECT max(seq)::int AS seq FROM journal")).rows[0].seq;
    received = (await h.pool.query("SELECT order_id FROM journal WHERE type = 'OrderReceived' AND seq <= $1", [head])).rows.map(
      (r) => r.order_id,
    );
  });

  /** Every page of the book at `head` with these filters, 5 orders a page. */
  async function allPages(filters = ""): Promise<{ rows: Row[]; matched: number; pages: number }> {
    const rows: Row[] = [];
    let matched = 0;
    let pages = 0;
    for (let offset = 0; ; offset += 5) {
      const { status, json } = await h.api(`/v1/audit/as-of?seq=${head}&limit=5&offset=${offset}${filters}`);
      expect(status).toBe(200);
      expect(json.orders.length).toBeLessThanOrEqual(5);
      matched = json.matched;
      if (json.orders.length === 0) break;
      pages += 1;
      rows.push(...json.orders);
    }
    return { rows, matched, pages };
  }

  it("reaches every order exactly once, page by page, working ones first", async () => {
    const { rows, matched, pages } = await allPages();
    expect(received.length).toBe(16);
    expect(matched).toBe(16);
    expect(pages).toBe(4);
    expect(rows.map((o) => o.orderId).sort()).toEqual([...received].sort());
    const working = rows.findIndex((o) => TERMINAL_STATUSES.includes(o.ordStatus));
    expect(rows.slice(0, working).length).toBeGreaterThan(0);
    expect(rows.slice(working).every((o) => TERMINAL_STATUSES.includes(o.ordStatus))).toBe(true);
    // The same page twice is the same orders (a stable order; the second read is the kept book).
    const again = await h.api(`/v1/audit/as-of?seq=${head}&limit=5&offset=5`);
    expect(again.json.orders.map((o: Row) => o.orderId)).toEqual(rows.slice(5, 10).map((o) => o.orderId));
  });

  it("filters by account, symbol and status: exactly the orders of the whole book that match", async () => {
    const { rows: all } = await allPages();
    const beta = await allPages("&accountId=ACC-BETA");
    expect(beta.rows).toEqual(all.filter((o) => o.accountId === "ACC-BETA"));
    expect(beta.matched).toBe(5);
    const msft = await allPages("&symbol=MSFT&accountId=ACC-ALPHA&accountId=ACC-BETA");
    expect(msft.rows).toEqual(all.filter((o) => o.symbol === "MSFT"));
    expect(msft.matched).toBe(6);
    const statuses = [...new Set(all.map((o) => o.ordStatus))];
    expect(statuses.length).toBeGreaterThan(1);
    const one = await allPages(`&status=${statuses[0]}`);
    expect(one.rows).toEqual(all.filter((o) => o.ordStatus === statuses[0]));
    const book = (await h.api(`/v1/audit/as-of?seq=${head}&symbol=MSFT&accountId=ACC-BETA`)).json;
    expect(book.positions.every((p: Row) => p.accountId === "ACC-BETA" && p.symbol === "MSFT")).toBe(true);
    expect(book.pnl.rows.every((p: Row) => p.accountId === "ACC-BETA" && p.symbol === "MSFT")).toBe(true);
    // The totals are of the accounts asked for.
    expect([book.ordersTotal, beta.rows.length]).toEqual([5, 5]);
  });

  it("past the last page: no orders, the same count", async () => {
    const { json } = await h.api(`/v1/audit/as-of?seq=${head}&limit=5&offset=500`);
    expect([json.orders, json.matched, json.ordersTotal]).toEqual([[], 16, 16]);
  });
});
