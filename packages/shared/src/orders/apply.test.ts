import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OrderEvent, OrderEventData } from "../events";
import { add, div, mul, sum } from "../money";
import { applyOrderEvent, OverFill, replayOrders } from "./apply";
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
        expect(order.avgPx).toBe(div(notional, orderQty, 8));
      }),
    );
  });

  it("refuses an over-fill and leaves the order as it was", () => {
    const ev = eventLog();
    const order = fold([...working(ev), fill(ev, "100", "10")]);
    const before = structuredClone(order);
    const overFill = fill(ev, "51", "10");
    expect(() => applyOrderEvent(order, overFill)).toThrow(OverFill);
    expect(() => applyOrderEvent(order, overFill)).toThrow("would exceed its quantity 150 (already filled 100)");
    expect(order).toEqual(before);
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
