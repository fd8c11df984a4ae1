import type net from "node:net";
import type { AddressInfo } from "node:net";
import { money, type Order, submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RandomWalkFeed } from "../src/marketdata/quotes";
import { loadReference } from "../src/reference";
import { createSimVenue, type SimVenueConfig } from "../src/venues/registry";
import { createExchangeServer } from "../src/venues/sim/exchange-server";
import type { SimVenue } from "../src/venues/sim/sim-venue";
import { createHarness, type Harness, until } from "./harness";

// Breaks made on purpose against the simulated exchange running outside the engine (as in
// production: it outlives an engine restart): a fill the engine never saw, an external trade, a
// statement with a different quantity, an order the venue lost; each found, shown by the API and
// resolved, and a break found at start restricting its account/symbol until resolved.

let h: Harness;
let server: net.Server;
let feed: RandomWalkFeed;
const exchange = new Map<string, SimVenue>();
const ACCOUNT = "ACC-ALPHA";
let venueId = "";
const E = () => {
  if (!h.engine) throw new Error("engine not started");
  return h.engine;
};

beforeAll(async () => {
  process.env.RECON_INTERVAL_MS = "0";
  h = await createHarness();
  const reference = await loadReference(h.pool);
  feed = new RandomWalkFeed([...reference.instruments.values()], 60_000, 7);
  for (const row of reference.venues.filter((v) => v.kind === "sim")) {
    const venue = createSimVenue(
      row.id,
      { ...(row.config as SimVenueConfig), remote: undefined, latencyMs: 0, partialFillRate: 0, rejectRate: 0 } as SimVenueConfig,
      {
        feed,
        lotSize: (s) => reference.instruments.get(s)?.lotSize ?? "1",
        defaultLatencyMs: 0,
      },
    );
    await venue.connect();
    exchange.set(row.id, venue);
  }
  server = createExchangeServer(exchange);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await h.pool.query("UPDATE venue SET config = config || jsonb_build_object('remote', $1::text)", [`127.0.0.1:${port}`]);
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
  server?.close();
  delete process.env.RECON_INTERVAL_MS;
});

let seq = 0;
async function buy(symbol: string, qty: string, side: "Buy" | "Sell" = "Buy"): Promise<Order> {
  seq += 1;
  const input = submitOrderInput.parse({
    clOrdId: `rec-${seq}`,
    accountId: ACCOUNT,
    symbol,
    side,
    ordType: "Market",
    orderQty: qty,
    timeInForce: "DAY",
  });
  const { order } = await E().orders.submit(input, "user:trader");
  return until(() => {
    const o = E().orders.get(order.orderId);
    return o?.ordStatus === "Filled" ? o : undefined;
  });
}

const qty = (symbol: string) => E().positions.position(ACCOUNT, symbol).qty;
const openBreaks = async () =>
  (await h.api("/v1/reconciliation/breaks?status=open")).json.breaks as { breakId: string; [k: string]: unknown }[];
const journal = async (type: string) => {
  await h.engine?.journal.durable(); // applied is not yet committed: wait for the group commit
  return (await h.pool.query("SELECT actor, account_id, payload FROM journal WHERE type = $1 ORDER BY seq", [type])).rows.map((r) => ({
    actor: r.actor,
    ...r.payload.data,
  }));
};

