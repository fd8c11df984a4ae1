import { money, type Order, type OrderEvent, replayOrders } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJournal } from "../src/journal/read";
import { verifyJournal } from "../src/journal/verify";
import { createHarness, type Harness, journalCount, streamText, until } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  // Resting test orders sit far from the market, beyond the default 10% price collar.
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
});
afterAll(async () => h?.close());

const limitBuy = (overrides: Record<string, unknown> = {}) => ({
  accountId: "ACC-ALPHA",
  symbol: "AAPL",
  side: "Buy",
  ordType: "Limit",
  orderQty: "100",
  price: "1.00",
  timeInForce: "DAY",
  ...overrides,
});

async function submit(order: Record<string, unknown>) {
  return h.api("/v1/orders", { body: { actor: "user:test", order } });
}

function engineOrder(orderId: string): Order | undefined {
  return h.engine?.orders.get(orderId);
}

describe("engine internal API", () => {
  it("refuses requests without the service token and changes nothing", async () => {
    const before = await journalCount(h.pool);
    const res = await h.api("/v1/orders", { body: { actor: "user:x", order: limitBuy() }, token: null });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("UNAUTHORIZED");
    const wrong = await h.api("/v1/snapshot", { token: "not-the-token-at-all-000000" });
    expect(wrong.status).toBe(401);
    expect(await journalCount(h.pool)).toBe(before);
  });

  it("acknowledges a submit only after its events are in the journal", async () => {
    const res = await submit(limitBuy({ clOrdId: "rest-1" }));
    expect(res.status).toBe(201);
    const order = res.json.order as Order;
    // Sent while its events commit: a zero-latency venue may have acknowledged it by the answer.
    expect(["Submitted", "Accepted"]).toContain(order.ordStatus);
    await h.engine?.journal.durable(); // applied is not yet committed: wait for the group commit
    const { rows } = await h.pool.query("SELECT type FROM journal WHERE order_id = $1 AND type LIKE 'Order%' ORDER BY seq", [
      order.orderId,
    ]);
    // With zero venue latency the acknowledgement may already have followed; the three before it must be there.
    expect(rows.map((r) => r.type).slice(0, 3)).toEqual(["OrderReceived", "OrderValidated", "OrderSubmitted"]);
    await until(() => (engineOrder(order.orderId)?.ordStatus === "Accepted" ? true : undefined));
  });

  it("returns the existing order for a repeated client order id and creates nothing", async () => {
    const first = await submit(limitBuy({ clOrdId: "dup-1" }));
    await h.engine?.journal.durable();
    const before = await journalCount(h.pool);
    const again = await submit(limitBuy({ clOrdId: "dup-1", orderQty: "5" }));
    expect(again.status).toBe(200);
    expect(again.json.duplicate).toBe(true);
    expect(again.json.order.orderId).toBe(first.json.order.orderId);
    expect(again.json.order.orderQty).toBe("100");
    expect(await journalCount(h.pool)).toBe(before);
  });

  it.each([
    [{ orderQty: "0" }, "orderQty"],
    [{ orderQty: "-5" }, "orderQty"],
    [{ orderQty: "1e3" }, "orderQty"],
    [{ price: undefined }, "price"],
    [{ symbol: "aapl" }, "symbol"],
    [{ side: "Short" }, "side"],
    [{ extra: 1 }, ""],
  ])("refuses bad input %j with a typed error naming %s, journaling nothing", async (patch, field) => {
    await h.engine?.journal.durable();
    const before = await journalCount(h.pool);
    const res = await submit(limitBuy(patch));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("INVALID_INPUT");
    expect(res.json.error.message).toContain(field);
    expect(await journalCount(h.pool)).toBe(before);
  });

  it("refuses malformed JSON and oversized bodies", async () => {
    expect((await h.api("/v1/orders", { body: "{not json" })).json.error.code).toBe("INVALID_INPUT");
    const huge = await h.api("/v1/orders", { body: { actor: "x".repeat(70_000), order: limitBuy() } });
    expect(huge.status).toBe(400);
    expect(huge.json.error.message).toContain("exceeds");
  });

  it("denies through risk with the rule, the limit and the value", async () => {
    const res = await submit(limitBuy({ price: "1.001" }));
    expect(res.json.order.ordStatus).toBe("Rejected");
    expect(res.json.order.rejectSource).toBe("RISK");
    expect(res.json.order.rejectReason).toMatch(/INVALID_TICK_SIZE.*1\.001.*0\.01/);
    const big = await submit(limitBuy({ orderQty: "200000" }));
    expect(big.json.order.rejectReason).toMatch(/MAX_ORDER_QTY.*200000.*100000/);
  });

  it("fills a marketable order at the touch with exact CumQty, LeavesQty and AvgPx", async () => {
    const quote = h.engine?.feed.quote("MSFT");
    expect(quote).toBeDefined();
    const res = await submit(limitBuy({ symbol: "MSFT", price: money.add(quote?.ask ?? "0", "5"), orderQty: "300" }));
    const filled = await until(() => {
      h.engine?.feed.step();
      const o = engineOrder(res.json.order.orderId);
      return o?.ordStatus === "Filled" ? o : undefined;
    });
    expect(filled.cumQty).toBe("300");
    expect(filled.leavesQty).toBe("0");
    await h.engine?.journal.durable();
    await h.engine?.projector.idle();
    const { rows } = await h.pool.query<{ q: string; px: string }>(
      "SELECT last_qty::text AS q, last_px::text AS px FROM fill WHERE order_id = $1",
      [filled.orderId],
    );
    expect(money.sum(rows.map((r) => r.q))).toBe("300");
    const notional = money.sum(rows.map((r) => money.mul(r.q, r.px)));
    expect(filled.avgPx).toBe(money.div(notional, "300", 8));
    // Each fill's markouts (+1 s, +5 s, +60 s) are due later; /metrics says how many are still due.
    const metrics = await (await fetch(`${h.engine?.url}/metrics`)).text();
    const pending = Number(/^fillmore_markouts_pending (\d+)/m.exec(metrics)?.[1]);
    expect(pending).toBeGreaterThanOrEqual(rows.length * 3 - 2);
    expect(metrics).toMatch(/^fillmore_markouts_dropped 0$/m);
  });

  it("cancels a resting order through PendingCancel and refuses to cancel it twice", async () => {
    const res = await submit(limitBuy({ clOrdId: "cxl-1" }));
    const orderId = res.json.order.orderId as string;
    await until(() => (engineOrder(orderId)?.ordStatus === "Accepted" ? true : undefined));
    const cancel = await h.api(`/v1/orders/${orderId}/cancel`, { body: { actor: "user:test" } });
    expect(cancel.status).toBe(200);
    // Sent while its journal entry commits: a zero-latency venue may have confirmed it already.
    expect(["PendingCancel", "Cancelled"]).toContain(cancel.json.order.ordStatus);
    await until(() => (engineOrder(orderId)?.ordStatus === "Cancelled" ? true : undefined));
    const again = await h.api(`/v1/orders/${orderId}/cancel`, { body: { actor: "user:test" } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("NOT_CANCELLABLE");
    const missing = await h.api("/v1/orders/O999999/cancel", { body: { actor: "user:test" } });
    expect(missing.status).toBe(404);
  });

  it("streams committed events in sequence order and resumes after a given sequence", async () => {
    const snap = await h.api("/v1/snapshot");
    const after = snap.json.seq as number;
    await submit(limitBuy({ clOrdId: "stream-1" }));
    await h.engine?.journal.durable();
    const text = await streamText(h, `after=${after}`, (t) => t.includes("OrderSubmitted"));
    const seqs = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(seqs[0]).toBe(after + 1);
    expect(seqs).toEqual(seqs.map((_, i) => after + 1 + i));
  });

  it("streams only the event types asked for, with their journal sequence numbers, and refuses unknown ones", async () => {
    const snap = await h.api("/v1/snapshot");
    const after = snap.json.seq as number;
    await submit(limitBuy({ clOrdId: "stream-typed" }));
    await h.engine?.journal.durable();
    const headers = { authorization: `Bearer ${h.config.ENGINE_SERVICE_TOKEN}` };
    const itemsOf = (t: string) =>
      [...t.matchAll(/^id: (\d+)\ndata: (.*)$/gm)].map((m) => ({ seq: Number(m[1]), item: JSON.parse(m[2] as string) }));
    const oursOf = (t: string) => itemsOf(t).filter((i) => i.item.order?.clOrdId === "stream-typed");
    const text = await streamText(h, `after=${after}&types=OrderReceived,OrderAccepted`, (t) =>
      oursOf(t).some((i) => i.item.event.type === "OrderAccepted"),
    );
    const items = itemsOf(text);
    const ours = oursOf(text);
    expect(ours.map((i) => i.item.event.type)).toEqual(["OrderReceived", "OrderAccepted"]);
    expect(items.every((i) => ["OrderReceived", "OrderAccepted"].includes(i.item.event.type))).toBe(true);
    // The journal has OrderValidated and OrderSubmitted between them: the ids are the journal's, with gaps.
    expect((ours[1]?.seq ?? 0) - (ours[0]?.seq ?? 0)).toBeGreaterThan(1);
    expect(items.every((i) => i.seq === i.item.seq)).toBe(true);

    const unknown = await fetch(`${h.engine?.url}/v1/stream?types=OrderAccepted,OrderTeleported`, { headers });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/OrderTeleported|Invalid option/),
    });
    const empty = await fetch(`${h.engine?.url}/v1/stream?types=`, { headers });
    expect(empty.status).toBe(400);
  });

  it("keeps a hash chain that verifies, and names the first tampered event", async () => {
    await h.engine?.journal.durable();
    const ok = await verifyJournal(h.pool);
    expect(ok).toMatchObject({ ok: true });
    await expect(h.pool.query("UPDATE journal SET actor = 'mallory' WHERE seq = 3")).rejects.toThrow(/append-only/);
    await expect(h.pool.query("DELETE FROM journal WHERE seq = 3")).rejects.toThrow(/append-only/);
  });
});

