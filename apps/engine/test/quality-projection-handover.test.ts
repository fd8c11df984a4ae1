import { orderFrom } from "@fillmore/shared/testing";
import { describe, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { Journal } from "../src/journal/journal";
import { createLogger } from "../src/log";
import { MetricsProjection } from "../src/quality/projection";
import { useFreshPool } from "./fresh-pool";

// The execution_metrics projection fed with what the engine committed (no read back of the journal):
// the rows are the ones a rebuild from the journal gives, also for orders that fell out of its cache
// before their markouts came, and for a stretch the hand-over missed.

const db = useFreshPool(2);

const log = createLogger("silent");
const quote = (bid: string, ask: string) => ({ bid, ask, mid: ((Number(bid) + Number(ask)) / 2).toFixed(3), ts: 0 });

function lifecycle(journal: Journal, n: number): void {
  const orderId = `O${n}`;
  const accountId = "ACC-ALPHA";
  const order = orderFrom({ symbol: "AAPL", side: n % 2 ? "Buy" : "Sell", ordType: "Market", orderQty: "100", accountId }, { orderId });
  const at = (type: string, data: unknown, actor = "engine") =>
    journal.append({ type, orderId, accountId, actor, data } as Parameters<Journal["append"]>[0]);
  at("OrderReceived", { order, arrival: quote("99.99", "100.01") }, "user:test");
  at("OrderValidated", {});
  at("OrderSubmitted", { venueId: "SIM-FAST", venueOrderId: `V${n}`, quote: quote("100.00", "100.02") });
  at("OrderAccepted", { venueOrderId: `V${n}` });
  at("OrderFilled", { execId: `X${n}`, venueId: "SIM-FAST", lastQty: "100", lastPx: `100.0${n % 10}`, fees: [] });
}

function markout(journal: Journal, n: number, horizonMs: number): void {
  journal.append({
    type: "MarkoutSampled",
    orderId: `O${n}`,
    accountId: "ACC-ALPHA",
    actor: "quality",
    data: { orderId: `O${n}`, execId: `X${n}`, horizonMs, mid: `100.0${(n + horizonMs) % 7}`, ts: 0 },
  } as Parameters<Journal["append"]>[0]);
}

const rows = async () =>
  (
    await db.pool.query(
      "SELECT order_id, status, filled_qty, avg_px, slippage_bps, latency_ms, markout_1s, markout_5s FROM execution_metrics ORDER BY order_id",
    )
  ).rows as Record<string, unknown>[];

describe("execution_metrics from handed-over commits", () => {
  it("gives the rows a rebuild from the journal gives, reading back only orders it no longer holds", async () => {
    const journal = await Journal.open(db.pool, systemClock, log, { maxBatch: 1000 });
    const projection = new MetricsProjection(db.pool, log, { recentOrders: 3, debounceMs: 0 });
    journal.onCommit((entries) => projection.committed(entries));
    for (let n = 1; n <= 6; n++) {
      lifecycle(journal, n);
      await journal.durable();
    }
    await projection.catchUp();
    expect(projection.readBack).toBe(0); // every order began in what was handed over
    expect(projection.held.orders).toBe(3);

    // Markouts: O5 and O6 are still held; O1 and O2 fell out of the cache and are read back.
    for (const n of [5, 6, 1, 2]) markout(journal, n, 1000);
    await journal.durable();
    await projection.catchUp();
    expect(projection.readBack).toBe(2);
    const live = await rows();
    expect(live).toHaveLength(6);
    expect(live.find((r) => r.order_id === "O1")?.markout_1s).not.toBeNull();
    expect(live.find((r) => r.order_id === "O3")?.markout_1s).toBeNull();

    // A stretch the hand-over missed (a worker that restarted): read from the journal, then handed over again.
    const later = new MetricsProjection(db.pool, log, { recentOrders: 3, debounceMs: 0 });
    lifecycle(journal, 7);
    await journal.durable();
    journal.onCommit((entries) => later.committed(entries));
    projection.stop();
    markout(journal, 7, 5000);
    markout(journal, 3, 5000);
    await journal.durable();
    await later.catchUp();
    const caughtUp = await rows();
    expect(caughtUp).toHaveLength(7);
    expect(caughtUp.find((r) => r.order_id === "O7")?.markout_5s).not.toBeNull();

    const rebuilt = new MetricsProjection(db.pool, log, { batch: 4 });
    await rebuilt.rebuild();
    expect(await rows()).toEqual(caughtUp);
    later.stop();
    await journal.close();
  }, 60_000);
});
