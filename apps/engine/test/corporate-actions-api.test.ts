import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

const ACTOR = "user:risk1";
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

describe("corporate actions through the engine API", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.start();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("schedules, lists, refuses bad input with a typed error, reverses, and the list survives a restart", async () => {
    const scheduled = await h.api("/v1/corporate-actions", {
      body: {
        actor: ACTOR,
        id: "DIV-API",
        kind: "cashDividend",
        symbol: "AAPL",
        effectiveDate: tomorrow(),
        perShare: "0.25",
        reason: "Q4",
      },
    });
    expect(scheduled.status).toBe(200);
    expect(scheduled.json.action).toMatchObject({ id: "DIV-API", status: "scheduled", scheduledBy: ACTOR });

    const bad = await h.api("/v1/corporate-actions", {
      body: { actor: ACTOR, kind: "split", symbol: "NOPE", effectiveDate: tomorrow(), ratioNew: "7", ratioOld: "1", reason: "x" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "INVALID_INPUT", details: { reason: "UNKNOWN_SYMBOL" } });
    const noActor = await h.api("/v1/corporate-actions", { body: { kind: "split" } });
    expect(noActor.status).toBe(400);

    const split = await h.api("/v1/corporate-actions", {
      body: {
        actor: ACTOR,
        id: "SPLIT-API",
        kind: "split",
        symbol: "AAPL",
        effectiveDate: new Date().toISOString().slice(0, 10),
        ratioNew: "2",
        ratioOld: "1",
        reason: "2-for-1",
      },
    });
    expect(split.json.action).toMatchObject({ id: "SPLIT-API", status: "applied" });

    const dropped = await h.api("/v1/corporate-actions/DIV-API/reverse", { body: { actor: ACTOR, reason: "withdrawn" } });
    expect(dropped.json.action).toMatchObject({ status: "dropped", reversedBy: ACTOR, reverseReason: "withdrawn" });
    const again = await h.api("/v1/corporate-actions/DIV-API/reverse", { body: { actor: ACTOR, reason: "again" } });
    expect(again.status).toBe(422);
    const unknown = await h.api("/v1/corporate-actions/NOPE/reverse", { body: { actor: ACTOR, reason: "x" } });
    expect(unknown.status).toBe(404);

    const before = (await h.api("/v1/corporate-actions")).json.actions;
    expect(before.map((a: { id: string; status: string }) => [a.id, a.status]).sort()).toEqual([
      ["DIV-API", "dropped"],
      ["SPLIT-API", "applied"],
    ]);
    await h.engine?.journal.durable();
    await h.engine?.stop();
    await h.start();
    expect((await h.api("/v1/corporate-actions")).json.actions).toEqual(before);
  }, 60_000);
});
