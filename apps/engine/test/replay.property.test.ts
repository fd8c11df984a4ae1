import { type OrderEvent, replayOrders } from "@fillmore/shared";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readJournal } from "../src/journal/read";
import { Positions } from "../src/positions/positions";
import { createHarness, type Harness } from "./harness";

// Thousands of random operations (submits of every type, cancels, modifies, market moves, expiry,
// risk changes), then the journal is replayed from scratch: the orders and positions it rebuilds
// must equal the live engine's, field for field.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.pool.query(`UPDATE venue SET config = config || '{"latencyMs": 0, "jitterMs": 0, "rejectRate": 0.05}'::jsonb`);
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "30", maxOpenOrders: 5000 } }, "user:test");
});
afterAll(async () => h?.close());

const SYMBOLS = ["AAPL", "MSFT", "NVDA"] as const;
const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      symbol: fc.constantFrom(...SYMBOLS),
      side: fc.constantFrom("Buy" as const, "Sell" as const),
      type: fc.constantFrom("Market", "Limit", "Limit", "Stop", "TrailingStop"),
      qty: fc.integer({ min: 1, max: 500 }),
      offsetPct: fc.integer({ min: -8, max: 8 }),
      tif: fc.constantFrom("DAY", "GTC", "IOC"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("modify" as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 800 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("step" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("halt" as const), state: fc.constantFrom("ACTIVE", "REDUCING", "HALTED", "ACTIVE") }),
  },
);

it("replaying the journal after thousands of random operations rebuilds exactly the live orders and positions", async () => {
  const engine = h.engine;
  if (!engine) throw new Error("no engine");
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1500, maxLength: 1500 }), async (ops) => {
      const ids: string[] = [];
      for (const o of ops) {
        n += 1;
        try {
          if (o.kind === "submit") {
            const quote = engine.feed.quote(o.symbol);
            const mid = (Number(quote?.bid ?? 100) + Number(quote?.ask ?? 100)) / 2;
            const px = (Math.round(mid * (1 + o.offsetPct / 100) * 100) / 100).toFixed(2);
            const held = o.type === "Stop" || o.type === "TrailingStop";
            const result = await engine.orders.submit(
              {
                clOrdId: `rp-${n}`,
                accountId: ["ACC-ALPHA", "ACC-BETA", "ACC-GAMMA"][n % 3] ?? "ACC-ALPHA",
                symbol: o.symbol,
                side: o.side,
                ordType: o.type as "Market" | "Limit" | "Stop" | "TrailingStop",
                orderQty: String(o.qty),
                ...(o.type === "Limit" ? { price: px } : {}),
                ...(o.type === "Stop" ? { stopPx: px } : {}),
                ...(o.type === "TrailingStop" ? { trailAmount: "0.50" } : {}),
                timeInForce: held && o.tif === "IOC" ? "GTC" : (o.tif as "DAY" | "GTC" | "IOC"),
              },
              "user:replay",
            );
            ids.push(result.order.orderId);
          } else if (o.kind === "cancel" && ids.length > 0) {
            await engine.orders.cancel(ids[o.pick % ids.length] ?? "", "user:replay");
          } else if (o.kind === "modify" && ids.length > 0) {
            await engine.orders.modify({ orderId: ids[o.pick % ids.length] ?? "", orderQty: String(o.qty) }, "user:replay");
          } else if (o.kind === "step") {
            engine.feed.step();
          } else if (o.kind === "expire") {
            engine.orders.expireDue(Date.now() + 2 * 24 * 3600 * 1000);
          } else if (o.kind === "halt") {
            await engine.risk.setTradingState({ scope: "global", state: o.state as "ACTIVE", reason: "replay test" }, "user:risk");
          }
        } catch {
          // refused commands (cancel of a done order, a modify risk refuses) are part of the mix
        }
        if (n % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 50));
      await engine.journal.durable();

      const events: OrderEvent[] = [];
      const positions = new Positions();
      for await (const stored of readJournal(h.pool)) {
        positions.apply(stored.event);
        if (stored.event.type.startsWith("Order")) events.push(stored.event as OrderEvent);
      }
      const replayed = replayOrders(events);
      const live = engine.orders.all();
      expect(live.length).toBeGreaterThan(500);
      expect(replayed.size).toBe(live.length);
      for (const order of live) expect(replayed.get(order.orderId)).toEqual(order);
      const key = (p: { accountId: string; symbol: string }) => `${p.accountId}|${p.symbol}`;
      const sort = <T extends { accountId: string; symbol: string }>(xs: T[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sort(positions.all())).toEqual(sort(engine.positions.all()));
    }),
    { numRuns: 2 },
  );
}, 240_000);
