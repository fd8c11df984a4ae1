import type { Order } from "@fillmore/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { CommandError } from "../src/orders/errors";
import { createOrderManagerHarness, type OrderManagerHarness } from "./harness";

// Issue 9, section 1: every execution the venue reports is booked, exactly once. Each scenario
// drives the real order manager through a scripted venue, as a venue (FIX, OsEngine) would.

let h: OrderManagerHarness;
beforeEach(async () => {
  h = await createOrderManagerHarness();
});

let exec = 0;
const fill = (order: Order, lastQty: string, lastPx = "100") => {
  exec += 1;
  const execId = `X${exec}`;
  h.venue.report({ kind: "fill", orderId: order.orderId, execId, lastQty, lastPx });
  return execId;
};
const position = () => h.positions.position("ACC-1", "AAPL").qty;
const typesOf = async (orderId: string) => (await h.events()).filter((e) => e.orderId === orderId).map((e) => e.type);

describe("late and over-fills", () => {
  it("books a fill after the engine expired the order, flagged late, with an alert and in the position", async () => {
    const o = await h.working({ timeInForce: "DAY" });
    h.orders.expireDue(Date.now() + 25 * 3600_000);
    expect(h.get(o.orderId).ordStatus).toBe("PendingCancel");
    h.venue.report({ kind: "cancelled", orderId: o.orderId, reason: "cancelled on request" });
    expect(h.get(o.orderId).ordStatus).toBe("Expired");

    fill(o, "10");
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Expired", cumQty: "10", leavesQty: "0", lateFill: true });
    expect(position()).toBe("10");
    expect(await h.alerts(o.orderId)).toContain("LATE_FILL");
    expect(await typesOf(o.orderId)).not.toContain("TransitionRefused");
  });

  it("books an over-fill beyond orderQty, flags it and raises OVER_FILL; the position matches the venue", async () => {
    const o = await h.working({ orderQty: "100" });
    fill(o, "80");
    fill(o, "30");
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Filled", cumQty: "110", leavesQty: "0", overFill: true });
    expect(position()).toBe("110");
    expect(await h.alerts(o.orderId)).toContain("OVER_FILL");
    const fills = (await h.events()).filter((e) => e.type === "OrderFilled" && e.orderId === o.orderId);
    expect(fills.map((e) => e.data)).toEqual([expect.objectContaining({ lastQty: "30", flags: ["OVER_FILL"] })]);
  });

  it("books a duplicate execution once", async () => {
    const o = await h.working();
    h.venue.report({ kind: "fill", orderId: o.orderId, execId: "DUP", lastQty: "10", lastPx: "100" });
    h.venue.report({ kind: "fill", orderId: o.orderId, execId: "DUP", lastQty: "10", lastPx: "100" });
    expect(h.get(o.orderId).cumQty).toBe("10");
    expect(position()).toBe("10");
  });
});