describe("reconciliation with the brokers", () => {
  it("agrees when nothing happened behind our back; FIX venues are marked unsupported", async () => {
    const order = await buy("AAPL", "100");
    venueId = order.venueId ?? "";
    const run = await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } });
    expect(run.status).toBe(200);
    expect(run.json.found).toEqual([]);
    const sources = (await h.api("/v1/reconciliation/breaks")).json.sources as { source: string; state: string }[];
    expect(sources.find((s) => s.source === `venue:${venueId}`)).toMatchObject({ state: "ok" });
    expect(await openBreaks()).toEqual([]);
  });

  it("counts the fills booked since the last run (a run groups the book's fills by venue once, and again when fills were added)", async () => {
    await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } });
    // New fills in both directions after that run (flat again at the end: later tests compare whole books): still no break.
    for (const [symbol, side] of [
      ["TSLA", "Buy"],
      ["SPY", "Buy"],
      ["TSLA", "Sell"],
      ["SPY", "Sell"],
    ] as const)
      await buy(symbol, "7", side);
    const run = await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } });
    expect(run.json.found).toEqual([]);
    expect(await openBreaks()).toEqual([]);
  });

  it("counts a split order's fills once at each venue (the parent's copies of its children's fills are not fills at a venue)", async () => {
    for (const side of ["Buy", "Sell"] as const) {
      seq += 1;
      const input = submitOrderInput.parse({
        clOrdId: `rec-split-${seq}`,
        accountId: ACCOUNT,
        symbol: "MSFT",
        side,
        ordType: "Market",
        orderQty: "900",
        timeInForce: "DAY",
        routing: "liquiditySplit",
      });
      const { order } = await E().orders.submit(input, "user:trader");
      await until(() => {
        feed.step();
        return E().orders.get(order.orderId)?.ordStatus === "Filled" ? true : undefined;
      });
      const children = E()
        .orders.all()
        .filter((o) => o.parentId === order.orderId);
      expect(new Set(children.map((c) => c.venueId)).size).toBeGreaterThan(1);
      const run = await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } });
      expect(run.json.found).toEqual([]);
    }
    expect(await openBreaks()).toEqual([]);
  });

  it("a fill the engine never saw is a MISSING_FILL break; adopting sets the broker's quantity, journaled with who and why", async () => {
    const order = (await E().orders.all()).find((o) => o.symbol === "AAPL" && o.ordStatus === "Filled") as Order;
    exchange.get(venueId)?.injectSilentFill(order.orderId, "10", "100");
    const run = await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } });
    expect(run.json.found).toHaveLength(1);
    const [b] = await openBreaks();
    expect(b).toMatchObject({
      kind: "position",
      source: `venue:${venueId}`,
      accountId: ACCOUNT,
      symbol: "AAPL",
      ours: "100",
      theirs: "110",
      difference: "10",
      cause: "MISSING_FILL",
      restricts: null,
    });

    const refused = await h.api(`/v1/reconciliation/breaks/${b?.breakId}/resolve`, {
      body: { action: "adopt", note: " ", actor: "user:risk1" },
    });
    expect(refused.status).toBe(400);
    const resolved = await h.api(`/v1/reconciliation/breaks/${b?.breakId}/resolve`, {
      body: { action: "adopt", note: "exchange confirms the 10-share fill; report lost", actor: "user:risk1" },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.json.break).toMatchObject({ status: "adopted", resolvedBy: "user:risk1" });
    expect(qty("AAPL")).toBe("110");
    expect(await journal("PositionAdjusted")).toEqual([
      expect.objectContaining({
        actor: "user:risk1",
        symbol: "AAPL",
        oldQty: "100",
        newQty: "110",
        delta: "10",
        reason: "exchange confirms the 10-share fill; report lost",
      }),
    ]);
    // Found again? No: our view of that venue includes the adjusting entry.
    expect((await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } })).json.found).toEqual([]);
  });

  it("an external trade at the venue is an EXTERNAL_TRADE break; marked investigated with a note, nothing adjusted", async () => {
    exchange.get(venueId)?.injectExternalTrade({ accountId: ACCOUNT, symbol: "MSFT", side: "Sell", qty: "25", px: "300" });
    await h.api("/v1/reconciliation/run", { body: { actor: "user:risk1" } });
    const b = (await openBreaks()).find((x) => x.symbol === "MSFT");
    expect(b).toMatchObject({ ours: "0", theirs: "-25", cause: "EXTERNAL_TRADE" });
    const r = await h.api(`/v1/reconciliation/breaks/${b?.breakId}/resolve`, {
      body: { action: "investigated", note: "desk traded on the broker's screen", actor: "user:risk2" },
    });
    expect(r.json.break).toMatchObject({ status: "investigated", note: "desk traded on the broker's screen", resolvedBy: "user:risk2" });
    expect(qty("MSFT")).toBe("0");
  });

  it("a statement with a different quantity is a break from the statement source", async () => {
    const r = await h.api("/v1/reconciliation/statements", {
      body: {
        actor: "user:risk1",
        name: "prime-eod",
        positions: `Account,Ticker,Net Qty\n${ACCOUNT},AAPL,"1,100"\n`,
        mapping: { positions: { account: "Account", symbol: "Ticker", qty: "Net Qty" } },
      },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.source).toBe("statement:prime-eod");
    const b = (await openBreaks()).find((x) => x.source === "statement:prime-eod");
    expect(b).toMatchObject({ symbol: "AAPL", ours: "110", theirs: "1100", cause: "CORPORATE_ACTION" });
    const bad = await h.api("/v1/reconciliation/statements", {
      body: { actor: "user:risk1", name: "x", positions: "account,symbol,quantity\nA,B,zz\n" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/not a decimal/);
  });

  it("an order the venue lost is a break, settled by the risk role as cancelled with a reason", async () => {
    seq += 1;
    const input = submitOrderInput.parse({
      clOrdId: `rec-${seq}`,
      accountId: ACCOUNT,
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      price: money.round(money.mul(E().feed.quote("AAPL")?.bid ?? "1", "0.97"), 2),
      orderQty: "5",
      timeInForce: "GTC",
    });
    const { order } = await E().orders.submit(input, "user:trader");
    const accepted = await until(() =>
      E().orders.get(order.orderId)?.ordStatus === "Accepted" ? E().orders.get(order.orderId) : undefined,
    ).catch(() => {
      throw new Error(`order is ${JSON.stringify(E().orders.get(order.orderId))}`);
    });
    // The venue forgets the order (a venue-side failure): cancel it there quietly.
    const venue = exchange.get(accepted.venueId ?? "") as unknown as { records: Map<string, unknown>; working: Map<string, unknown> };
    venue.records.delete(order.orderId);
    venue.working.delete(order.orderId);
    await E().orders.reconcile();
    await until(async () => ((await openBreaks()).some((b) => b.orderId === order.orderId) ? true : undefined));
    const shown = (await h.api("/v1/reconciliation/breaks")).json;
    expect(shown.unknownFate.map((u: { order: Order }) => u.order.orderId)).toContain(order.orderId);
    expect(shown.breaks.find((b: { orderId: string }) => b.orderId === order.orderId)).toMatchObject({
      kind: "order",
      cause: "VENUE_LOST_ORDER",
    });

    const settled = await h.api(`/v1/orders/${order.orderId}/settle`, {
      body: { outcome: "cancelled", reason: "venue confirms no such order", actor: "user:risk1" },
    });
    expect(settled.status, JSON.stringify(settled.json)).toBe(200);
    expect(settled.json.order.ordStatus).toBe("Cancelled");
    const cancelled = (await journal("OrderCancelled")).find((e) => e.reason.includes("venue confirms no such order"));
    expect(cancelled).toMatchObject({ actor: "user:risk1", reason: "settled by reconciliation: venue confirms no such order" });
    expect((await openBreaks()).some((b) => b.orderId === order.orderId)).toBe(false);
  });

  it("a break found at start puts the account/symbol in REDUCING until resolved", async () => {
    await E().stop();
    // While the engine is down, the exchange books a trade of ours it will never hear about.
    exchange.get(venueId)?.injectExternalTrade({ accountId: ACCOUNT, symbol: "NVDA", side: "Buy", qty: "7", px: "500" });
    await h.start();
    const b = (await openBreaks()).find((x) => x.symbol === "NVDA");
    expect(b).toMatchObject({ restricts: `account:${ACCOUNT}/symbol:NVDA`, cause: "EXTERNAL_TRADE" });
    expect(E().risk.tradingState(ACCOUNT, "NVDA")).toBe("REDUCING");
    expect(E().risk.tradingState(ACCOUNT, "AAPL")).toBe("ACTIVE");
    // Rebuilt from the journal: the earlier resolutions survive the restart.
    expect(qty("AAPL")).toBe("110");
    await h.api(`/v1/reconciliation/breaks/${b?.breakId}/resolve`, {
      body: { action: "adopt", note: "give-up from another broker", actor: "user:risk1" },
    });
    expect(qty("NVDA")).toBe("7");
    expect(E().risk.tradingState(ACCOUNT, "NVDA")).toBe("ACTIVE");
    const states = await journal("TradingStateChanged");
    expect(states.map((s) => [s.actor, s.scope, s.new])).toEqual([
      ["reconciliation", `account:${ACCOUNT}/symbol:NVDA`, "REDUCING"],
      ["reconciliation", `account:${ACCOUNT}/symbol:NVDA`, "ACTIVE"],
    ]);
  });
});
