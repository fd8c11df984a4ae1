import type { Order } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { newestFirst, OrderStore, type ViewSpec } from "./order-store";

let seq = 0;
function order(n: number, patch: Partial<Order> = {}): Order {
  seq += 1;
  return {
    orderId: `O${n}`,
    clOrdId: `c${n}`,
    accountId: n % 2 === 0 ? "ACC-ALPHA" : "ACC-BETA",
    symbol: n % 3 === 0 ? "AAPL" : "MSFT",
    side: "Buy",
    ordType: "Limit",
    timeInForce: "DAY",
    orderQty: "10",
    price: "100",
    stopPx: null,
    trailAmount: null,
    trailPercent: null,
    expireTime: null,
    ordStatus: "Accepted",
    previousStatus: null,
    cumQty: "0",
    leavesQty: "10",
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

const all: ViewSpec = { filter: () => true, compare: newestFirst };

describe("OrderStore", () => {
  it("keeps its sorted, filtered view up to date incrementally, equal to a fresh sort", () => {
    const store = new OrderStore();
    store.reset(Array.from({ length: 200 }, (_, i) => order(i)));
    const aapl: ViewSpec = { filter: (o) => o.symbol === "AAPL" && o.ordStatus !== "Cancelled", compare: newestFirst };
    store.view(aapl);
    for (let round = 0; round < 50; round += 1) {
      const batch: Order[] = [];
      for (let k = 0; k < 5; k += 1) {
        const n = (round * 37 + k * 11) % 260; // updates and new orders
        const prev = store.orders.get(`O${n}`);
        batch.push(
          order(n, { ordStatus: prev && round % 3 === 0 ? "Cancelled" : "Accepted", createdAt: prev?.createdAt ?? order(n).createdAt }),
        );
      }
      store.apply(batch);
      const fresh = [...store.orders.values()].filter(aapl.filter).sort(newestFirst);
      expect(store.view(aapl).map((o) => o.orderId)).toEqual(fresh.map((o) => o.orderId));
    }
  });

  it("a row flashes only within the window after its change arrived, not when it is rendered again later", () => {
    let now = 0;
    const store = new OrderStore(undefined, () => now);
    const a = order(1);
    store.reset([a]);
    expect(store.flashes(a, 1200)).toBe(false);
    now = 10_000;
    const changed = { ...a, ordStatus: "Cancelled" as const, lastSeq: a.lastSeq + 1 };
    store.apply([changed]);
    now = 10_500;
    expect(store.flashes(changed, 1200)).toBe(true);
    // Scrolled into view a few seconds later: no second flash.
    now = 13_000;
    expect(store.flashes(changed, 1200)).toBe(false);
    // An older version of the row never flashes.
    now = 10_100;
    expect(store.flashes(a, 1200)).toBe(false);
  });

  it("ignores stale versions and derives the last fill from consecutive versions", () => {
    const store = new OrderStore();
    const a = order(1);
    store.reset([a]);
    const filled = { ...a, cumQty: "4", leavesQty: "6", notional: "401", avgPx: "100.25", lastSeq: a.lastSeq + 5 };
    store.apply([filled]);
    expect(store.lastFills.get("O1")).toEqual({ lastQty: "4", lastPx: "100.25" });
    const more = { ...filled, cumQty: "10", leavesQty: "0", notional: "1001", ordStatus: "Filled" as const, lastSeq: filled.lastSeq + 1 };
    store.apply([more, filled]);
    expect(store.orders.get("O1")?.ordStatus).toBe("Filled");
    expect(store.lastFills.get("O1")).toEqual({ lastQty: "6", lastPx: "100" });
    expect(store.changed.get("O1")).toBe(more.lastSeq);
  });

  it("stays bounded, dropping the oldest finished orders first", () => {
    const store = new OrderStore(100);
    store.reset(Array.from({ length: 100 }, (_, i) => order(i, { ordStatus: i < 30 ? "Filled" : "Accepted" })));
    store.view(all);
    store.apply(Array.from({ length: 10 }, (_, i) => order(1000 + i)));
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.size).toBe(95);
    // 15 dropped: the 15 oldest filled ones, no working order.
    for (let i = 0; i < 15; i += 1) expect(store.orders.has(`O${i}`)).toBe(false);
    for (let i = 15; i < 100; i += 1) expect(store.orders.has(`O${i}`)).toBe(true);
    expect(store.view(all)).toHaveLength(95);
    expect(store.view(all)[0]?.orderId).toBe("O1009");
  });

  it("drops the oldest working orders only when nothing finished is left", () => {
    const store = new OrderStore(20);
    store.reset(Array.from({ length: 25 }, (_, i) => order(i)));
    expect(store.size).toBe(19);
    expect(store.orders.has("O5")).toBe(false);
    expect(store.orders.has("O6")).toBe(true);
  });

  it("counts accounts and split parents", () => {
    const store = new OrderStore();
    store.reset([order(1), order(2), order(3, { parentId: "O1" }), order(4, { parentId: "O1" })]);
    expect(store.accounts()).toEqual(["ACC-ALPHA", "ACC-BETA"]);
    expect(store.splitParents.get("O1")).toBe(2);
  });

  it("tells its subscribers once per snapshot and per applied batch, and stops after unsubscribing", () => {
    const store = new OrderStore();
    const seen: number[] = [];
    const unsubscribe = store.subscribe(() => seen.push(store.version));
    store.reset([order(1)]);
    store.apply([order(2), order(3)]);
    store.apply([]);
    expect(seen).toEqual([1, 2]);
    unsubscribe();
    store.apply([order(4)]);
    expect(seen).toEqual([1, 2]);
    expect(store.version).toBe(3);
  });
});
