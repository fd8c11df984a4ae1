import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendOrderCopies } from "../../../../bench/lib/order-copies";
import { createHarness, type Harness, until } from "../../test/harness";

// The as-of replay over a large journal runs off the engine's event loop (audit-thread.ts): while it
// runs, the engine answers /health and takes an order. The journal: one real order's lifecycle copied
// 40,000 times in SQL (bench/lib/order-copies.ts), some 240,000 events, before the engine starts again.

const COPIES = 40_000;
let h: Harness;
let head: number;

const submit = (clOrdId: string, accountId: string, symbol: string) =>
  h.api("/v1/orders", {
    body: {
      actor: "user:t@x.test",
      order: { clOrdId, accountId, symbol, side: "Buy", ordType: "Market", orderQty: "10", timeInForce: "DAY" },
    },
  });

beforeAll(async () => {
  h = await createHarness();
  await h.start();
  const orderId = (await submit("TEMPLATE-1", "ACC-ALPHA", "AAPL")).json.order.orderId as string;
  await until(async () => ((await h.api(`/v1/orders/${orderId}`)).json.order.ordStatus === "Filled" ? true : undefined), 10_000);
  await h.engine?.stop();
  head = (await appendOrderCopies(h.pool, orderId, COPIES)).head;
  await h.start();
}, 600_000);
afterAll(() => h?.close());

/** Asks `path`; while it runs, /health and an order submit; the main thread's loop utilisation meanwhile. */
async function whileRunning(path: string, clOrdId: string) {
  const started = performance.now();
  const idleBefore = performance.eventLoopUtilization();
  let finished = false;
  const running = h.api(path).then((r) => {
    finished = true;
    return r;
  });
  // The worker is at it (its connection is busy reading the journal).
  await until(async () => {
    const { rows } = await h.pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'fillmore-audit' AND state = 'active'");
    return rows.length > 0 ? true : undefined;
  }, 60_000);
  const health = await h.api("/health");
  const order = await submit(clOrdId, "ACC-GAMMA", "MSFT");
  const answeredWhileRunning = !finished;
  const response = await running;
  const utilization = performance.eventLoopUtilization(idleBefore).utilization;
  console.log(
    `${path} over ${head} events: ${((performance.now() - started) / 1000).toFixed(1)} s; main loop utilisation ${utilization.toFixed(2)}`,
  );
  // It answers (ok, or degraded: 503 with its reasons, as a freshly restarted engine may be).
  expect(["ok", "degraded"]).toContain(health.json.status);
  expect(order.status, JSON.stringify([order.json, health.json])).toBeLessThan(300);
  expect(answeredWhileRunning).toBe(true);
  // Replayed on the main thread, the loop would be busy most of that time (parsing and applying every event).
  expect(utilization).toBeLessThan(0.5);
  return response;
}

describe("the audit worker over some 240,000 events", () => {
  it("the book as of T: the engine answers /health and an order submit while the replay runs, its loop mostly idle", async () => {
    const { status, json } = await whileRunning(`/v1/audit/as-of?seq=${head}&limit=10`, "DURING-ASOF");
    expect(status).toBe(200);
    expect(json.asOf.seq).toBe(head);
    expect(json.ordersTotal).toBe(COPIES + 1);
    expect(json.orders).toHaveLength(10);
    expect(json.orders.every((o: { ordStatus: string }) => o.ordStatus === "Filled")).toBe(true);
    // The next page of the same moment comes from the kept book: the orders after these.
    const next = await h.api(`/v1/audit/as-of?seq=${head}&limit=10&offset=10`);
    expect(next.json.orders.map((o: { orderId: string }) => o.orderId)).not.toContain(json.orders[0].orderId);
    expect(next.json.matched).toBe(COPIES + 1);
  }, 300_000);

  it("the chain's verification: the same, and the whole chain intact", async () => {
    const { status, json } = await whileRunning("/v1/audit/verify", "DURING-VERIFY");
    expect(status).toBe(200);
    expect(json).toMatchObject({ ok: true, firstBadSeq: null });
    expect(json.checked).toBeGreaterThanOrEqual(head);
  }, 300_000);

  it("engine stop ends the audit worker at once, a replay in hand or not", async () => {
    const running = h.api(`/v1/audit/as-of?seq=${head - 1}&limit=10`).catch((error: unknown) => error);
    const auditConnections = async () =>
      (await h.pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'fillmore-audit'")).rows.length;
    await until(async () => ((await auditConnections()) > 0 ? true : undefined), 60_000);
    await h.engine?.stop();
    await running;
    // The worker's connection goes with it (it would go on reading the journal otherwise).
    await until(async () => ((await auditConnections()) === 0 ? true : undefined), 10_000);
  }, 300_000);
});
