import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyJournal } from "../src/journal/verify";
import { createHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.start();
});
afterAll(async () => h?.close());

it("detects an edited event even when the append-only trigger is bypassed by a superuser", async () => {
  const engine = h.engine;
  if (!engine) throw new Error("no engine");
  for (let i = 0; i < 5; i++) {
    await fetch(`${engine.url}/v1/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.config.ENGINE_SERVICE_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        actor: "user:t",
        order: { accountId: "ACC-BETA", symbol: "SPY", side: "Sell", ordType: "Limit", orderQty: "10", price: "9000.00" },
      }),
    });
  }
  await engine.stop();
  h.engine = undefined;
  expect((await verifyJournal(h.pool)).ok).toBe(true);
  await h.pool.query("ALTER TABLE journal DISABLE TRIGGER USER");
  const { rows } = await h.pool.query<{ seq: string }>("SELECT min(seq)::text AS seq FROM journal WHERE type = 'OrderReceived'");
  const edited = Number(rows[0]?.seq);
  await h.pool.query(`UPDATE journal SET payload = jsonb_set(payload, '{data,order,orderQty}', '"1000"') WHERE seq = $1`, [edited]);
  const result = await verifyJournal(h.pool);
  expect(result).toMatchObject({ ok: false, seq: edited });
  if (!result.ok) expect(result.problem).toContain("hash");
});
