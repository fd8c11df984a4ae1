import type { Order, SubmitOrderInput } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import { describe, expect, it } from "vitest";
import { type RequestedChanges, workingExposure } from "./exposure";

let seq = 0;
const working = (input: Partial<SubmitOrderInput>, status: Order["ordStatus"] = "Accepted", extra: Partial<Order> = {}): Order => {
  seq += 1;
  return { ...orderFrom(input, { orderId: `W${seq}` }), ordStatus: status, ...extra };
};
const asks: Record<string, string> = { AAPL: "189.52", SPY: "571.30" };
const farTouch = (symbol: string) => asks[symbol];
const subject = { orderId: "NEW", accountId: "ACC-ALPHA", symbol: "AAPL" };

describe("workingExposure", () => {
  it("counts every working order of the account in the symbol, held stops included, but not other accounts or the order itself", () => {
    const live = [
      working({ orderQty: "100" }),
      working({ orderQty: "200", ordType: "Stop", stopPx: "200" }, "Validated"), // a held stop
      working({ side: "Sell", orderQty: "30" }),
      working({ accountId: "ACC-BETA", orderQty: "5000" }),
      { ...working({ orderQty: "999" }), orderId: "NEW" },
      working({ symbol: "SPY", orderQty: "7", price: "500" }),
    ];
    const e = workingExposure(live, subject, new Map(), farTouch);
    expect(e).toMatchObject({ workingBuyQty: "300", workingSellQty: "30", openOrders: 4, unpricedOpenBuys: [] });
    // 100 × 189.50 + 200 × 200 (its stop) + 7 × 500
    expect(e.openBuyNotional).toBe("62450");
  });

  it("values an open SPY market buy at SPY's ask, not at the new AAPL order's price", () => {
    const live = [working({ symbol: "SPY", ordType: "Market", orderQty: "10" }, "Submitted")];
    expect(workingExposure(live, subject, new Map(), farTouch).openBuyNotional).toBe("5713");
  });

  it("fails closed: an open market buy in a symbol with no quote is listed as unpriced", () => {
    const live = [working({ symbol: "NVDA", ordType: "Market", orderQty: "10" }, "Submitted")];
    const e = workingExposure(live, subject, new Map(), farTouch);
    expect(e.unpricedOpenBuys).toEqual([`${live[0]?.orderId} (NVDA)`]);
    expect(e.openBuyNotional).toBe("0");
  });

  it("counts a pending replace at the larger of its current and requested leaves and notional", () => {
    const up = working({ orderQty: "100", price: "10" }, "PendingReplace", { cumQty: "40", leavesQty: "60" });
    const down = working({ side: "Sell", orderQty: "500" }, "PendingReplace");
    const pending = new Map<string, RequestedChanges>([
      [up.orderId, { orderQty: "300", price: "9", stopPx: null }], // leaves 60 → 260
      [down.orderId, { orderQty: "200", price: "189.50", stopPx: null }], // leaves 500 → 200
    ]);
    const e = workingExposure([up, down], subject, pending, farTouch);
    expect(e.workingBuyQty).toBe("260");
    expect(e.workingSellQty).toBe("500");
    expect(e.openBuyNotional).toBe("2340"); // max(60 × 10, 260 × 9)
  });

  it("counts a split parent once, not its children", () => {
    const parent = working({ orderQty: "1000" });
    const child = working({ orderQty: "600" }, "Accepted", { parentId: parent.orderId });
    expect(workingExposure([parent, child], subject, new Map(), farTouch)).toMatchObject({ workingBuyQty: "1000", openOrders: 1 });
  });
});
