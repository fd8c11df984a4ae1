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
  const { rows } = await h.pool.query(
    "SELECT max(seq)::int AS seq, to_char(max(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS ts FROM journal",
  );
  before = rows[0];
  const second = await submit("ASOF-2", "5");
  const secondId = second.json.order.orderId as string;
  await until(async () => ((await h.api(`/v1/orders/${secondId}`)).json.order.ordStatus === "Filled" ? true : undefined), 10_000);
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

  it("refuses neither or both of ts and seq", async () => {
    expect((await h.api("/v1/audit/as-of")).status).toBe(400);
    expect((await h.api(`/v1/audit/as-of?seq=1&ts=${before.ts}`)).status).toBe(400);
  });
});
