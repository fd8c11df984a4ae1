import { newOrder, submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { Journal } from "../src/journal/journal";
import { createLogger } from "../src/log";
import { createHarness, type Harness } from "./harness";

// A group commit can end between an order's OrderValidated and its OrderSubmitted. If the engine
// dies right then, the journal holds a validated order that may or may not have reached a venue.
// On restart the engine asks the venues; one that no venue has is cancelled, never left hanging.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

it("cancels an order the journal has as validated when no venue has it, saying why", async () => {
  const first = await h.start();
  await first.stop();
  h.engine = undefined;

  // What the crash left: the order's first two events committed, its submission not.
  const journal = await Journal.open(h.pool, systemClock, createLogger("silent"), { maxBatch: 100 });
  const input = submitOrderInput.parse({
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "5",
    price: "150",
  });
  const order = newOrder(input, { orderId: "O9999", clOrdId: "half-sent", actor: "user:test", now: systemClock.nowIso() });
  journal.append({ type: "OrderReceived", orderId: "O9999", accountId: "ACC-ALPHA", actor: "user:test", data: { order } });
  journal.append({ type: "OrderValidated", orderId: "O9999", accountId: "ACC-ALPHA", actor: "risk", data: {} });
  await journal.close();

  const engine = await h.start();
  const after = engine.orders.get("O9999");
  expect(after).toMatchObject({ ordStatus: "Cancelled", venueId: null });
  expect(after?.rejectReason ?? "").toBe("");
  const { rows } = await h.pool.query("SELECT actor, payload FROM journal WHERE order_id = 'O9999' ORDER BY seq");
  expect(rows.map((r) => (r.payload as { type: string }).type)).toEqual(["OrderReceived", "OrderValidated", "OrderCancelled"]);
  expect(rows[2]).toMatchObject({ actor: "recovery", payload: { data: { reason: expect.stringMatching(/no venue has it/) } } });
  // And the next order gets a fresh id, past every id the crashed run could have used.
  const next = await engine.orders.submit(submitOrderInput.parse({ ...input, clOrdId: "after" }), "user:test");
  expect(Number(next.order.orderId.slice(1))).toBeGreaterThan(9999);
});