describe("fills racing a modify or a cancel", () => {
  it("modify 100 -> 60, fill 60, venue confirms 60: the order is Filled, not PartiallyFilled with nothing left", async () => {
    const o = await h.working({ orderQty: "100" });
    await h.orders.modify({ orderId: o.orderId, orderQty: "60" }, "user:test");
    fill(o, "60");
    h.venue.report({ kind: "replaced", orderId: o.orderId, orderQty: "60", price: "100", stopPx: null });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Filled", orderQty: "60", cumQty: "60", leavesQty: "0" });
    expect(h.orders.working().map((w) => w.orderId)).not.toContain(o.orderId);
  });

  it("fill 70 then the venue confirms 60: the order is done at the venue's 60, not PendingReplace at 100", async () => {
    const o = await h.working({ orderQty: "100" });
    await h.orders.modify({ orderId: o.orderId, orderQty: "60" }, "user:test");
    fill(o, "70");
    h.venue.report({ kind: "replaced", orderId: o.orderId, orderQty: "60", price: "100", stopPx: null });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Filled", orderQty: "60", cumQty: "70", leavesQty: "0" });
    expect(await h.alerts(o.orderId)).toContain("OVER_FILL");
    expect(position()).toBe("70");
  });

  it("Submitted -> PendingCancel -> partial fill -> cancel rejected returns to PartiallyFilled, not Submitted", async () => {
    const o = await h.working({}, { ack: false });
    await h.orders.cancel(o.orderId, "user:test");
    fill(o, "10");
    h.venue.report({ kind: "cancelRejected", orderId: o.orderId, reason: "too late to cancel" });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "PartiallyFilled", cumQty: "10", leavesQty: "90" });
  });

  it("cancel while a modify is pending goes to the venue instead of throwing InvalidStateTransition", async () => {
    const o = await h.working();
    await h.orders.modify({ orderId: o.orderId, orderQty: "150" }, "user:test");
    expect(h.get(o.orderId).ordStatus).toBe("PendingReplace");
    const cancelling = await h.orders.cancel(o.orderId, "user:test");
    expect(cancelling.ordStatus).toBe("PendingCancel");
    expect(h.venue.requests.at(-1)).toEqual({ kind: "cancel", orderId: o.orderId });
    h.venue.report({ kind: "replaced", orderId: o.orderId, orderQty: "150", price: "100", stopPx: null });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "PendingCancel", orderQty: "150" });
    h.venue.report({ kind: "cancelled", orderId: o.orderId, reason: "cancelled on request" });
    expect(h.get(o.orderId).ordStatus).toBe("Cancelled");
  });

  it("cancel-all and expiry take an order whose modify is pending", async () => {
    const pendingModify = await h.working({ timeInForce: "DAY" });
    await h.orders.modify({ orderId: pendingModify.orderId, orderQty: "150" }, "user:test");
    const result = await h.orders.cancelAll({}, "user:kill-switch");
    expect(result.cancelled).toEqual([pendingModify.orderId]);
    expect(result.skipped).toEqual([]);

    const other = await h.working({ timeInForce: "DAY" });
    await h.orders.modify({ orderId: other.orderId, orderQty: "150" }, "user:test");
    h.orders.expireDue(Date.now() + 25 * 3600_000);
    await new Promise((r) => setImmediate(r));
    expect(h.get(other.orderId).ordStatus).toBe("PendingCancel");
    h.venue.report({ kind: "cancelled", orderId: other.orderId, reason: "cancelled" });
    expect(h.get(other.orderId).ordStatus).toBe("Expired");
  });

  it("a cancel refused because one is already pending is a typed NOT_CANCELLABLE CommandError", async () => {
    const o = await h.working();
    await h.orders.cancel(o.orderId, "user:test");
    const error = await h.orders.cancel(o.orderId, "user:test").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).code).toBe("NOT_CANCELLABLE");
  });
});

describe("prices and venue rejects", () => {
  it("a buy filled above its limit is booked, flagged and raises PRICE_OUTSIDE_LIMIT", async () => {
    const o = await h.working({ side: "Buy", price: "100" });
    fill(o, "10", "100.5");
    expect(h.get(o.orderId).cumQty).toBe("10");
    expect(await h.alerts(o.orderId)).toEqual(["PRICE_OUTSIDE_LIMIT"]);
    const sell = await h.working({ side: "Sell", price: "100" });
    fill(sell, "10", "100.5");
    expect(await h.alerts(sell.orderId)).toEqual([]);
    fill(sell, "10", "99.99");
    expect(await h.alerts(sell.orderId)).toEqual(["PRICE_OUTSIDE_LIMIT"]);
  });

  it.each(["Accepted", "PendingCancel", "PendingReplace"] as const)(
    "a venue reject after acknowledgement (%s) rejects the order",
    async (state) => {
      const o = await h.working();
      if (state === "PendingCancel") await h.orders.cancel(o.orderId, "user:test");
      if (state === "PendingReplace") await h.orders.modify({ orderId: o.orderId, orderQty: "150" }, "user:test");
      expect(h.get(o.orderId).ordStatus).toBe(state);
      h.venue.report({ kind: "rejected", orderId: o.orderId, reason: "ExecType 8: halted" });
      expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Rejected", rejectSource: "VENUE", leavesQty: "0" });
      expect(await typesOf(o.orderId)).not.toContain("TransitionRefused");
    },
  );

  it("reconciliation applies a venue's rejected status to an acknowledged order instead of refusing it again", async () => {
    const o = await h.working();
    h.venue.status.set(o.orderId, {
      orderId: o.orderId,
      known: true,
      state: "rejected",
      orderQty: "100",
      price: "100",
      cumQty: "0",
      fills: [],
      reason: "rejected by the venue",
    });
    await h.orders.reconcile();
    expect(h.get(o.orderId).ordStatus).toBe("Rejected");
  });
});

