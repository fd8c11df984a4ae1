import type { AnyEvent, Clock } from "@fillmore/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/log";
import { adjustPrice, CorporateActionError, CorporateActions, splitQty } from "../src/positions/corporate-actions";
import { DEFAULT_LIVE_POSITIONS_CONFIG, LivePositions } from "../src/positions/live-positions";
import { createOrderManagerHarness, type OrderManagerHarness } from "./harness";

const DAY = 86_400_000;
const INSTRUMENTS = new Map(["AAPL", "MSFT"].map((s) => [s, { tickSize: "0.01" }]));

function fakeClock(startIso: string): Clock & { advance(ms: number): void } {
  let t = Date.parse(startIso);
  return {
    nowMs: () => t,
    nowIso: () => new Date(t).toISOString(),
    monoUs: () => t * 1000,
    advance(ms) {
      t += ms;
    },
  };
}

interface Rig {
  h: OrderManagerHarness;
  live: LivePositions;
  ca: CorporateActions;
  clock: ReturnType<typeof fakeClock>;
}

async function rig(): Promise<Rig> {
  const h = await createOrderManagerHarness();
  const clock = fakeClock("2026-11-30T14:00:00.000Z");
  const live = new LivePositions(clock, DEFAULT_LIVE_POSITIONS_CONFIG);
  h.orders.book.onApplied((event, order) => live.onApplied(event, order));
  const ca = new CorporateActions({
    journal: h.journal,
    clock,
    log: createLogger("silent"),
    orders: h.orders,
    positions: h.positions,
    live,
    instruments: INSTRUMENTS,
  });
  return { h, live, ca, clock };
}

let n = 0;
/** A filled order: `qty` @ `px` (quotes moved there first so the collars pass). */
async function fill(r: Rig, side: "Buy" | "Sell", qty: string, px: string, accountId = "ACC-1", symbol = "AAPL"): Promise<void> {
  r.h.quotes.set(symbol, { symbol, bid: px, ask: px, last: px, ts: 0 });
  const o = await r.h.working({ accountId, symbol, side, orderQty: qty, price: px });
  r.h.venue.report({ kind: "fill", orderId: o.orderId, execId: `X-${++n}`, lastQty: qty, lastPx: px });
}

function pos(r: Rig, symbol = "AAPL", accountId = "ACC-1") {
  return r.live.book.position({ accountId, strategy: null, symbol }, r.clock.nowMs());
}

const caEvents = (events: AnyEvent[]) => events.filter((e) => e.type.startsWith("CorporateAction"));

