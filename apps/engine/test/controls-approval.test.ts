import { describe, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { KillSwitch, KillSwitchError } from "../src/controls/kill-switch";
import { createLogger } from "../src/log";
import { createOrderManagerHarness } from "./harness";

// The kill switch in process against a scripted venue: typed errors, the halt in force before the
// command returns, and the second approval for a global reset.

async function setUp(requireSecondApprovalForGlobalReset: boolean) {
  const h = await createOrderManagerHarness();
  const ks = new KillSwitch({
    risk: h.risk,
    orders: h.orders,
    positions: h.positions,
    journal: h.journal,
    clock: systemClock,
    log: createLogger("silent"),
    quote: (s) => h.quotes.get(s),
    venues: new Set(["SCRIPTED"]),
    config: { requireSecondApprovalForGlobalReset, flattenAttemptTimeoutMs: 200 },
  });
  return { h, ks };
}

describe("kill switch in process", () => {
  it("refuses a short reason with a typed error and changes nothing", async () => {
    const { h, ks } = await setUp(false);
    const error = await ks.trip({ scope: "global", actions: ["haltNewOrders"], reason: "short" }, "user:r").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KillSwitchError);
    expect(error).toMatchObject({ code: "INVALID_INPUT", rule: "INVALID_INPUT", httpStatus: 400 });
    expect(h.risk.tradingStates()).toEqual([]);
    expect((await h.events()).filter((e) => e.type.startsWith("KillSwitch"))).toEqual([]);
  });

  it("the halt is in force before trip's first await: an order racing it is refused", async () => {
    const { h, ks } = await setUp(false);
    const tripping = ks.trip({ scope: "account:ACC-1", actions: ["haltNewOrders"], reason: "racing orders test" }, "user:r");
    // trip() has run synchronously up to its first await: the state is already set.
    expect(h.risk.tradingState("ACC-1", "AAPL")).toBe("HALTED");
    await tripping;
    await expect(h.working()).rejects.toThrow(/TRADING_HALTED: trading is HALTED for account:ACC-1 by user:r/);
  });

  it("cancelOpenOrders sends a cancel for every working order in scope under controls:<who>", async () => {
    const { h, ks } = await setUp(false);
    const a = await h.working();
    const b = await h.working({ accountId: "ACC-2" });
    const res = await ks.trip(
      { scope: "account:ACC-1", actions: ["haltNewOrders", "cancelOpenOrders"], reason: "cancel account one" },
      "user:r",
    );
    expect(res.outcome.ordersCancelled).toBe(1);
    expect(h.venue.requests.filter((r) => r.kind === "cancel")).toEqual([{ kind: "cancel", orderId: a.orderId }]);
    expect(h.get(b.orderId).ordStatus).toBe("Accepted");
    const cancels = (await h.events()).filter((e) => e.type === "OrderPendingCancel");
    expect(cancels.map((e) => e.actor)).toEqual(["controls:user:r"]);
  });

  it("a global reset needs a second, different user when configured", async () => {
    const { h, ks } = await setUp(true);
    await ks.trip({ scope: "global", actions: ["haltNewOrders", "notifyRiskTeam"], reason: "everything stops" }, "user:r1");
    const asked = await ks.reset({ scope: "global", reason: "looks fine now" }, "user:r1");
    expect(asked).toMatchObject({ pending: true, request: { requestedBy: "user:r1" } });
    expect(h.risk.tradingState("ACC-1", "AAPL")).toBe("HALTED");
    await expect(ks.approveReset({ scope: "global" }, "user:r1")).rejects.toMatchObject({ rule: "SECOND_APPROVER_REQUIRED" });
    expect((await ks.state()).pendingResets).toHaveLength(1);
    const done = await ks.approveReset({ scope: "global" }, "user:r2");
    expect(done.pending).toBe(false);
    expect(h.risk.tradingState("ACC-1", "AAPL")).toBe("ACTIVE");
    const events = await h.events();
    expect(events.find((e) => e.type === "KillSwitchReset")).toMatchObject({
      actor: "user:r2",
      data: { scope: "global", requestedBy: "user:r1" },
    });
    expect(events.find((e) => e.type === "AlertRaised")).toMatchObject({ data: { code: "KILL_SWITCH" } });
    // Account scopes never need a second approval.
    await ks.trip({ scope: "account:ACC-1", actions: ["haltNewOrders"], reason: "one account only" }, "user:r1");
    expect(await ks.reset({ scope: "account:ACC-1", reason: "back to normal" }, "user:r1")).toMatchObject({ pending: false });
  });
});