describe("busts, corrections, restatements", () => {
  it("a bust of the only fill on a Filled order reopens it and takes the fill out of the position", async () => {
    const o = await h.working({ orderQty: "100" });
    const execId = fill(o, "100", "99");
    expect(h.get(o.orderId).ordStatus).toBe("Filled");
    expect(position()).toBe("100");
    h.venue.report({ kind: "tradeBusted", orderId: o.orderId, refExecId: execId, reason: "clearly erroneous" });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Accepted", cumQty: "0", leavesQty: "100", avgPx: "0" });
    expect(h.positions.position("ACC-1", "AAPL")).toMatchObject({ qty: "0", boughtQty: "0", boughtNotional: "0" });
    h.venue.report({ kind: "tradeBusted", orderId: o.orderId, refExecId: execId, reason: "duplicate bust" });
    expect(position()).toBe("0");
    expect(await typesOf(o.orderId)).toContain("OrderTradeBusted");
  });

  it("a bust on a Cancelled order keeps it Cancelled, with the fill taken out", async () => {
    const o = await h.working();
    const first = fill(o, "30");
    h.venue.report({ kind: "cancelled", orderId: o.orderId, reason: "unsolicited" });
    h.venue.report({ kind: "tradeBusted", orderId: o.orderId, refExecId: first, reason: "bust" });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Cancelled", cumQty: "0", leavesQty: "0" });
    expect(position()).toBe("0");
  });

  it("a trade correction changes cumQty, avgPx and the position, journaled as OrderTradeCorrected", async () => {
    const o = await h.working({ orderQty: "100" });
    const execId = fill(o, "40", "99");
    h.venue.report({
      kind: "tradeCorrected",
      orderId: o.orderId,
      refExecId: execId,
      execId: "CORR-1",
      lastQty: "50",
      lastPx: "98.5",
      reason: "price corrected",
    });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "PartiallyFilled", cumQty: "50", leavesQty: "50", avgPx: "98.5" });
    expect(h.positions.position("ACC-1", "AAPL")).toMatchObject({ qty: "50", boughtNotional: "4925" });
    // A later bust may name the correction's own exec id.
    h.venue.report({ kind: "tradeBusted", orderId: o.orderId, refExecId: "CORR-1", reason: "bust" });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "Accepted", cumQty: "0" });
    expect(position()).toBe("0");
  });

  it("a bust for an execution never booked changes nothing and raises UNKNOWN_EXECUTION", async () => {
    const o = await h.working();
    h.venue.report({ kind: "tradeBusted", orderId: o.orderId, refExecId: "NOPE", reason: "bust" });
    expect(h.get(o.orderId).ordStatus).toBe("Accepted");
    expect(await h.alerts(o.orderId)).toEqual(["UNKNOWN_EXECUTION"]);
  });

  it("a restatement (ExecType D) changes the order's quantity and price, journaled as OrderRestated", async () => {
    const o = await h.working({ orderQty: "100" });
    fill(o, "20");
    h.venue.report({ kind: "restated", orderId: o.orderId, orderQty: "50", price: "99.5", reason: "venue reduced it" });
    expect(h.get(o.orderId)).toMatchObject({ ordStatus: "PartiallyFilled", orderQty: "50", price: "99.5", leavesQty: "30" });
    expect(await typesOf(o.orderId)).toContain("OrderRestated");
  });

  it("OrdStatus C in a status answer reconciles to Expired, not Cancelled", async () => {
    const o = await h.working({ timeInForce: "DAY" });
    h.venue.status.set(o.orderId, {
      orderId: o.orderId,
      known: true,
      state: "expired",
      orderQty: "100",
      price: "100",
      cumQty: "0",
      fills: [],
      reason: "expired at the venue",
    });
    await h.orders.reconcile();
    expect(h.get(o.orderId).ordStatus).toBe("Expired");
  });
});

describe("avgPx and defence in depth", () => {
  it("avgPx is exact to the instrument's precision + 4: 1 @ 100.01 and 2 @ 100.02 average 100.016667", async () => {
    const o = await h.working({ orderQty: "3", price: "101" });
    fill(o, "1", "100.01");
    fill(o, "2", "100.02");
    expect(h.get(o.orderId)).toMatchObject({ avgPx: "100.016667", notional: "300.05" });
  });

  it("a report that makes the engine throw is caught and journaled as VENUE_REPORT_FAILED", async () => {
    const o = await h.working();
    expect(() => h.venue.report({ kind: "fill", orderId: o.orderId, execId: "BAD", lastQty: "1.2e-7", lastPx: "100" })).not.toThrow();
    expect(await h.alerts(o.orderId)).toEqual(["VENUE_REPORT_FAILED"]);
    expect(h.get(o.orderId).cumQty).toBe("0");
    fill(o, "10");
    expect(h.get(o.orderId).cumQty).toBe("10");
  });
});

