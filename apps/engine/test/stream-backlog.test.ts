import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, streamText } from "./harness";

// STREAM_BACKLOG_EVENTS: a follower of the engine's stream that reconnects resumes from the events
// still held; one that was away for more of them is told `reset` (and takes a snapshot), never given
// a stream with a gap.

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ STREAM_BACKLOG_EVENTS: 100 });
  await h.start();
});
afterAll(async () => h?.close());

describe("the engine stream's backlog for reconnecting followers", () => {
  it("resumes within the last STREAM_BACKLOG_EVENTS events and answers reset beyond them", async () => {
    const start = (await h.api("/v1/snapshot")).json.seq as number;
    // About six events an order: 40 orders put well over 100 events after `start`.
    for (let i = 0; i < 40; i++) {
      const res = await h.api("/v1/orders", {
        body: {
          actor: "user:test",
          order: { accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Market", orderQty: "1", timeInForce: "DAY" },
        },
      });
      expect(res.status).toBe(201);
    }
    await h.engine?.journal.durable();
    const last = (await h.api("/v1/snapshot")).json.seq as number;
    expect(last - start).toBeGreaterThan(200);

    const away = await streamText(h, `after=${start}`, (t) => t.includes("event: reset") || t.includes(`id: ${last}\n`));
    // The engine journals on its own as well (venue health, id blocks): the reset names its latest seq.
    const resetSeq = Number(/^event: reset\ndata: \{"seq":(\d+)\}/m.exec(away)?.[1]);
    expect(resetSeq).toBeGreaterThanOrEqual(last);
    expect(away).not.toMatch(/^id: /m);

    const recent = last - 80;
    const resumed = await streamText(h, `after=${recent}`, (t) => t.includes(`id: ${last}\n`));
    const seqs = [...resumed.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(seqs.slice(0, 80)).toEqual(Array.from({ length: 80 }, (_, i) => recent + 1 + i));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => recent + 1 + i));
  });
});
