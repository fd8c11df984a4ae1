import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

// A global reset that needs a second risk user (REQUIRE_SECOND_APPROVAL_FOR_GLOBAL_RESET=1) survives
// a restart of the engine: the request and the approval are journaled, and the engine restores the
// request still waiting (docs/OPERATIONS.md "Reset safely").

const FLAG = "REQUIRE_SECOND_APPROVAL_FOR_GLOBAL_RESET";
const before = process.env[FLAG];
const R1 = "user:risk1@fillmore.test";
const R2 = "user:risk2@fillmore.test";
let h: Harness;

beforeAll(async () => {
  process.env[FLAG] = "1";
  h = await createHarness();
  await h.start();
}, 60_000);
afterAll(async () => {
  await h?.close();
  if (before === undefined) delete process.env[FLAG];
  else process.env[FLAG] = before;
});

const state = async () => (await h.api("/v1/controls/state")).json;
const restart = async () => {
  await h.engine?.stop();
  await h.start();
};
const journaled = async (types: string[]) =>
  (
    await h.pool.query<{ type: string; actor: string; data: Record<string, unknown> }>(
      "SELECT type, actor, payload -> 'data' AS data FROM journal WHERE type = ANY($1) ORDER BY seq",
      [types],
    )
  ).rows;

describe("second approval of a global reset across a restart", () => {
  it("the pending request is still there after a restart; its requester cannot approve it, a second risk user does", async () => {
    const tripped = await h.api("/v1/controls/trip", {
      body: { actor: R1, scope: "global", actions: ["haltNewOrders"], reason: "restart drill: everything stops" },
    });
    expect(tripped.status, JSON.stringify(tripped.json)).toBe(200);
    const asked = await h.api("/v1/controls/reset", { body: { actor: R1, scope: "global", reason: "cause fixed, checked by r1" } });
    expect(asked.status, JSON.stringify(asked.json)).toBe(200);
    expect(asked.json).toMatchObject({ pending: true, request: { scope: "global", requestedBy: R1 } });

    await restart();

    // Still halted, and the request still waits for a second user, with who asked, when and why.
    const after = await state();
    expect(after.states).toEqual([expect.objectContaining({ scope: "global", state: "HALTED", setBy: R1 })]);
    expect(after.pendingResets).toEqual([
      { scope: "global", requestedBy: R1, requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), reason: "cause fixed, checked by r1" },
    ]);
    expect(h.engine?.risk.tradingState("ACC-ALPHA", "AAPL")).toBe("HALTED");

    const own = await h.api("/v1/controls/approve-reset", { body: { actor: R1, scope: "global" } });
    expect(own.status).toBe(422);
    expect(own.json.error.details).toMatchObject({ rule: "SECOND_APPROVER_REQUIRED" });
    expect(h.engine?.risk.tradingState("ACC-ALPHA", "AAPL")).toBe("HALTED");

    const approved = await h.api("/v1/controls/approve-reset", { body: { actor: R2, scope: "global" } });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    expect(approved.json).toMatchObject({ scope: "global", pending: false });
    expect(h.engine?.risk.tradingState("ACC-ALPHA", "AAPL")).toBe("ACTIVE");
    expect((await state()).pendingResets).toEqual([]);

    // On record: who asked, who approved (naming the request), the reset.
    expect(await journaled(["KillSwitchResetRequested", "KillSwitchResetApproved", "KillSwitchReset"])).toEqual([
      { type: "KillSwitchResetRequested", actor: R1, data: { scope: "global", reason: "cause fixed, checked by r1" } },
      {
        type: "KillSwitchResetApproved",
        actor: R2,
        data: { scope: "global", requestedBy: R1, requestedAt: after.pendingResets[0].requestedAt, reason: "cause fixed, checked by r1" },
      },
      { type: "KillSwitchReset", actor: R2, data: { scope: "global", reason: "cause fixed, checked by r1", requestedBy: R1 } },
    ]);

    // A second restart brings back neither the halt nor the request.
    await restart();
    const again = await state();
    expect(again.states).toEqual([]);
    expect(again.pendingResets).toEqual([]);
    const refused = await h.api("/v1/controls/approve-reset", { body: { actor: R2, scope: "global" } });
    expect(refused.json.error.details).toMatchObject({ rule: "NO_PENDING_RESET" });
  }, 60_000);
});
