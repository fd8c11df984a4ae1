import Big from "big.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OrderEvent, OrderEventData } from "../events";
import { add, div, mul, sum } from "../money";
import { applyOrderEvent, replayOrders, scaleOf } from "./apply";
import { newOrder } from "./new-order";
import type { Order } from "./order";
import { type SubmitOrderInput, submitOrderInput } from "./schemas";
import { InvalidStateTransition } from "./transitions";

const ORDER_ID = "O1";
const T0 = "2025-01-02T14:30:00.000000Z";

/** An order as the engine records it on receipt, built from input that passed the real schema. */
function receivedOrder(input: Partial<SubmitOrderInput> = {}): Order {
  const o = submitOrderInput.parse({ accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Market", orderQty: "150", ...input });
  return newOrder(o, { orderId: ORDER_ID, clOrdId: o.clOrdId ?? ORDER_ID, actor: "user:alice", now: T0 });
}

/** Builds journaled events for one order, numbering them in sequence. */
function eventLog() {
  let seq = 0;
  return <K extends keyof OrderEventData>(type: K, data: OrderEventData[K]): OrderEvent => {
    seq += 1;
    const ts = new Date(Date.parse(T0) + seq * 1000).toISOString();
    return { seq, ts, monoUs: seq * 1000, type, orderId: ORDER_ID, accountId: "ACC-ALPHA", actor: "engine", data } as OrderEvent;
  };
}

type Ev = ReturnType<typeof eventLog>;

/** Received, validated, submitted and accepted by the venue. */
function working(ev: Ev, input: Partial<SubmitOrderInput> = {}): OrderEvent[] {
  return [
    ev("OrderReceived", { order: receivedOrder(input) }),
    ev("OrderValidated", {}),
    ev("OrderSubmitted", { venueId: "SIM-A", venueOrderId: "SIM-A-O1" }),
    ev("OrderAccepted", { venueOrderId: "SIM-A-O1" }),
  ];
}

const fill = (ev: Ev, lastQty: string, lastPx: string, done = false) =>
  ev(done ? "OrderFilled" : "OrderPartiallyFilled", { execId: `E-${lastQty}-${lastPx}`, venueId: "SIM-A", lastQty, lastPx });

/** a / b to 60 places (far beyond any rounding that matters here), then rounded once, half-even, to `places`. */
function roundedOnce(a: string, b: string, places: number): string {
  const Wide = Big();
  Wide.DP = 60;
  return new Wide(a)
    .div(new Wide(b))
    .round(places, Big.roundHalfEven)
    .toFixed()
    .replace(/(\.\d*?)0+$/, "$1")
    .replace(/\.$/, "");
}

function fold(events: readonly OrderEvent[]): Order {
  const order = replayOrders(events).get(ORDER_ID);
  if (!order) throw new Error("order not rebuilt");
  return order;
}

describe("applyOrderEvent", () => {
  it("builds the order from OrderReceived and records the venue on submit", () => {
    const ev = eventLog();
    const order = fold(working(ev));
    expect(order).toMatchObject({
      ordStatus: "Accepted",
      venueId: "SIM-A",
      venueOrderId: "SIM-A-O1",
      cumQty: "0",
      leavesQty: "150",
      lastSeq: 4,
    });
  });

  it("books partial fills exactly: 100 @ 10.00 then 50 @ 10.30 averages 10.1", () => {
    const ev = eventLog();
    const afterFirst = fold([...working(ev), fill(ev, "100", "10.00")]);
    expect(afterFirst).toMatchObject({ ordStatus: "PartiallyFilled", cumQty: "100", leavesQty: "50", avgPx: "10" });

    const done = applyOrderEvent(afterFirst, fill(ev, "50", "10.30", true));
    expect(done).toMatchObject({ ordStatus: "Filled", cumQty: "150", leavesQty: "0", avgPx: "10.1", notional: "1515" });
  });

  it("fills random splits of the quantity to Filled with an exact average price", () => {
    const fillArb = fc.record({
      qty: fc.integer({ min: 1, max: 100_000 }).map((cents) => div(String(cents), "100", 2)),
      px: fc.integer({ min: 1, max: 1_000_000 }).map((cents) => div(String(cents), "100", 2)),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 12 }), (fills) => {
        const orderQty = sum(fills.map((f) => f.qty));
        const ev = eventLog();
        let order = fold(working(ev, { orderQty }));
        let cumQty = "0";
        fills.forEach((f, i) => {
          order = applyOrderEvent(order, fill(ev, f.qty, f.px, i === fills.length - 1));
          cumQty = add(cumQty, f.qty);
          expect(order.cumQty).toBe(cumQty);
          expect(add(order.cumQty, order.leavesQty)).toBe(orderQty);
        });
        const notional = sum(fills.map((f) => mul(f.qty, f.px)));
        expect(order.ordStatus).toBe("Filled");
        expect(order.cumQty).toBe(orderQty);
        expect(order.leavesQty).toBe("0");
        // Rounded once, half-even, to the finest price's places + 4.
        const places = Math.max(...fills.map((f) => scaleOf(f.px))) + 4;
        expect(order.avgPx).toBe(roundedOnce(notional, orderQty, places));
      }),
    );
  });

  it("books an over-fill beyond orderQty: cumQty exceeds it, leaves stay 0, the order is flagged", () => {
    const ev = eventLog();
    const order = fold([...working(ev), fill(ev, "100", "10")]);
    const over = applyOrderEvent(order, fill(ev, "51", "10", true));
    expect(over).toMatchObject({ ordStatus: "Filled", cumQty: "151", leavesQty: "0", overFill: true, notional: "1510" });
    const again = applyOrderEvent(over, fill(ev, "5", "10"));
    expect(again).toMatchObject({ ordStatus: "Filled", cumQty: "156", leavesQty: "0", overFill: true });
  });

  it("leaves the order unchanged when the state machine refuses an event", () => {
    const ev = eventLog();
    const order = fold([ev("OrderReceived", { order: receivedOrder() })]);
    const before = structuredClone(order);
    expect(() => applyOrderEvent(order, fill(ev, "1", "10"))).toThrow(InvalidStateTransition);
    expect(order).toEqual(before);
  });

  it("books a fill that arrives after the cancel, keeps Cancelled and flags it", () => {
    const ev = eventLog();
    const cancelled = fold([
      ...working(ev),
      fill(ev, "40", "10"),
      ev("OrderPendingCancel", {}),
      ev("OrderCancelled", { reason: "cancelled on request" }),
    ]);
    expect(cancelled).toMatchObject({ ordStatus: "Cancelled", cumQty: "40", leavesQty: "0", lateFill: false });

    const late = applyOrderEvent(cancelled, fill(ev, "10", "11"));
    expect(late).toMatchObject({ ordStatus: "Cancelled", cumQty: "50", leavesQty: "0", avgPx: "10.2", lateFill: true });
  });

  it.each(["Accepted", "PartiallyFilled"] as const)("returns to %s when the venue refuses a cancel", (workingState) => {
    const ev = eventLog();
    const events = [...working(ev), ...(workingState === "PartiallyFilled" ? [fill(ev, "10", "10")] : [])];
    const pending = fold([...events, ev("OrderPendingCancel", {})]);
    expect(pending).toMatchObject({ ordStatus: "PendingCancel", previousStatus: workingState });

    const back = applyOrderEvent(pending, ev("OrderCancelRejected", { reason: "too late" }));
    expect(back).toMatchObject({ ordStatus: workingState, previousStatus: null });
  });

  it("records who refused the order and why", () => {
    const ev = eventLog();
    const denied = fold([ev("OrderReceived", { order: receivedOrder() }), ev("OrderDenied", { code: "MAX_ORDER_QTY", reason: "too big" })]);
    expect(denied).toMatchObject({ ordStatus: "Rejected", rejectSource: "RISK", rejectReason: "MAX_ORDER_QTY: too big", leavesQty: "0" });
  });

  it("refuses an event for an order it has never seen", () => {
    const ev = eventLog();
    expect(() => applyOrderEvent(undefined, ev("OrderValidated", {}))).toThrow("unknown order O1");
  });
});