describe("replay", () => {
  it("rebuilds exactly the live orders from the journal", async () => {
    await h.engine?.journal.durable();
    const events: OrderEvent[] = [];
    for await (const stored of readJournal(h.pool)) if (stored.event.type.startsWith("Order")) events.push(stored.event as OrderEvent);
    const replayed = replayOrders(events);
    const live = new Map((h.engine?.orders.all() ?? []).map((o) => [o.orderId, o]));
    expect(replayed.size).toBe(live.size);
    for (const [id, order] of live) expect(replayed.get(id)).toEqual(order);
  });

  it("restarts with the same orders, continues the sequence and keeps the chain valid", async () => {
    const before = h.engine?.orders.all() ?? [];
    await h.engine?.stop();
    const engine = await h.start();
    expect(new Map(engine.orders.all().map((o) => [o.orderId, o]))).toEqual(new Map(before.map((o) => [o.orderId, o])));
    const res = await submit(limitBuy({ clOrdId: "after-restart" }));
    expect(res.status).toBe(201);
    expect(before.some((o) => o.orderId === res.json.order.orderId)).toBe(false);
    const again = await submit(limitBuy({ clOrdId: "rest-1" }));
    expect(again.json.duplicate).toBe(true);
    await engine.journal.durable();
    expect(await verifyJournal(h.pool)).toMatchObject({ ok: true });
  });
});
