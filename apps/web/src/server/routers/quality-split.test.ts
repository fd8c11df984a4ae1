import { freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aggregates, comparison, type Run, slippageDistribution, timeseries } from "./quality-aggregates";

// A split order is a parent (venue MULTI) and its children, each a row of the projection. Measures
// count the children, the orders sent to venues, and leave the parent out: no share counts twice.

let pool: pg.Pool;
let cleanup: () => Promise<void>;
const run: Run = async (text, values) => (await pool.query(text, values)).rows;

async function metricsRow(orderId: string, venue: string, qty: number, slippageCost: number) {
  await pool.query(
    `INSERT INTO execution_metrics (order_id, account_id, symbol, side, order_type, venue, status, size_bucket, received_at,
       submitted_at, sent, rejected, denied, cancelled_unfilled, fully_filled, order_qty, filled_qty, notional, latency_ms,
       slippage_cost, slippage_bench, slippage_bps, fees, updated_seq)
     VALUES ($1, 'ACC-ALPHA', 'AAPL', 'Buy', 'MARKET', $2, 'Filled', '$20k-50k', '2026-12-01T14:30:00Z', '2026-12-01T14:30:00Z',
       true, false, false, false, true, $3::numeric, $3::numeric, $3::numeric * 200, 1.5, $4::numeric, $3::numeric * 200,
       10000 * $4::float8 / ($3::float8 * 200), 0, 1)`,
    [orderId, venue, qty, slippageCost],
  );
}

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await metricsRow("P1", "MULTI", 1000, 30); // the parent: its children's 1,000 shares and their cost again
  await metricsRow("P1-1", "SIM-DEEP", 667, 20);
  await metricsRow("P1-2", "SIM-CHEAP", 333, 10);
  await metricsRow("O2", "SIM-FAST", 100, 2);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await cleanup?.();
});

describe("quality measures with split orders", () => {
  it("count each share once: the children, not the parent", async () => {
    const bySymbol = await aggregates(run, {}, null, "symbol");
    expect(bySymbol.rows).toHaveLength(1);
    expect(bySymbol.rows[0]).toMatchObject({ key: "AAPL", orders: 3, orderQty: "1100", filledQty: "1100" });
    // 10,000 × (20 + 10 + 2) / (1,100 × 200)
    expect(bySymbol.rows[0]?.slippage.bps).toBeCloseTo((10000 * 32) / 220000, 9);
    const byVenue = await aggregates(run, {}, null, "venue");
    expect(byVenue.rows.map((r) => r.key)).toEqual(["SIM-CHEAP", "SIM-DEEP", "SIM-FAST"]);
  });

  it("leave the parent out of the comparison, the charts and the histogram", async () => {
    const { rows } = await comparison(run, {}, null);
    expect(rows.map((r) => r.venue).sort()).toEqual(["SIM-CHEAP", "SIM-DEEP", "SIM-FAST"]);
    const series = await timeseries(run, {}, null);
    expect(series.points.map((p) => p.venue).sort()).toEqual(["SIM-CHEAP", "SIM-DEEP", "SIM-FAST"]);
    const histogram = await slippageDistribution(run, {}, null);
    expect(histogram.bins.reduce((n, b) => n + b.orders, 0)).toBe(3);
  });
});
