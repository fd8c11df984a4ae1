import { type Order, submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log";
import { MetricsProjection } from "../src/quality/projection";
import { refreshScores } from "../src/quality/venue-scores";
import { qualityScores } from "../src/routing/quality-policy";
import type { SimVenue } from "../src/venues/sim/sim-venue";
import { createHarness, type Harness, until } from "./harness";

// The execution_metrics projection and the quality alert rules against a real engine (Postgres
// journal, simulated venues): rows equal the per-order metrics from the journal, a rebuild gives the
// same rows, and a degraded simulated venue raises a quality alert that clears when it recovers.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.start();
});
afterAll(async () => h?.close());

let n = 0;
async function buy(venueId: string, qty = "10"): Promise<Order> {
  n += 1;
  const engine = h.engine;
  if (!engine) throw new Error("engine not started");
  const input = submitOrderInput.parse({
    clOrdId: `qp-${n}`,
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Market",
    orderQty: qty,
    timeInForce: "IOC",
    venueId,
  });
  const { order } = await engine.orders.submit(input, "user:test");
  return until(() => {
    const o = engine.orders.get(order.orderId);
    return o && ["Filled", "Rejected", "Cancelled"].includes(o.ordStatus) ? o : undefined;
  });
}

const rowOf = async (orderId: string) => (await h.pool.query("SELECT * FROM execution_metrics WHERE order_id = $1", [orderId])).rows[0];
const quoted = async () =>
  (await h.pool.query("SELECT order_id, slippage_bps, latency_ms, status, venue FROM execution_metrics ORDER BY order_id")).rows;

describe("execution_metrics projection", () => {
  it("holds each order's metrics as computed from the journal, and a rebuild gives the same rows", async () => {
    const orders: Order[] = [];
    for (const venue of ["SIM-FAST", "SIM-DEEP", "SIM-FAST"]) orders.push(await buy(venue));
    await h.engine?.journal.durable();
    for (const o of orders) {
      const row = await until(() => rowOf(o.orderId));
      const { json } = await h.api(`/v1/orders/${o.orderId}/metrics`);
      const m = json.metrics;
      expect(row.venue).toBe(o.venueId);
      expect(row.status).toBe(m.status);
      expect(row.filled_qty).toBe(m.filledQty);
      expect(row.avg_px).toBe(m.averageFillPrice);
      expect(row.slippage_bps).toBe(m.slippageBps === null ? null : Number(m.slippageBps));
      expect(row.latency_ms).toBe(Number(m.latencyMs));
      expect(row.size_bucket).toMatch(/^(lt250|250-1k|1k-5k|5k-20k|20k-50k|50k-200k|ge200k)$/);
      expect(row.sent).toBe(true);
    }
    const before = await quoted();
    const projection = new MetricsProjection(h.pool, createLogger("silent"), { batch: 7 });
    await projection.rebuild();
    expect(await quoted()).toEqual(before);
  });
});

describe("quality routing policy", () => {
  it("scores venues from the projection and routes an order by them", async () => {
    for (const venue of ["SIM-FAST", "SIM-DEEP", "SIM-CHEAP"]) await buy(venue);
    await h.engine?.journal.durable();
    await until(async () =>
      (await h.pool.query("SELECT count(DISTINCT venue)::int AS n FROM execution_metrics")).rows[0].n >= 3 ? true : undefined,
    );
    expect(await refreshScores(h.pool, qualityScores, Date.now())).toBeGreaterThanOrEqual(6); // 3 venues, 3 venue x AAPL
    const engine = h.engine;
    if (!engine) throw new Error("engine not started");
    const input = submitOrderInput.parse({
      clOrdId: "qp-routed",
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Market",
      orderQty: "10",
      timeInForce: "IOC",
      routing: "quality",
    });
    const { order } = await engine.orders.submit(input, "user:test");
    await engine.journal.durable();
    const { rows } = await h.pool.query("SELECT payload FROM journal WHERE order_id = $1 AND type = 'RouteDecided'", [order.orderId]);
    expect(rows[0]?.payload.data).toMatchObject({ policy: "quality", reason: expect.stringContaining("measured execution cost") });
  });
});

describe("quality alert rules", () => {
  it("a venue that starts rejecting raises QUALITY_REJECT_RATE, and the alert clears once it recovers", async () => {
    const venue = h.engine?.venues.get("SIM-DEEP") as SimVenue;
    await h.pool.query(
      `INSERT INTO console_quality_alert_rule (id, metric, venue, threshold, clear_below, window_ms, min_orders, updated_by)
       VALUES ('deep-rejects', 'rejectRatePct', 'SIM-DEEP', 20, 5, 3000, 5, 'user:risk')`,
    );
    const alertOf = async () =>
      ((await h.api("/v1/alerts?state=all")).json.alerts as { code: string; subject: string; state: string; message: string }[]).find(
        (a) => a.code === "QUALITY_REJECT_RATE" && a.subject === "deep-rejects:SIM-DEEP",
      );
    venue.setCharacter({ rejectRate: 1 });
    for (let i = 0; i < 8; i += 1) expect((await buy("SIM-DEEP")).ordStatus).toBe("Rejected");
    const raised = await until(async () => ((await alertOf())?.state === "open" ? alertOf() : undefined), 10_000);
    expect(raised?.message).toMatch(/SIM-DEEP reject rate \d+(\.\d+)? % over \d+ orders in the last 3 s, above 20/);

    venue.setCharacter({ rejectRate: 0 });
    const cleared = await until(async () => {
      await buy("SIM-DEEP");
      const a = await alertOf();
      return a?.state === "resolved" ? a : undefined;
    }, 15_000);
    expect(cleared?.state).toBe("resolved");
    await h.pool.query("DELETE FROM console_quality_alert_rule");
  }, 30_000);

  it("a venue whose acks slow down raises QUALITY_ACK_LATENCY on its p99, and it clears when acks are fast again", async () => {
    const venue = h.engine?.venues.get("SIM-FAST") as SimVenue;
    await h.pool.query(
      `INSERT INTO console_quality_alert_rule (id, metric, venue, threshold, clear_below, window_ms, min_orders, updated_by)
       VALUES ('fast-acks', 'ackLatencyP99Ms', NULL, 50, 40, 3000, 3, 'user:risk')`,
    );
    const alertOf = async () =>
      ((await h.api("/v1/alerts?state=all")).json.alerts as { code: string; subject: string; state: string }[]).find(
        (a) => a.code === "QUALITY_ACK_LATENCY" && a.subject === "fast-acks:SIM-FAST",
      );
    venue.setCharacter({ latencyMs: 80, jitterMs: 0 });
    for (let i = 0; i < 4; i += 1) await buy("SIM-FAST");
    await until(async () => ((await alertOf())?.state === "open" ? true : undefined), 10_000);
    venue.setCharacter({ latencyMs: 1, jitterMs: 0 });
    await until(async () => {
      await buy("SIM-FAST");
      return (await alertOf())?.state === "resolved" ? true : undefined;
    }, 15_000);
    await h.pool.query("DELETE FROM console_quality_alert_rule");
  }, 30_000);
});
