import { type Clock, type Decimal, money, newOrder, type OrderEvent, type OrderEventData, submitOrderInput } from "@fillmore/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log";
import { OrderBook } from "../../orders/order-book";
import type { OrderManager } from "../../orders/order-manager";
import { OurVenueBooks } from "./our-books";

// The running totals must equal what summing the book's fills gives (busted ones out, corrected ones
// at their corrected quantity), whether the totals were built before or after any of the events.

const VENUES = ["SIM-A", "SIM-B", "SIM-C"];
const T0 = Date.parse("2026-12-01T14:30:00Z");

type Op = { kind: "fill"; qty: number } | { kind: "bust"; pick: number } | { kind: "correct"; pick: number; qty: number };

const orderArb = fc.record({
  accountId: fc.constantFrom("ACC-ALPHA", "ACC-BETA"),
  symbol: fc.constantFrom("AAPL", "MSFT"),
  side: fc.constantFrom("Buy" as const, "Sell" as const),
  venueId: fc.constantFrom(...VENUES),
  ops: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("fill" as const), qty: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("bust" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("correct" as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 50 }) }),
    ),
    { maxLength: 8 },
  ),
});

/** Journal-shaped events for each order: received, validated, submitted, accepted, then its fills, busts and corrections. */
function eventsOf(orders: (typeof orderArb extends fc.Arbitrary<infer T> ? T : never)[]): OrderEvent[] {
  const events: OrderEvent[] = [];
  orders.forEach((o, i) => {
    const orderId = `O${i + 1}`;
    const ev = <K extends keyof OrderEventData>(type: K, data: OrderEventData[K]) => {
      const seq = events.length + 1;
      events.push({
        seq,
        ts: new Date(T0 + seq).toISOString(),
        monoUs: seq,
        type,
        orderId,
        accountId: o.accountId,
        actor: "engine",
        data,
      } as OrderEvent);
    };
    const input = submitOrderInput.parse({ accountId: o.accountId, symbol: o.symbol, side: o.side, ordType: "Market", orderQty: "1000" });
    ev("OrderReceived", { order: newOrder(input, { orderId, clOrdId: orderId, actor: "user:t", now: new Date(T0).toISOString() }) });
    ev("OrderValidated", {});
    ev("OrderSubmitted", { venueId: o.venueId, venueOrderId: `${o.venueId}-${orderId}` });
    ev("OrderAccepted", { venueOrderId: `${o.venueId}-${orderId}` });
    const fills: { execId: string; qty: string; busted: boolean }[] = [];
    let corrections = 0;
    for (const op of o.ops as Op[]) {
      if (op.kind === "fill") {
        const execId = `${orderId}-E${fills.length + 1}`;
        fills.push({ execId, qty: String(op.qty), busted: false });
        ev("OrderPartiallyFilled", { execId, venueId: o.venueId, lastQty: String(op.qty), lastPx: "10" });
        continue;
      }
      const open = fills.filter((f) => !f.busted);
      const target = open[op.pick % Math.max(1, open.length)];
      if (!target) continue;
      if (op.kind === "bust") {
        target.busted = true;
        ev("OrderTradeBusted", { venueId: o.venueId, refExecId: target.execId, lastQty: target.qty, lastPx: "10", reason: "bust" });
      } else {
        corrections += 1;
        const oldQty = target.qty;
        target.qty = String(op.qty);
        ev("OrderTradeCorrected", {
          venueId: o.venueId,
          refExecId: target.execId,
          execId: `${orderId}-C${corrections}`,
          oldQty,
          oldPx: "10",
          lastQty: target.qty,
          lastPx: "10",
          reason: "correction",
        });
      }
    }
  });
  return events;
}

/** The positions by summing the book's fills, as a reconciliation run once did. */
function summed(book: OrderBook, venueId: string): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const [key, fill] of book.fills) {
    if (fill.busted || fill.venueId !== venueId || key !== `${fill.venueId}:${fill.execId}`) continue;
    const order = book.get(fill.orderId);
    if (!order) continue;
    const k = `${order.accountId}|${order.symbol}`;
    out.set(k, money.add(out.get(k) ?? "0", order.side === "Buy" ? fill.lastQty : money.neg(fill.lastQty)));
  }
  return out;
}

const nonZero = (entries: [string, Decimal][]) => new Map(entries.filter(([, q]) => !money.isZero(q)));

describe("OurVenueBooks", () => {
  it("keeps each venue's positions equal to the sum of its live fills, however many events came before it was built", () => {
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 6 }), fc.nat(), (orders, cut) => {
        const events = eventsOf(orders);
        const clock = { nowIso: () => new Date(T0).toISOString(), nowMs: () => T0 } as unknown as Clock;
        const book = new OrderBook(undefined as never, clock, createLogger("silent"), () => {});
        const manager = { book, get: (id: string) => book.get(id) } as unknown as OrderManager;
        const at = cut % (events.length + 1);
        for (const e of events.slice(0, at)) book.replay(e);
        const ours = new OurVenueBooks(manager, new Map());
        for (const e of events.slice(at)) book.replay(e);
        for (const venueId of VENUES) {
          const perAccount = ours.positions(venueId, true).map((p) => [`${p.accountId}|${p.symbol}`, p.qty] as [string, Decimal]);
          expect(nonZero(perAccount)).toEqual(nonZero([...summed(book, venueId)]));
          const bySymbol = new Map<string, Decimal>();
          for (const [k, q] of summed(book, venueId)) {
            const symbol = k.split("|")[1] ?? "";
            bySymbol.set(symbol, money.add(bySymbol.get(symbol) ?? "0", q));
          }
          const net = ours.positions(venueId, false).map((p) => [p.symbol, p.qty] as [string, Decimal]);
          expect(nonZero(net)).toEqual(nonZero([...bySymbol]));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("adds the adjustments adopted from a venue to our position there", () => {
    const book = new OrderBook(
      undefined as never,
      { nowIso: () => "", nowMs: () => 0 } as unknown as Clock,
      createLogger("silent"),
      () => {},
    );
    const manager = { book, get: (id: string) => book.get(id) } as unknown as OrderManager;
    const ours = new OurVenueBooks(manager, new Map([["venue:SIM-A|ACC-ALPHA|AAPL", "25"]]));
    expect(ours.positions("SIM-A", true)).toEqual([{ accountId: "ACC-ALPHA", symbol: "AAPL", qty: "25" }]);
    expect(ours.positions("SIM-A", false)).toEqual([{ accountId: null, symbol: "AAPL", qty: "25" }]);
    expect(ours.positions("SIM-B", true)).toEqual([]);
  });
});
