import type { AddressInfo } from "node:net";
import type { PositionChanged, PositionFill, PositionRow, PositionsResponse } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../src/api/http-server";
import { systemClock } from "../src/clock";
import { createLogger } from "../src/log";
import { useFeeSchedules } from "../src/positions/fees";
import { DEFAULT_LIVE_POSITIONS_CONFIG, LivePositions } from "../src/positions/live-positions";
import { createOrderManagerHarness, type OrderManagerHarness } from "./harness";

// POSITIONS.md example 1 played through the real order manager against a scripted venue, with the
// live positions component subscribed to its book, read through the engine's internal API.

const TOKEN = "t".repeat(32);
let h: OrderManagerHarness;
let live: LivePositions;
let server: ReturnType<typeof createApiServer>;
let base: string;

beforeAll(async () => {
  h = await createOrderManagerHarness();
  live = new LivePositions(systemClock, DEFAULT_LIVE_POSITIONS_CONFIG);
  h.orders.book.onApplied((event, order) => live.onApplied(event, order));
  useFeeSchedules(h.orders.book, () => ({ currency: "USD", perShare: "0.005", minimumPerOrder: "1.00", maker: { perShare: "0.002" } }));
  server = createApiServer({
    token: TOKEN,
    positions: h.positions,
    livePositions: live,
    log: createLogger("silent"),
  } as unknown as Parameters<typeof createApiServer>[0]);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

function quoteAt(symbol: string, px: string): void {
  h.quotes.set(symbol, { symbol, bid: px, ask: px, last: px, ts: Date.now() });
}

/** An order for `side qty @ px` filled by the scripted venue with the venue's own commission of 1.00 USD. */
async function filledWithCommission(accountId: string, strategy: string, side: "Buy" | "Sell", qty: string, px: string) {
  quoteAt("AAPL", px);
  const order = await h.working({ accountId, strategy, side, orderQty: qty, price: px, symbol: "AAPL" });
  h.venue.report({
    kind: "fill",
    orderId: order.orderId,
    execId: `X-${order.orderId}`,
    lastQty: qty,
    lastPx: px,
    commission: { amount: "1.00", currency: "USD" },
  });
  return order;
}

describe("positions API over the scripted venue", () => {
  it("POSITIONS.md example 1: average cost and FIFO figures, fees from the venue's commission, roll-ups in USD", async () => {
    const b1 = await filledWithCommission("ACC-1", "ex1", "Buy", "100", "10.00");
    await filledWithCommission("ACC-1", "ex1", "Buy", "100", "12.00");
    const s1 = await filledWithCommission("ACC-1", "ex1", "Sell", "50", "13.00");
    live.onQuote({ symbol: "AAPL", bid: "12.49", ask: "12.51", last: "12.47", ts: Date.now() });

    const fillEvent = (await h.events()).find((e) => e.type === "OrderFilled" && e.orderId === b1.orderId);
    expect(fillEvent?.data).toMatchObject({ fees: [{ amount: "1", currency: "USD", kind: "commission" }] });

    const avg = await get<PositionsResponse>("/v1/positions?accountId=ACC-1&strategy=ex1&method=avgCost");
    expect(avg.method).toBe("avgCost");
    expect(avg.rows).toHaveLength(1);
    const a = avg.rows[0] as PositionRow;
    expect(a).toMatchObject({ accountId: "ACC-1", strategy: "ex1", symbol: "AAPL", currency: "USD", qty: "150" });
    expect(a.mark).toMatchObject({ px: "12.5", source: "mid", stale: false });
    expect([a.avgPx, a.realized, a.unrealized, a.fees, a.net].map(Number)).toEqual([11, 100, 225, 3, 322]);
    expect(a.realized).toBe("100");
    expect(a.unrealized).toBe("225");
    expect(a.net).toBe("322");
    expect(a.netUsd).toBe("322");
    expect(a.grossExposure).toBe("1875");

    const fifo = await get<PositionsResponse>("/v1/positions?accountId=ACC-1&strategy=ex1&method=fifo");
    const f = fifo.rows[0] as PositionRow;
    expect([f.realized, f.unrealized, f.fees, f.net]).toEqual(["150", "175", "3", "322"]);
    expect(f.realizedBy).toEqual({ avgCost: "100", fifo: "150" });
    expect(f.unrealizedUsdBy).toEqual({ avgCost: "225", fifo: "175" });
    expect(fifo.byAccount).toHaveLength(1);
    expect(fifo.byAccount[0]).toMatchObject({ group: { accountId: "ACC-1" }, realized: "150", unrealized: "175", fees: "3", net: "322" });
    expect(avg.byAccount[0]).toMatchObject({ realized: "100", unrealized: "225", net: "322" });
    expect(fifo.firm).toMatchObject({ realized: "150", net: "322", currency: "USD" });
    expect(fifo.byStrategy.find((r) => r.group.strategy === "ex1")).toMatchObject({ net: "322" });

    const { fills } = await get<{ fills: PositionFill[] }>("/v1/positions/fills?accountId=ACC-1&symbol=AAPL&strategy=ex1");
    expect(fills.map((x) => [x.side, x.qty, x.px, x.busted])).toEqual([
      ["Buy", "100", "10.00", false],
      ["Buy", "100", "12.00", false],
      ["Sell", "50", "13.00", false],
    ]);
    expect(fills[0]).toMatchObject({
      orderId: b1.orderId,
      venueId: "SCRIPTED",
      fees: [{ amount: "1", currency: "USD", kind: "commission" }],
    });
    expect(fills[2]?.orderId).toBe(s1.orderId);

    // the old quantity list the Risk page reads is still there
    expect(avg.positions).toContainEqual(expect.objectContaining({ accountId: "ACC-1", symbol: "AAPL", qty: "150" }));
  });

  it("without a venue commission the fee schedule applies: per share by liquidity, topped up to the order's minimum", async () => {
    quoteAt("MSFT", "50");
    const order = await h.working({ accountId: "ACC-2", symbol: "MSFT", orderQty: "300", price: "50" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "S-1", lastQty: "100", lastPx: "50", liquidity: "maker" });
    h.venue.report({ kind: "fill", orderId: order.orderId, execId: "S-2", lastQty: "200", lastPx: "50", liquidity: "taker" });
    const fills = (await h.events()).filter(
      (e) => e.orderId === order.orderId && (e.type === "OrderPartiallyFilled" || e.type === "OrderFilled"),
    );
    // maker 100 × 0.002 = 0.20, topped up to the 1.00 minimum; then 200 × 0.005 = 1.00 with no top-up
    expect(
      fills.map((e) => (e.type === "OrderFilled" || e.type === "OrderPartiallyFilled" ? [e.data.liquidity, e.data.fees] : null)),
    ).toEqual([
      [
        "maker",
        [
          { amount: "0.2", currency: "USD", kind: "commission" },
          { amount: "0.8", currency: "USD", kind: "minimum" },
        ],
      ],
      ["taker", [{ amount: "1", currency: "USD", kind: "commission" }]],
    ]);
    const snap = await get<PositionsResponse>("/v1/positions?accountId=ACC-2");
    expect(snap.rows.find((r) => r.symbol === "MSFT")).toMatchObject({ qty: "300", fees: "2" });
  });

  it("a bust takes the fill out of the position, the fills list keeps it flagged, and the change streams at once", async () => {
    const res = await fetch(`${base}/v1/positions/stream?accountId=ACC-2`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no stream");
    const decoder = new TextDecoder();
    let buffer = "";
    const next = async (): Promise<PositionChanged> => {
      for (;;) {
        const m = /data: (.*)\n\n/.exec(buffer);
        if (m?.[1]) {
          buffer = buffer.slice((m.index ?? 0) + m[0].length);
          return JSON.parse(m[1]) as PositionChanged;
        }
        const { value } = await reader.read();
        buffer += decoder.decode(value);
      }
    };
    await new Promise((r) => setTimeout(r, 20)); // the subscription is made when the headers go out
    const order = h.orders.all().find((o) => o.accountId === "ACC-2" && o.symbol === "MSFT");
    if (!order) throw new Error("no order");
    h.venue.report({ kind: "tradeBusted", orderId: order.orderId, refExecId: "S-2", reason: "clearly erroneous" });
    const change = await next();
    expect(change).toMatchObject({
      type: "PositionChanged",
      cause: "fill",
      row: { accountId: "ACC-2", symbol: "MSFT", qty: "100", fees: "1" },
    });
    await reader.cancel();

    const { fills } = await get<{ fills: PositionFill[] }>("/v1/positions/fills?accountId=ACC-2&symbol=MSFT");
    expect(fills.map((x) => [x.execId, x.busted])).toEqual([
      ["S-1", false],
      ["S-2", true],
    ]);
  });

  it("answers with the intraday P&L series and refuses a wrong method", async () => {
    live.sample();
    const series = await get<{ accountId: string; points: { netUsd: string }[] }>("/v1/positions/pnl-series?accountId=ACC-1");
    expect(series.accountId).toBe("ACC-1");
    expect(series.points.at(-1)?.netUsd).toBe("322");
    const bad = await fetch(`${base}/v1/positions?method=lifo`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    const unauth = await fetch(`${base}/v1/positions`);
    expect(unauth.status).toBe(401);
  });
});