describe("corporate actions", () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });

  it("a 7-for-1 split of 100 @ 70 gives 700 @ 10 (not 699) in the book and risk's positions; a resting buy is cancelled with its replacement noted", async () => {
    await fill(r, "Buy", "100", "70");
    const resting = await r.h.working({ symbol: "AAPL", side: "Buy", orderQty: "10", price: "69" });
    const a = await r.ca.schedule(
      { id: "SPLIT-1", kind: "split", symbol: "AAPL", effectiveDate: "2026-11-30", ratioNew: "7", ratioOld: "1", reason: "7-for-1" },
      "user:risk",
    );
    expect(a.status).toBe("applied");
    expect(pos(r)).toMatchObject({ qty: "700", avgPx: "10" });
    expect(r.h.positions.position("ACC-1", "AAPL").qty).toBe("700");
    expect(a.results?.positions).toEqual([
      { accountId: "ACC-1", strategy: null, symbol: "AAPL", qtyBefore: "100", qtyAfter: "700", cashInLieu: "0", dividend: "0" },
    ]);
    // 10 @ 69 → 70 @ 9.857…: a buy rounds down to the tick
    expect(a.results?.orders).toEqual([
      { orderId: resting.orderId, action: "cancel", suggestedQty: "70", suggestedPrice: "9.85", suggestedStopPx: null },
    ]);
    const events = await r.h.events();
    expect(events.some((e) => e.orderId === resting.orderId && e.actor === "corporate-action:SPLIT-1")).toBe(true);
    expect(caEvents(events).map((e) => e.type)).toEqual(["CorporateActionScheduled", "CorporateActionApplied"]);
  });

  it("a 1-for-3 reverse split of 100 @ 10 at 31.50 cash in lieu: 33 @ 30, the third of a share paid 10.50, realizing 0.50", async () => {
    await fill(r, "Buy", "100", "10");
    const a = await r.ca.schedule(
      {
        id: "RS-1",
        kind: "reverseSplit",
        symbol: "AAPL",
        effectiveDate: "2026-11-30",
        ratioNew: "1",
        ratioOld: "3",
        cashInLieuPx: "31.50",
        reason: "1-for-3",
      },
      "user:risk",
    );
    const p = pos(r);
    expect(p).toMatchObject({ qty: "33", avgPx: "30" });
    expect(p?.realizedBy).toEqual({ avgCost: "0.5", fifo: "0.5" });
    expect(r.h.positions.position("ACC-1", "AAPL").qty).toBe("33");
    expect(a.results?.positions[0]).toMatchObject({ qtyAfter: "33", cashInLieu: "10.5" });
  });

  it("a cash dividend waits for its pay date, then credits 0.25 × 200 long (+50) and debits the short (−50); avg unchanged", async () => {
    await fill(r, "Buy", "200", "20", "ACC-1");
    await fill(r, "Sell", "200", "20", "ACC-2");
    const a = await r.ca.schedule(
      { id: "DIV-1", kind: "cashDividend", symbol: "AAPL", effectiveDate: "2026-12-01", perShare: "0.25", reason: "Q4" },
      "user:risk",
    );
    expect(a.status).toBe("scheduled");
    expect(await r.ca.applyDue()).toBe(0);
    r.clock.advance(DAY);
    expect(await r.ca.applyDue()).toBe(1);
    expect(pos(r, "AAPL", "ACC-1")).toMatchObject({ qty: "200", avgPx: "20", dividends: "50", realized: "50" });
    expect(pos(r, "AAPL", "ACC-2")).toMatchObject({ qty: "-200", avgPx: "20", dividends: "-50", realized: "-50" });
    expect(r.ca.get("DIV-1")?.results?.positions.map((x) => x.dividend)).toEqual(["50", "-50"]);
  });

  it("a symbol change moves positions to the new symbol (book and risk) and cancels resting orders", async () => {
    await fill(r, "Buy", "100", "70");
    const resting = await r.h.working({ symbol: "AAPL", side: "Sell", orderQty: "10", price: "75" });
    await r.ca.schedule(
      { id: "SYM-1", kind: "symbolChange", symbol: "AAPL", newSymbol: "MSFT", effectiveDate: "2026-11-30", reason: "renamed" },
      "user:admin",
    );
    expect(pos(r, "AAPL")).toMatchObject({ qty: "0" });
    expect(pos(r, "MSFT")).toMatchObject({ qty: "100", avgPx: "70", realized: "0" });
    expect(r.h.positions.position("ACC-1", "AAPL").qty).toBe("0");
    expect(r.h.positions.position("ACC-1", "MSFT").qty).toBe("100");
    const events = await r.h.events();
    expect(events.some((e) => e.orderId === resting.orderId && e.actor === "corporate-action:SYM-1")).toBe(true);
  });

  it("a reversal applies the inverse: the split book is restored; a scheduled one is dropped", async () => {
    await fill(r, "Buy", "100", "70");
    await r.ca.schedule(
      { id: "SPLIT-2", kind: "split", symbol: "AAPL", effectiveDate: "2026-11-30", ratioNew: "7", ratioOld: "1", reason: "7-for-1" },
      "user:risk",
    );
    expect(pos(r)).toMatchObject({ qty: "700", avgPx: "10" });
    const rev = await r.ca.reverse("SPLIT-2", "entered in error", "user:risk");
    expect(rev.status).toBe("reversed");
    expect(pos(r)).toMatchObject({ qty: "100", avgPx: "70", realized: "0" });
    expect(r.h.positions.position("ACC-1", "AAPL").qty).toBe("100");
    await expect(r.ca.reverse("SPLIT-2", "again", "user:risk")).rejects.toMatchObject({ reason: "ALREADY_REVERSED" });

    await r.ca.schedule(
      { id: "DIV-2", kind: "cashDividend", symbol: "AAPL", effectiveDate: "2026-12-05", perShare: "1", reason: "later" },
      "user:risk",
    );
    expect((await r.ca.reverse("DIV-2", "withdrawn", "user:risk")).status).toBe("dropped");
    r.clock.advance(10 * DAY);
    expect(await r.ca.applyDue()).toBe(0);
  });

  it("a dividend reversal debits it back; a symbol change reversal moves the position back", async () => {
    await fill(r, "Buy", "200", "20");
    await r.ca.schedule(
      { id: "DIV-3", kind: "cashDividend", symbol: "AAPL", effectiveDate: "2026-11-30", perShare: "0.25", reason: "Q4" },
      "user:risk",
    );
    await r.ca.reverse("DIV-3", "wrong amount", "user:risk");
    expect(pos(r)).toMatchObject({ qty: "200", dividends: "0", realized: "0" });
    await r.ca.schedule(
      { id: "SYM-2", kind: "symbolChange", symbol: "AAPL", newSymbol: "MSFT", effectiveDate: "2026-11-30", reason: "renamed" },
      "user:risk",
    );
    await r.ca.reverse("SYM-2", "not yet", "user:risk");
    expect(pos(r, "AAPL")).toMatchObject({ qty: "200", avgPx: "20" });
    expect(pos(r, "MSFT")).toMatchObject({ qty: "0" });
    expect(r.h.positions.position("ACC-1", "AAPL").qty).toBe("200");
    expect(r.h.positions.position("ACC-1", "MSFT").qty).toBe("0");
  });

  it("bad input is refused with a typed error and nothing is journaled", async () => {
    const base = { kind: "split", symbol: "AAPL", effectiveDate: "2026-11-30", ratioNew: "7", ratioOld: "1", reason: "x" };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, symbol: "NOPE" }, "UNKNOWN_SYMBOL"],
      [{ ...base, ratioNew: "0" }, "INVALID"],
      [{ ...base, ratioNew: "1.5" }, "INVALID"],
      [{ ...base, ratioNew: "1", ratioOld: "7" }, "BAD_RATIO"],
      [{ ...base, effectiveDate: "2026-11-29" }, "IN_THE_PAST"],
      [{ ...base, effectiveDate: "2026-02-30" }, "INVALID"],
      [{ ...base, kind: "reverseSplit", ratioNew: "1", ratioOld: "3" }, "INVALID"], // no cash in lieu price
      [{ ...base, kind: "cashDividend", ratioNew: undefined, ratioOld: undefined }, "INVALID"],
      [{ ...base, kind: "symbolChange", ratioNew: undefined, ratioOld: undefined, newSymbol: "ZZZZ" }, "UNKNOWN_SYMBOL"],
      [{ ...base, perShare: "1" }, "INVALID"],
    ];
    for (const [input, reason] of cases) {
      const error = await r.ca.schedule(input, "user:risk").catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(CorporateActionError);
      expect((error as CorporateActionError).reason, JSON.stringify(input)).toBe(reason);
    }
    await expect(r.ca.reverse("NOPE", "x", "user:risk")).rejects.toMatchObject({ reason: "NOT_FOUND", code: "NOT_FOUND" });
    expect(caEvents(await r.h.events())).toEqual([]);
    expect(r.ca.list()).toEqual([]);
  });

  it("replaying the journal after a restart rebuilds the same book, risk positions and list", async () => {
    await fill(r, "Buy", "100", "10");
    await fill(r, "Sell", "50", "12", "ACC-2");
    await r.ca.schedule(
      {
        id: "S",
        kind: "split",
        symbol: "AAPL",
        effectiveDate: "2026-11-30",
        ratioNew: "3",
        ratioOld: "2",
        cashInLieuPx: "7",
        reason: "3:2",
      },
      "user:risk",
    );
    await r.ca.schedule(
      { id: "D", kind: "cashDividend", symbol: "AAPL", effectiveDate: "2026-11-30", perShare: "0.10", reason: "div" },
      "user:risk",
    );
    await r.ca.reverse("S", "undo", "user:risk");
    await r.ca.schedule(
      { id: "R", kind: "symbolChange", symbol: "AAPL", newSymbol: "MSFT", effectiveDate: "2026-11-30", reason: "renamed" },
      "user:risk",
    );
    const events = await r.h.events();

    const fresh = await rig();
    for (const e of events) fresh.h.orders.replay(e);
    const now = r.clock.nowMs();
    expect(fresh.live.book.positions(now)).toEqual(r.live.book.positions(now));
    expect(fresh.h.positions.all()).toEqual(r.h.positions.all());
    expect(fresh.ca.list()).toEqual(r.ca.list());
    // 3-for-2 then its reversal: −50 → −75 → −50 and 100 → 150 → 100, the dividend paid on the split quantities
    expect(pos(fresh, "MSFT", "ACC-2")).toMatchObject({ qty: "-50" });
    expect(pos(fresh, "MSFT", "ACC-1")).toMatchObject({ qty: "100" });
    expect(pos(fresh, "AAPL", "ACC-1")).toMatchObject({ qty: "0", dividends: "15" });
  });

  it("prices on the tick after a split: buys round down, sells up; exact prices stay; quantities cut toward zero with cash for the fraction", () => {
    expect(adjustPrice("69", "7", "1", "0.01", "down")).toBe("9.85");
    expect(adjustPrice("69", "7", "1", "0.01", "up")).toBe("9.86");
    expect(adjustPrice("70", "7", "1", "0.01", "down")).toBe("10");
    expect(adjustPrice("10.01", "1", "3", "0.05", "up")).toBe("30.05");
    expect(splitQty("100", "7", "1", "0")).toEqual({ qty: "700", cash: "0" });
    expect(splitQty("100", "1", "3", "31.50")).toEqual({ qty: "33", cash: "10.5" });
    expect(splitQty("-100", "1", "3", "31.50")).toEqual({ qty: "-33", cash: "-10.5" });
  });

  it("a resting sell and a stop: the sell's limit rounds up, the suggested quantity follows the ratio", async () => {
    await fill(r, "Buy", "100", "70");
    const sell = await r.h.working({ symbol: "AAPL", side: "Sell", orderQty: "10", price: "69" });
    const a = await r.ca.schedule(
      { id: "SPLIT-3", kind: "split", symbol: "AAPL", effectiveDate: "2026-11-30", ratioNew: "7", ratioOld: "1", reason: "7-for-1" },
      "user:risk",
    );
    expect(a.results?.orders).toEqual([
      { orderId: sell.orderId, action: "cancel", suggestedQty: "70", suggestedPrice: "9.86", suggestedStopPx: null },
    ]);
  });
});
