import type { SubmitOrderInput } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Candidate, type RoutingPolicy, route } from "./policies";

const order = (input: Partial<SubmitOrderInput> = {}, orderId = "O1") => orderFrom({ price: "190", ...input }, { orderId });

const venue = (venueId: string, over: Partial<Candidate> = {}): Candidate => ({
  venueId,
  health: "UP",
  accepts: true,
  bid: "189.90",
  ask: "190.00",
  depth: "100",
  feeBps: "1",
  ackEwmaMs: 10,
  weight: 1,
  ...over,
});

describe("routing policies", () => {
  it("best price: a buy goes where the ask is lowest, a sell where the bid is highest", () => {
    const venues = [venue("A", { ask: "190.02", bid: "189.95" }), venue("B", { ask: "190.00", bid: "189.90" })];
    expect(route(order(), venues, "bestPrice").legs).toEqual([{ venueId: "B", qty: "100" }]);
    expect(route(order({ side: "Sell" }), venues, "bestPrice").legs[0]?.venueId).toBe("A");
  });

  it("lowest cost: fees can outweigh a better price", () => {
    const venues = [venue("A", { ask: "190.00", feeBps: "10" }), venue("B", { ask: "190.01", feeBps: "0.5" })];
    const decision = route(order(), venues, "lowestCost");
    expect(decision.legs[0]?.venueId).toBe("B");
    expect(decision.reason).toContain("fees");
  });

  it("fastest: the lowest acknowledgement latency wins", () => {
    expect(route(order(), [venue("A", { ackEwmaMs: 30 }), venue("B", { ackEwmaMs: 3 })], "fastest").legs[0]?.venueId).toBe("B");
  });

  it("never routes to a DOWN venue or one that refuses the order type, and says why", () => {
    const decision = route(order(), [venue("A", { health: "DOWN", ask: "1" }), venue("B", { accepts: false }), venue("C")], "bestPrice");
    expect(decision.legs[0]?.venueId).toBe("C");
    expect(decision.considered).toEqual([
      { venueId: "A", score: null, excluded: "venue is DOWN" },
      { venueId: "B", score: null, excluded: "does not take this order type / time in force" },
      expect.objectContaining({ venueId: "C", excluded: null }),
    ]);
  });

  it("prefers UP venues to DEGRADED ones, but uses DEGRADED when nothing else fits", () => {
    expect(route(order(), [venue("A", { health: "DEGRADED", ask: "1" }), venue("B")], "bestPrice").legs[0]?.venueId).toBe("B");
    expect(route(order(), [venue("A", { health: "DEGRADED" })], "bestPrice").legs[0]?.venueId).toBe("A");
  });

  it("directed: goes where the order says, or nowhere if that venue is down", () => {
    expect(route(order(), [venue("A"), venue("B")], "bestPrice", "A").legs[0]?.venueId).toBe("A");
    const refused = route(order(), [venue("A", { health: "DOWN" })], "bestPrice", "A");
    expect(refused.legs).toEqual([]);
    expect(refused.reason).toContain("DOWN");
  });

  it("answers with no legs and a reason when every venue is down", () => {
    const d = route(order(), [venue("A", { health: "DOWN" })], "lowestCost");
    expect(d.legs).toEqual([]);
    expect(d.reason).toMatch(/no venue/);
  });

  it("liquidity split: whole quantities in proportion to depth that add up to the order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 100_000 }),
        (depths, qty) => {
          const venues = depths.map((d, i) => venue(`V${i}`, { depth: String(d) }));
          const legs = route(order({ orderQty: String(qty) }), venues, "liquiditySplit").legs;
          expect(legs.reduce((s, l) => s + Number(l.qty), 0)).toBe(qty);
          for (const l of legs) expect(Number.isInteger(Number(l.qty)) && Number(l.qty) > 0).toBe(true);
        },
      ),
    );
  });

  it("liquidity split: every leg is a whole number of lots, and the legs add up to the order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 1, max: 500 }),
        (depths, lots) => {
          const venues = depths.map((d, i) => venue(`V${i}`, { depth: String(d) }));
          const legs = route(order({ orderQty: String(lots * 100) }), venues, "liquiditySplit", undefined, "100").legs;
          expect(legs.reduce((s, l) => s + Number(l.qty), 0)).toBe(lots * 100);
          for (const l of legs) expect(Number(l.qty) % 100 === 0 && Number(l.qty) > 0).toBe(true);
        },
      ),
    );
  });

  it("weighted: spreads orders among equal venues roughly by weight, the same way every time", () => {
    const venues = [venue("A", { weight: 3 }), venue("B", { weight: 1 })];
    const picks = Array.from({ length: 4000 }, (_, i) => route(order({}, `O${i}`), venues, "weighted").legs[0]?.venueId);
    const share = picks.filter((p) => p === "A").length / picks.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
    expect(route(order({}, "O7"), venues, "weighted")).toEqual(route(order({}, "O7"), venues, "weighted"));
  });

  it.each<RoutingPolicy>(["bestPrice", "lowestCost", "fastest", "weighted"])(
    "%s always picks an eligible venue when one exists",
    (policy) => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              health: fc.constantFrom("UP", "DEGRADED", "DOWN" as const),
              accepts: fc.boolean(),
              ack: fc.integer({ min: 1, max: 500 }),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          (specs) => {
            const venues = specs.map((s, i) => venue(`V${i}`, { health: s.health, accepts: s.accepts, ackEwmaMs: s.ack }));
            const eligible = venues.filter((v) => v.health !== "DOWN" && v.accepts);
            const chosen = route(order(), venues, policy).legs[0]?.venueId;
            if (eligible.length === 0) expect(chosen).toBeUndefined();
            else expect(eligible.map((v) => v.venueId)).toContain(chosen);
          },
        ),
      );
    },
  );
});

