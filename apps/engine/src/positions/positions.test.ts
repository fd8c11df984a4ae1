import { type AnyEvent, type FillData, money, newOrder, type Side, submitOrderInput } from "@fillmore/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Positions } from "./positions";

let seq = 0;
const envelope = { ts: "2025-01-02T14:30:00.000000Z", monoUs: 0, actor: "engine" };

function received(orderId: string, accountId: string, symbol: string, side: Side, orderQty: string): AnyEvent {
  const input = submitOrderInput.parse({ accountId, symbol, side, ordType: "Market", orderQty });
  const order = newOrder(input, { orderId, clOrdId: orderId, actor: "user:alice", now: envelope.ts });
  seq += 1;
  return { ...envelope, seq, type: "OrderReceived", orderId, accountId, data: { order } };
}

function fill(orderId: string, accountId: string, lastQty: string, lastPx: string, last = false): AnyEvent {
  seq += 1;
  const data: FillData = { execId: `E${seq}`, venueId: "SIM-FAST", lastQty, lastPx };
  return { ...envelope, seq, type: last ? "OrderFilled" : "OrderPartiallyFilled", orderId, accountId, actor: "venue:SIM-FAST", data };
}

const replay = (events: readonly AnyEvent[]) => {
  const positions = new Positions();
  for (const e of events) positions.apply(e);
  return positions;
};

describe("Positions", () => {
  it("nets buys and sells of an account and symbol into a signed position", () => {
    const p = replay([
      received("O1", "ACC-ALPHA", "AAPL", "Buy", "100"),
      fill("O1", "ACC-ALPHA", "60", "189.5"),
      fill("O1", "ACC-ALPHA", "40", "189.6", true),
      received("O2", "ACC-ALPHA", "AAPL", "Sell", "130"),
      fill("O2", "ACC-ALPHA", "130", "190", true),
    ]);
    expect(p.position("ACC-ALPHA", "AAPL")).toEqual({
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      qty: "-30",
      boughtQty: "100",
      soldQty: "130",
      boughtNotional: "18954",
      soldNotional: "24700",
    });
  });

  it("keeps accounts and symbols apart and reports a flat position for one never traded", () => {
    const p = replay([
      received("O1", "ACC-ALPHA", "AAPL", "Buy", "10"),
      received("O2", "ACC-BETA", "AAPL", "Sell", "7"),
      received("O3", "ACC-ALPHA", "MSFT", "Sell", "3"),
      fill("O1", "ACC-ALPHA", "10", "1", true),
      fill("O2", "ACC-BETA", "7", "1", true),
      fill("O3", "ACC-ALPHA", "3", "1", true),
    ]);
    expect(p.position("ACC-ALPHA", "AAPL").qty).toBe("10");
    expect(p.position("ACC-BETA", "AAPL").qty).toBe("-7");
    expect(p.position("ACC-ALPHA", "MSFT").qty).toBe("-3");
    expect(p.position("ACC-GAMMA", "AAPL")).toMatchObject({ qty: "0", boughtQty: "0", soldQty: "0" });
    expect(p.all()).toHaveLength(3);
  });

  it("ignores an order that never filled and a fill for an order it never saw", () => {
    const p = replay([received("O1", "ACC-ALPHA", "AAPL", "Buy", "10"), fill("O9", "ACC-ALPHA", "5", "1")]);
    expect(p.position("ACC-ALPHA", "AAPL").qty).toBe("0");
    expect(p.all()).toEqual([]);
  });

  it("gives the same positions when the same events are replayed twice, and qty is the signed sum of fills", () => {
    const orderArb = fc.record({
      accountId: fc.constantFrom("ACC-ALPHA", "ACC-BETA"),
      symbol: fc.constantFrom("AAPL", "MSFT"),
      side: fc.constantFrom<Side>("Buy", "Sell"),
      fills: fc.array(fc.record({ qty: fc.integer({ min: 1, max: 1000 }), pxCents: fc.integer({ min: 1, max: 100_000 }) }), {
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 12 }), fc.infiniteStream(fc.nat()), (orders, shuffle) => {
        const receipts: AnyEvent[] = [];
        const fills: AnyEvent[] = [];
        const expected = new Map<string, string>();
        orders.forEach((o, i) => {
          const orderId = `O${i + 1}`;
          const total = String(o.fills.reduce((n, f) => n + f.qty, 0) || 1);
          receipts.push(received(orderId, o.accountId, o.symbol, o.side, total));
          o.fills.forEach((f, j) => {
            fills.push(fill(orderId, o.accountId, String(f.qty), money.div(String(f.pxCents), "100", 2), j === o.fills.length - 1));
            const key = `${o.accountId}|${o.symbol}`;
            expected.set(key, money.add(expected.get(key) ?? "0", o.side === "Buy" ? String(f.qty) : String(-f.qty)));
          });
        });
        // fills of different orders interleave; each still follows its order's receipt
        const keys = fills.map((_, i) => ({ i, key: shuffle.next().value ?? 0 }));
        const interleaved = keys.sort((a, b) => a.key - b.key).flatMap(({ i }) => fills.slice(i, i + 1));
        const events = [...receipts, ...interleaved];
        const first = replay(events);
        const second = replay(events);
        expect(second.all()).toEqual(first.all());
        for (const [key, qty] of expected) {
          const [accountId = "", symbol = ""] = key.split("|");
          expect(first.position(accountId, symbol).qty).toBe(money.normalize(qty));
        }
      }),
    );
  });
});
