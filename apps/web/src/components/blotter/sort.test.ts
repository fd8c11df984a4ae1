import type { Order } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { OrderStore, type ViewSpec } from "../../lib/order-store";
import { comparatorFor } from "./sort";

let seq = 0;
function order(n: number, patch: Partial<Order> = {}): Order {
  seq += 1;
  return {
    orderId: `O${n}`,
    clOrdId: `c${n}`,
    accountId: "ACC-ALPHA",
    symbol: ["AAPL", "MSFT", "SPY"][n % 3] ?? "AAPL",
    side: "Buy",
    ordType: "Limit",
    timeInForce: "DAY",
    orderQty: String(1 + (n % 7)),
    price: "100",
    stopPx: null,
    trailAmount: null,
    trailPercent: null,
    expireTime: null,
    ordStatus: "Accepted",
    previousStatus: null,
    cumQty: "0",
    leavesQty: String(1 + (n % 7)),
    avgPx: "0",
    notional: "0",
    requestedVenueId: null,
    venueId: "SIM",
    venueOrderId: null,
    parentId: null,
    strategy: null,
    createdBy: "t",
    rejectSource: null,
    rejectReason: null,
    lateFill: false,
    createdAt: new Date(Date.UTC(2030, 0, 1) + n * 1000).toISOString(),
    updatedAt: new Date().toISOString(),
    lastSeq: seq,
    ...patch,
  };
}

const ids = (rows: readonly Order[]) => rows.map((o) => o.orderId);

describe("blotter sort", () => {
  it("sorts by a column's key, ties newest first; descending reverses the key only", () => {
    const store = new OrderStore();
    store.reset([order(1), order(2), order(3), order(4), order(5)]);
    const up = store.view({ filter: () => true, compare: comparatorFor({ column: "symbol", dir: "asc" }, store) });
    // AAPL: O3; MSFT: O4, O1; SPY: O5, O2 (newest first within a symbol).
    expect(ids(up)).toEqual(["O3", "O4", "O1", "O5", "O2"]);
    const down = store.view({ filter: () => true, compare: comparatorFor({ column: "symbol", dir: "desc" }, store) });
    expect(ids(down)).toEqual(["O5", "O2", "O4", "O1", "O3"]);
    const qty = store.view({ filter: () => true, compare: comparatorFor({ column: "qty", dir: "asc" }, store) });
    expect(qty.map((o) => Number(o.orderQty))).toEqual([1, 2, 3, 4, 5].map((n) => 1 + (n % 7)).sort((a, b) => a - b));
  });

  it("keeps a column-sorted view equal to a fresh sort as orders change (incremental moves, not re-sorts)", () => {
    const store = new OrderStore();
    store.reset(Array.from({ length: 300 }, (_, i) => order(i)));
    // Last Qty depends on the fills seen between versions: its key changes when an order fills.
    for (const column of ["leaves", "lastQty", "status"]) {
      const spec: ViewSpec = { filter: (o) => o.ordStatus !== "Cancelled", compare: comparatorFor({ column, dir: "asc" }, store) };
      store.view(spec);
      for (let round = 0; round < 40; round += 1) {
        const batch: Order[] = [];
        for (let k = 0; k < 6; k += 1) {
          const n = (round * 53 + k * 17) % 330;
          const prev = store.orders.get(`O${n}`);
          if (!prev) batch.push(order(n));
          else if (k % 3 === 0) batch.push(order(n, { createdAt: prev.createdAt, ordStatus: "Cancelled", leavesQty: "0" }));
          else {
            const cum = Math.min(Number(prev.orderQty), Number(prev.cumQty) + 1);
            batch.push(
              order(n, {
                createdAt: prev.createdAt,
                ordStatus: cum === Number(prev.orderQty) ? "Filled" : "PartiallyFilled",
                cumQty: String(cum),
                leavesQty: String(Number(prev.orderQty) - cum),
                notional: String(cum * 100),
              }),
            );
          }
        }
        store.apply(batch);
        const live = [...store.view(spec)];
        const fresh = [...store.orders.values()].filter(spec.filter).sort(comparatorFor({ column, dir: "asc" }, store));
        expect(ids(live), `${column}, round ${round}`).toEqual(ids(fresh));
      }
    }
  });
});