describe("replayOrders", () => {
  it("rebuilds the same orders every time from the same events", () => {
    const ev = eventLog();
    const events = [
      ...working(ev, { ordType: "Limit", price: "10.25", orderQty: "300" }),
      fill(ev, "100", "10.25"),
      ev("OrderPendingCancel", {}),
      ev("OrderCancelRejected", { reason: "too late" }),
      fill(ev, "150", "10.2"),
    ];
    const first = replayOrders(events);
    const second = replayOrders(events);
    expect(second).toEqual(first);
    expect(first.get(ORDER_ID)).toMatchObject({ ordStatus: "PartiallyFilled", cumQty: "250", leavesQty: "50", avgPx: "10.22" });
  });
});

describe("a refused cancel after fills", () => {
  it("returns the order to PartiallyFilled, not Accepted", () => {
    const ev = eventLog();
    const order = fold([
      ...working(ev),
      ev("OrderPendingCancel", {}),
      fill(ev, "10", "1.5"),
      ev("OrderCancelRejected", { reason: "too late to cancel" }),
    ]);
    expect(order.ordStatus).toBe("PartiallyFilled");
    expect(order.cumQty).toBe("10");
    expect(order.leavesQty).toBe("140");
  });
});

/** Issue 9, section 1: every execution the venue reports is booked, exactly once. */
describe("every execution is booked", () => {
  const cancelOrExpire = (ev: Ev, how: "Cancelled" | "Expired") =>
    how === "Cancelled"
      ? ev("OrderCancelled", { reason: "cancelled" })
      : ev("OrderExpired", { reason: "DAY order expired at the session end" });

  it.each(["Cancelled", "Expired"] as const)("books a fill that arrives after the engine %s the order, flagged late", (how) => {
    const ev = eventLog();
    const done = fold([...working(ev), fill(ev, "40", "10"), ev("OrderPendingCancel", { reason: "expired" }), cancelOrExpire(ev, how)]);
    const late = applyOrderEvent(done, fill(ev, "10", "11"));
    expect(late).toMatchObject({ ordStatus: how, cumQty: "50", leavesQty: "0", avgPx: "10.2", lateFill: true });
  });

  it("books a fill that raced a venue reject after acknowledgement, flagged late", () => {
    const ev = eventLog();
    const rejected = fold([...working(ev), ev("OrderRejected", { source: "VENUE", reason: "halted by the venue" })]);
    expect(rejected).toMatchObject({ ordStatus: "Rejected", rejectSource: "VENUE", leavesQty: "0" });
    expect(applyOrderEvent(rejected, fill(ev, "5", "10"))).toMatchObject({ ordStatus: "Rejected", cumQty: "5", lateFill: true });
  });

  it("modify 100 -> 60, fill 60, venue confirms 60: the order is Filled with nothing left, not live forever", () => {
    const ev = eventLog();
    const order = fold([
      ...working(ev, { orderQty: "100" }),
      ev("OrderPendingReplace", { orderQty: "60", price: null, stopPx: null }),
      fill(ev, "60", "10"),
      ev("OrderReplaced", { orderQty: "60", price: null, stopPx: null }),
    ]);
    expect(order).toMatchObject({ ordStatus: "Filled", orderQty: "60", cumQty: "60", leavesQty: "0", previousStatus: null });
  });

  it("fill 70 then the venue confirms a replace to 60: Filled (done at the venue), not PendingReplace at 100", () => {
    const ev = eventLog();
    const order = fold([
      ...working(ev, { orderQty: "100" }),
      ev("OrderPendingReplace", { orderQty: "60", price: null, stopPx: null }),
      fill(ev, "70", "10"),
      ev("OrderReplaced", { orderQty: "60", price: null, stopPx: null }),
    ]);
    expect(order).toMatchObject({ ordStatus: "Filled", orderQty: "60", cumQty: "70", leavesQty: "0", overFill: true });
  });

  it("Submitted -> PendingCancel -> partial fill -> cancel rejected returns to PartiallyFilled, not Submitted", () => {
    const ev = eventLog();
    const order = fold([
      ev("OrderReceived", { order: receivedOrder() }),
      ev("OrderValidated", {}),
      ev("OrderSubmitted", { venueId: "SIM-A", venueOrderId: "SIM-A-O1" }),
      ev("OrderPendingCancel", {}),
      fill(ev, "10", "10"),
      ev("OrderCancelRejected", { reason: "too late to cancel" }),
    ]);
    expect(order).toMatchObject({ ordStatus: "PartiallyFilled", cumQty: "10", leavesQty: "140" });
  });

  it.each([
    ["Accepted", []],
    ["PendingCancel", ["OrderPendingCancel"]],
    ["PendingReplace", ["OrderPendingReplace"]],
  ] as const)("a venue reject after acknowledgement (from %s) rejects the order", (_state, pending) => {
    const ev = eventLog();
    const steps = pending.map((type) =>
      type === "OrderPendingCancel" ? ev(type, {}) : ev("OrderPendingReplace", { orderQty: "200", price: null, stopPx: null }),
    );
    const order = fold([...working(ev), ...steps, ev("OrderRejected", { source: "VENUE", reason: "ExecType 8" })]);
    expect(order).toMatchObject({ ordStatus: "Rejected", leavesQty: "0", rejectSource: "VENUE", rejectReason: "ExecType 8" });
  });

  it("cancel while a replace is pending goes PendingCancel; a late replace confirm keeps it pending; a refused cancel returns to working", () => {
    const ev = eventLog();
    const pending = fold([
      ...working(ev),
      fill(ev, "10", "10"),
      ev("OrderPendingReplace", { orderQty: "200", price: null, stopPx: null }),
      ev("OrderPendingCancel", {}),
    ]);
    expect(pending).toMatchObject({ ordStatus: "PendingCancel", previousStatus: "PartiallyFilled" });
    const replaced = applyOrderEvent(pending, ev("OrderReplaced", { orderQty: "200", price: null, stopPx: null }));
    expect(replaced).toMatchObject({ ordStatus: "PendingCancel", orderQty: "200", leavesQty: "190" });
    expect(applyOrderEvent(replaced, ev("OrderCancelRejected", { reason: "no" }))).toMatchObject({ ordStatus: "PartiallyFilled" });
    expect(applyOrderEvent(replaced, ev("OrderCancelled", { reason: "ok" }))).toMatchObject({ ordStatus: "Cancelled", leavesQty: "0" });
  });

  it("a bust of the only fill on a Filled order reopens it (Accepted, leaves restored), as FIX ExecType H", () => {
    const ev = eventLog();
    const filled = fold([...working(ev, { orderQty: "100" }), fill(ev, "100", "10", true)]);
    const busted = applyOrderEvent(
      filled,
      ev("OrderTradeBusted", { venueId: "SIM-A", refExecId: "E-100-10", lastQty: "100", lastPx: "10", reason: "erroneous trade" }),
    );
    expect(busted).toMatchObject({ ordStatus: "Accepted", cumQty: "0", leavesQty: "100", avgPx: "0", notional: "0" });
  });

  it("a bust on a partly filled Cancelled order keeps it Cancelled with the fill taken out", () => {
    const ev = eventLog();
    const cancelled = fold([
      ...working(ev, { orderQty: "100" }),
      fill(ev, "30", "10"),
      fill(ev, "20", "11"),
      ev("OrderCancelled", { reason: "unsolicited" }),
    ]);
    const busted = applyOrderEvent(
      cancelled,
      ev("OrderTradeBusted", { venueId: "SIM-A", refExecId: "E-20-11", lastQty: "20", lastPx: "11", reason: "bust" }),
    );
    expect(busted).toMatchObject({ ordStatus: "Cancelled", cumQty: "30", leavesQty: "0", avgPx: "10", notional: "300" });
  });

  it("a trade correction replaces the fill's quantity and price exactly, and can complete the order", () => {
    const ev = eventLog();
    const partly = fold([...working(ev, { orderQty: "100" }), fill(ev, "60", "10")]);
    const corrected = applyOrderEvent(
      partly,
      ev("OrderTradeCorrected", {
        venueId: "SIM-A",
        refExecId: "E-60-10",
        execId: "E-60-10-C",
        oldQty: "60",
        oldPx: "10",
        lastQty: "100",
        lastPx: "10.05",
        reason: "wrong quantity",
      }),
    );
    expect(corrected).toMatchObject({ ordStatus: "Filled", cumQty: "100", leavesQty: "0", avgPx: "10.05", notional: "1005" });
  });

  it("a restatement below the filled quantity leaves nothing: the order is Filled", () => {
    const ev = eventLog();
    const order = fold([
      ...working(ev, { orderQty: "100" }),
      fill(ev, "40", "10"),
      ev("OrderRestated", { orderQty: "40", price: null, reason: "venue reduced the order" }),
    ]);
    expect(order).toMatchObject({ ordStatus: "Filled", orderQty: "40", leavesQty: "0" });
  });

  it("avgPx is notional / cumQty rounded once to the price precision + 4, not to 8 places", () => {
    const ev = eventLog();
    const order = fold([...working(ev, { orderQty: "3" }), fill(ev, "1", "10.01"), fill(ev, "2", "10.02", true)]);
    expect(order.notional).toBe("30.05");
    expect(order.avgPx).toBe("10.016667");
    // The instrument's precision, carried from receipt, counts even when prices end in zeros.
    const ev2 = eventLog();
    const withScale = { ...receivedOrder({ orderQty: "3" }), pxScale: 2 };
    const order2 = fold([
      ev2("OrderReceived", { order: withScale }),
      ev2("OrderValidated", {}),
      ev2("OrderSubmitted", { venueId: "SIM-A", venueOrderId: "SIM-A-O1" }),
      ev2("OrderFilled", { execId: "E1", venueId: "SIM-A", lastQty: "3", lastPx: "10" }),
    ]);
    expect(order2.avgPx).toBe("10");
    const order3 = applyOrderEvent(order2, ev2("OrderFilled", { execId: "E2", venueId: "SIM-A", lastQty: "3", lastPx: "10.1" }));
    expect(order3.avgPx).toBe("10.05");
    const order4 = applyOrderEvent(order3, ev2("OrderFilled", { execId: "E3", venueId: "SIM-A", lastQty: "1", lastPx: "10" }));
    expect(order4.avgPx).toBe("10.042857"); // 70.3 / 7 = 10.0428571…, 2 + 4 places
  });

  it("a held stop whose trigger risk refused stays Validated and shows why", () => {
    const ev = eventLog();
    const held = fold([
      ev("OrderReceived", { order: receivedOrder({ ordType: "Stop", stopPx: "90", side: "Sell" }) }),
      ev("OrderValidated", {}),
      ev("OrderTriggerDenied", { code: "TRADING_HALTED", reason: "trading is HALTED", triggerPx: "89" }),
    ]);
    expect(held).toMatchObject({ ordStatus: "Validated", triggerDenied: "TRADING_HALTED: trading is HALTED" });
    const sent = applyOrderEvent(held, ev("OrderSubmitted", { venueId: "SIM-A", venueOrderId: "SIM-A-O1", triggerPx: "88" }));
    expect(sent).toMatchObject({ ordStatus: "Submitted", triggerDenied: null });
  });
});