describe("venue rate limits", () => {
  it("skips a venue at its rate limit and says so; a directed order to it is refused with the reason", () => {
    const limited = venue("A", { ask: "1", rateLimited: "at its rate limit of 5 orders/s (burst 5)" });
    const decision = route(order(), [limited, venue("B")], "bestPrice");
    expect(decision.legs[0]?.venueId).toBe("B");
    expect(decision.considered[0]?.excluded).toContain("rate limit");
    const directed = route(order(), [limited, venue("B")], "bestPrice", "A");
    expect(directed.legs).toEqual([]);
    expect(directed.reason).toContain("rate limit of 5 orders/s");
  });
});

describe("routing with administered venues (unknown cost, closed venues, capabilities)", () => {
  it("lowest cost: a venue with no fee information is ranked last, never as free", () => {
    const venues = [venue("NEW", { ask: "189.00", feeBps: null }), venue("KNOWN", { ask: "190.00", feeBps: "5" })];
    const decision = route(order(), venues, "lowestCost");
    expect(decision.legs).toEqual([{ venueId: "KNOWN", qty: "100" }]);
    expect(decision.considered.find((c) => c.venueId === "NEW")?.score).toBe("fee unknown: ranked last");
  });

  it("lowest cost: a venue with unknown cost still takes the order when it is the only one that can", () => {
    const venues = [venue("NEW", { feeBps: null }), venue("KNOWN", { feeBps: "1", health: "DOWN" })];
    expect(route(order(), venues, "lowestCost").legs[0]?.venueId).toBe("NEW");
  });

  it("property: under lowestCost no fee-unknown venue is chosen while a quoted fee-known venue fits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ask: fc.integer({ min: 100, max: 300 }), fee: fc.option(fc.integer({ min: 0, max: 50 })) }), {
          minLength: 1,
          maxLength: 6,
        }),
        (rows) => {
          const venues = rows.map((r, i) => venue(`V${i}`, { ask: `${r.ask}.00`, feeBps: r.fee === null ? null : String(r.fee) }));
          const chosen = route(order(), venues, "lowestCost").legs[0]?.venueId;
          const anyKnown = venues.some((v) => v.feeBps !== null);
          if (anyKnown) expect(venues.find((v) => v.venueId === chosen)?.feeBps).not.toBeNull();
        },
      ),
    );
  });

  it("a closed (disabled, draining) venue gets no new orders, directed or not, and the reason says so", () => {
    const venues = [venue("OFF", { closed: "disabled by admin@x: maintenance window", ask: "1" }), venue("ON")];
    expect(route(order(), venues, "bestPrice").legs[0]?.venueId).toBe("ON");
    const directed = route(order(), venues, "bestPrice", "OFF");
    expect(directed.legs).toEqual([]);
    expect(directed.reason).toBe("directed to OFF, which is closed to new orders (disabled by admin@x: maintenance window)");
  });

  it("refuses with a clear reason when no venue can take the order type / time in force", () => {
    const d = route(order({ timeInForce: "IOC" }), [venue("A", { accepts: false }), venue("B", { accepts: false })], "lowestCost");
    expect(d.legs).toEqual([]);
    expect(d.reason).toBe("no venue takes Limit IOC orders (A, B cannot)");
  });
});
