import type { Order } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RequestedChanges, workingExposure } from "./exposure";
import { ExposureLedger } from "./exposure-ledger";

const STATUSES: Order["ordStatus"][] = [
  "Validated",
  "Submitted",
  "Accepted",
  "PartiallyFilled",
  "PendingReplace",
  "PendingCancel",
  "Filled",
  "Cancelled",
];
const asks: Record<string, string> = { AAPL: "189.52", SPY: "571.3" };
const farTouch = (symbol: string) => asks[symbol];

/** One step: order `id` is now in this state (and has this pending replace, or none). */
const step = fc.record({
  id: fc.integer({ min: 0, max: 11 }),
  accountId: fc.constantFrom("ACC-ALPHA", "ACC-BETA"),
  symbol: fc.constantFrom("AAPL", "SPY", "NVDA"),
  side: fc.constantFrom("Buy", "Sell") as fc.Arbitrary<Order["side"]>,
  ordType: fc.constantFrom("Limit", "Market", "Stop") as fc.Arbitrary<Order["ordType"]>,
  orderQty: fc.integer({ min: 1, max: 1000 }),
  filled: fc.integer({ min: 0, max: 1000 }),
  px: fc.stringMatching(/^[1-9]\d{0,2}\.\d{1,2}$/),
  status: fc.constantFrom(...STATUSES),
  child: fc.boolean(),
  replace: fc.option(
    fc.record({ orderQty: fc.integer({ min: 1, max: 2000 }), priced: fc.boolean(), px: fc.stringMatching(/^[1-9]\d{0,2}\.\d$/) }),
    { nil: undefined },
  ),
});

function orderOf(s: Step): Order {
  const cumQty = Math.min(s.filled, s.orderQty);
  const base = orderFrom(
    {
      accountId: s.accountId,
      symbol: s.symbol,
      side: s.side,
      ordType: s.ordType,
      orderQty: String(s.orderQty),
      ...(s.ordType === "Limit" ? { price: s.px } : {}),
      ...(s.ordType === "Stop" ? { stopPx: s.px } : {}),
    },
    { orderId: `O${s.id}` },
  );
  return {
    ...base,
    ordStatus: s.status,
    cumQty: String(cumQty),
    leavesQty: String(s.orderQty - cumQty),
    parentId: s.child ? "PARENT" : null,
  };
}

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

describe("ExposureLedger", () => {
  it("gives the same exposure as walking every working order, for any history of order states and pending replaces", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 11 }), (steps, subjectId) => {
        const ledger = new ExposureLedger();
        const orders = new Map<string, Order>();
        const pending = new Map<string, RequestedChanges>();
        for (const s of steps) {
          const order = orderOf(s);
          orders.set(order.orderId, order);
          if (s.replace && order.ordStatus === "PendingReplace")
            pending.set(order.orderId, {
              orderQty: String(s.replace.orderQty),
              price: s.replace.priced ? s.replace.px : null,
              stopPx: null,
            });
          else pending.delete(order.orderId);
          ledger.update(order, pending.get(order.orderId));
        }
        const live = [...orders.values()].filter((o) => o.ordStatus !== "Filled" && o.ordStatus !== "Cancelled");
        for (const accountId of ["ACC-ALPHA", "ACC-BETA"])
          for (const symbol of ["AAPL", "SPY", "NVDA"])
            for (const orderId of [`O${subjectId}`, "NEW"]) {
              const subject = { orderId, accountId, symbol };
              const expected = workingExposure(live, subject, pending, farTouch);
              const got = ledger.exposure(subject, farTouch);
              expect({ ...got, unpricedOpenBuys: [...got.unpricedOpenBuys].sort() }).toEqual({
                ...expected,
                unpricedOpenBuys: [...expected.unpricedOpenBuys].sort(),
              });
            }
      }),
      { numRuns: 300 },
    );
  });
});