describe("held stops are re-checked by risk at trigger", () => {
  const triggerAt = (last: string) => {
    const q = { symbol: "AAPL", bid: last, ask: last, last, ts: Date.now() };
    h.quotes.set("AAPL", q);
    h.orders.onQuote(q);
  };
  /** A GTC AAPL stop of ACC-1, held by the engine until its trigger (sell 10 at 95 by default). */
  const heldStop = async (clOrdId: string, input: { side?: "Buy" | "Sell"; stopPx?: string; orderQty?: string } = {}) => {
    const { order } = await h.orders.submit(
      {
        clOrdId,
        accountId: "ACC-1",
        symbol: "AAPL",
        side: "Sell",
        ordType: "Stop",
        stopPx: "95",
        orderQty: "10",
        timeInForce: "GTC",
        ...input,
      },
      "user:test",
    );
    expect(order.ordStatus).toBe("Validated");
    return order;
  };
  const sentToVenue = (orderId: string) => h.venue.requests.filter((r) => r.kind === "submit" && r.order.orderId === orderId);

  it("a sell stop triggered during a global halt is not sent: journaled as OrderTriggerDenied once, held, sent when the halt lifts", async () => {
    const stop = await heldStop("stop-1");
    await h.risk.setTradingState({ scope: "global", state: "HALTED", reason: "kill switch" }, "user:risk");
    triggerAt("94");
    triggerAt("93");
    expect(h.get(stop.orderId)).toMatchObject({ ordStatus: "Validated", triggerDenied: expect.stringMatching(/^TRADING_HALTED/) });
    expect(sentToVenue(stop.orderId)).toEqual([]);
    expect((await typesOf(stop.orderId)).filter((t) => t === "OrderTriggerDenied")).toHaveLength(1);

    await h.risk.setTradingState({ scope: "global", state: "ACTIVE", reason: "resumed" }, "user:risk");
    triggerAt("93");
    expect(h.get(stop.orderId)).toMatchObject({ ordStatus: "Submitted", triggerDenied: null });
  });

  it("a stop triggered while its instrument is outside its trading hours stays held, and is sent once the hours allow it", async () => {
    const stop = await heldStop("stop-hours");
    // A one-hour session two hours from now, every day: closed now whatever the time of day.
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const rule = h.instruments.get("AAPL");
    if (!rule) throw new Error("no AAPL rule");
    h.instruments.set("AAPL", {
      ...rule,
      tradingHours: { open: hhmm(Date.now() + 2 * 3600_000), close: hhmm(Date.now() + 3 * 3600_000), days: [0, 1, 2, 3, 4, 5, 6] },
    });
    triggerAt("94");
    expect(h.get(stop.orderId)).toMatchObject({ ordStatus: "Validated", triggerDenied: expect.stringMatching(/^INSTRUMENT_CLOSED/) });
    expect(sentToVenue(stop.orderId)).toEqual([]);

    h.instruments.set("AAPL", rule);
    triggerAt("94");
    expect(h.get(stop.orderId)).toMatchObject({ ordStatus: "Submitted", triggerDenied: null });
  });

  it("a triggered stop that breaches a limit lowered since it was accepted is Rejected with the reason", async () => {
    const stop = await heldStop("stop-2", { side: "Buy", stopPx: "105", orderQty: "500" });
    await h.risk.setLimits({ scope: "default", limits: { maxOrderQty: "100" } }, "user:risk");
    triggerAt("106");
    expect(h.get(stop.orderId)).toMatchObject({ ordStatus: "Rejected", rejectSource: "RISK" });
    expect(h.get(stop.orderId).rejectReason).toMatch(/^MAX_ORDER_QTY: at trigger 106/);
  });
});

describe("an execution the state machine cannot take", () => {
  it("a fill for a held stop that was never sent is refused on record and raises EXECUTION_NOT_BOOKED", async () => {
    const { order: stop } = await h.orders.submit(
      {
        clOrdId: "held-1",
        accountId: "ACC-1",
        symbol: "AAPL",
        side: "Sell",
        ordType: "Stop",
        stopPx: "90",
        orderQty: "10",
        timeInForce: "GTC",
      },
      "user:test",
    );
    expect(stop.ordStatus).toBe("Validated");
    h.venue.report({ kind: "fill", orderId: stop.orderId, execId: "STRAY", lastQty: "10", lastPx: "90" });
    expect(h.get(stop.orderId)).toMatchObject({ ordStatus: "Validated", cumQty: "0" });
    expect(await h.alerts(stop.orderId)).toEqual(["EXECUTION_NOT_BOOKED"]);
    expect(await typesOf(stop.orderId)).toContain("TransitionRefused");
  });
});
