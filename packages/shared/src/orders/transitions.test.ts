import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ORD_STATUSES, type OrdStatus } from "./enums";
import {
  canTransition,
  InvalidStateTransition,
  ORDER_TRANSITION_EVENTS,
  type OrderTransitionEvent,
  TRANSITION_TABLE,
  type TransitionTarget,
  transition,
  WORKING_STATUSES,
} from "./transitions";

const table = new Map<string, TransitionTarget>(TRANSITION_TABLE.map(([from, event, to]) => [`${from}|${event}`, to]));
const allPairs = ORD_STATUSES.flatMap((from) => ORDER_TRANSITION_EVENTS.map((event) => [from, event] as const));
const legalPairs = allPairs.filter(([from, event]) => table.has(`${from}|${event}`));
const illegalPairs = allPairs.filter(([from, event]) => !table.has(`${from}|${event}`));

function refusal(fn: () => unknown): InvalidStateTransition {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidStateTransition) return error;
    throw error;
  }
  throw new Error("expected InvalidStateTransition, but the transition was allowed");
}

describe("transition table", () => {
  it("has at most one row per (state, event)", () => {
    expect(table.size).toBe(TRANSITION_TABLE.length);
  });

  it("only names known states and events", () => {
    for (const [from, event, to] of TRANSITION_TABLE) {
      expect(ORD_STATUSES).toContain(from);
      expect(ORDER_TRANSITION_EVENTS).toContain(event);
      if (to !== "Previous") expect(ORD_STATUSES).toContain(to);
    }
  });

  it.each(legalPairs)("%s + %s gives the table's state", (from, event) => {
    const to = table.get(`${from}|${event}`);
    expect(canTransition(from, event)).toBe(true);
    if (to === "Previous") {
      for (const previous of WORKING_STATUSES) expect(transition(from, event, previous)).toBe(previous);
    } else {
      expect(transition(from, event)).toBe(to);
    }
  });

  it.each(illegalPairs)("%s + %s is refused", (from, event) => {
    expect(canTransition(from, event)).toBe(false);
    const error = refusal(() => transition(from, event, "Accepted"));
    expect(error.code).toBe("INVALID_STATE_TRANSITION");
    expect(error.from).toBe(from);
    expect(error.event).toBe(event);
    expect(error.message).toContain(from);
    expect(error.message).toContain(event);
  });

  it("refuses a return to Previous without a working previous state", () => {
    for (const [from, event, to] of TRANSITION_TABLE) {
      if (to !== "Previous") continue;
      expect(refusal(() => transition(from, event)).from).toBe(from);
      expect(refusal(() => transition(from, event, "Pending")).event).toBe(event);
      expect(refusal(() => transition(from, event, "Filled")).code).toBe("INVALID_STATE_TRANSITION");
    }
  });
});

describe("the customer's diagram", () => {
  it.each([
    ["Pending", "OrderValidated", "Validated"],
    ["Validated", "OrderSubmitted", "Submitted"],
    ["Submitted", "OrderPartiallyFilled", "PartiallyFilled"],
    ["Submitted", "OrderFilled", "Filled"],
    ["Submitted", "OrderRejected", "Rejected"],
    ["Submitted", "OrderPendingCancel", "PendingCancel"],
    ["PendingCancel", "OrderCancelled", "Cancelled"],
    ["PartiallyFilled", "OrderFilled", "Filled"],
  ] as const)("%s + %s -> %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it("walks Pending to Filled and Pending to Cancelled", () => {
    const walk = (events: OrderTransitionEvent[]) => events.reduce<OrdStatus>((s, e) => transition(s, e, "Submitted"), "Pending");
    expect(walk(["OrderValidated", "OrderSubmitted", "OrderPartiallyFilled", "OrderFilled"])).toBe("Filled");
    expect(walk(["OrderValidated", "OrderSubmitted", "OrderPendingCancel", "OrderCancelled"])).toBe("Cancelled");
  });
});

describe("terminal states", () => {
  // A venue's execution is a fact: fills, busts and corrections reach a done order too.
  const TRADE_FACTS = ["OrderFilled", "OrderPartiallyFilled", "OrderTradeBusted", "OrderTradeCorrected"];

  it.each(["Rejected", "Cancelled", "Expired"] as const)("%s accepts only fills, busts and corrections, and stays %s", (state) => {
    const accepted = ORDER_TRANSITION_EVENTS.filter((event) => canTransition(state, event));
    expect(accepted.sort()).toEqual([...TRADE_FACTS].sort());
    for (const event of accepted) expect(transition(state, event)).toBe(state);
    for (const event of ORDER_TRANSITION_EVENTS.filter((e) => !accepted.includes(e)))
      expect(refusal(() => transition(state, event, "Accepted")).from).toBe(state);
  });

  it("Filled books over-fills, absorbs late refusals of our requests, and is reopened only by a bust, a correction, or the venue confirming more quantity", () => {
    const accepted = ORDER_TRANSITION_EVENTS.filter((event) => canTransition("Filled", event));
    expect(accepted.sort()).toEqual(
      [...TRADE_FACTS, "OrderCancelRejected", "OrderReplaceRejected", "OrderReplaced", "OrderRestated"].sort(),
    );
    expect(transition("Filled", "OrderFilled")).toBe("Filled");
    expect(transition("Filled", "OrderPartiallyFilled")).toBe("Filled");
    expect(transition("Filled", "OrderCancelRejected")).toBe("Filled");
    expect(transition("Filled", "OrderTradeBusted")).toBe("PartiallyFilled");
    expect(transition("Filled", "OrderTradeCorrected")).toBe("PartiallyFilled");
    expect(transition("Filled", "OrderReplaced")).toBe("PartiallyFilled");
    expect(transition("Filled", "OrderRestated")).toBe("PartiallyFilled");
  });
});

describe("random walks from Pending", () => {
  it("every accepted step follows the table; done stays done unless a bust or correction reopens a fill or the venue confirms more quantity", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_TRANSITION_EVENTS), { maxLength: 40 }), (events) => {
        let state: OrdStatus = "Pending";
        let previous: OrdStatus | undefined;
        for (const event of events) {
          const target = table.get(`${state}|${event}`);
          let next: OrdStatus;
          try {
            next = transition(state, event, previous);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidStateTransition);
            const refusedByPrevious = target === "Previous" && (previous === undefined || !WORKING_STATUSES.includes(previous));
            expect(target === undefined || refusedByPrevious).toBe(true);
            continue;
          }
          expect(target).toBeDefined();
          expect(next).toBe(target === "Previous" ? previous : target);
          if (state === "Rejected" || state === "Expired" || state === "Cancelled") expect(next).toBe(state);
          if (state === "Filled" && next !== "Filled")
            expect(["OrderTradeBusted", "OrderTradeCorrected", "OrderReplaced", "OrderRestated"]).toContain(event);
          if (next === "PendingCancel" || next === "PendingReplace") {
            if (next !== state) previous = state;
          } else {
            previous = undefined;
          }
          state = next;
        }
      }),
      { numRuns: 500 },
    );
  });
});
