import { type Decimal, money, type Order, type RoutingPolicy } from "@fillmore/shared";
import type { HealthState } from "./health";
import { qualityScores } from "./quality-policy";

export type { RoutingPolicy };

/** What the router knows of one venue when an order arrives. */
export interface Candidate {
  venueId: string;
  health: HealthState;
  /** The order type and time in force are accepted there. */
  accepts: boolean;
  bid: Decimal | undefined;
  ask: Decimal | undefined;
  /** Quantity available at the touch. */
  depth: Decimal;
  /** Cost in bps of notional; null when the venue has no fee information (ranked worst by lowestCost). */
  feeBps: Decimal | null;
  /** Why the venue takes no new orders at all (disabled by an admin, draining), or null. */
  closed?: string | null;
  ackEwmaMs: number;
  weight: number;
  /** Set when sending one more order now would exceed the venue's own rate limit. */
  rateLimited?: string | null;
}

export interface Considered {
  venueId: string;
  score: string | null;
  excluded: string | null;
}

export interface RouteDecision {
  /** One venue, or several with quantities for a split. Empty when no venue fits. */
  legs: { venueId: string; qty: Decimal }[];
  policy: RoutingPolicy | "directed";
  reason: string;
  considered: Considered[];
}

const exclusion = (c: Candidate): string | null => {
  if (c.closed) return `is closed to new orders (${c.closed})`;
  if (c.health === "DOWN") return "venue is DOWN";
  if (!c.accepts) return "does not take this order type / time in force";
  return c.rateLimited ?? null;
};

const touch = (order: Order, c: Candidate) => (order.side === "Buy" ? c.ask : c.bid);

/** Expected cost per unit: price at the touch plus fees; lower is better for buys, higher for sells. */
function allInPx(order: Order, c: Candidate): Decimal | undefined {
  const px = touch(order, c);
  if (px === undefined) return undefined;
  const fee = money.div(money.mul(px, c.feeBps ?? "0"), "10000", 10);
  return order.side === "Buy" ? money.add(px, fee) : money.sub(px, fee);
}

/** A stable pick among equals, spread by order id so load balances without shared state. */
function weightedPick(orderId: string, venues: Candidate[]): Candidate | undefined {
  const total = venues.reduce((s, v) => s + Math.max(v.weight, 0), 0);
  if (total <= 0) return venues[0];
  let hash = 2166136261;
  for (let i = 0; i < orderId.length; i++) hash = Math.imul(hash ^ orderId.charCodeAt(i), 16777619) >>> 0;
  let point = (hash / 0x100000000) * total;
  for (const v of venues) {
    point -= Math.max(v.weight, 0);
    if (point < 0) return v;
  }
  return venues[venues.length - 1];
}

/**
 * Chooses where an order goes. Pure: the same order and candidates give the same decision, which
 * names every venue considered and why the chosen one won. DEGRADED venues are used only when no
 * UP venue fits.
 */
export function route(
  order: Order,
  candidates: readonly Candidate[],
  policy: RoutingPolicy,
  directed?: string,
  lotSize: Decimal = "1",
): RouteDecision {
  const considered: Considered[] = candidates.map((c) => ({ venueId: c.venueId, score: null, excluded: exclusion(c) }));
  const qty = order.leavesQty;
  if (directed !== undefined) {
    const c = candidates.find((v) => v.venueId === directed);
    const why = c ? exclusion(c) : "no such venue";
    return why
      ? {
          legs: [],
          policy: "directed",
          reason: `directed to ${directed}, which ${why === "no such venue" ? "does not exist" : why}`,
          considered,
        }
      : { legs: [{ venueId: directed, qty }], policy: "directed", reason: `directed to ${directed} by the order`, considered };
  }
  const eligible = candidates.filter((c) => exclusion(c) === null);
  const up = eligible.filter((c) => c.health === "UP");
  const pool = up.length > 0 ? up : eligible;
  if (pool.length === 0) return { legs: [], policy, reason: noVenueReason(order, candidates), considered };
  // Unknown cost is the worst cost: with lowestCost, a venue without fee information is ranked after
  // every venue whose cost is known, and gets the order only when none of those can take it.
  const costKnown = policy === "lowestCost" ? pool.filter((c) => c.feeBps !== null && touch(order, c) !== undefined) : [];
  const ranked = costKnown.length > 0 ? costKnown : pool;

  const scores = new Map<Candidate, number | undefined>();
  const scoreOf = (c: Candidate): number | undefined => {
    if (!scores.has(c)) scores.set(c, computeScore(c));
    return scores.get(c);
  };
  const computeScore = (c: Candidate): number | undefined => {
    switch (policy) {
      case "bestPrice": {
        const px = touch(order, c);
        return px === undefined ? undefined : order.side === "Buy" ? -Number(px) : Number(px);
      }
      case "lowestCost": {
        const px = allInPx(order, c);
        return px === undefined ? undefined : order.side === "Buy" ? -Number(px) : Number(px);
      }
      case "fastest":
        return -c.ackEwmaMs;
      case "quality":
        return qualityScores.score(order, c);
      default:
        return 0;
    }
  };
  for (const entry of considered) {
    const c = pool.find((v) => v.venueId === entry.venueId);
    if (!c && entry.excluded === null) entry.excluded = "DEGRADED while others are UP";
    if (c && !ranked.includes(c)) entry.score = "fee unknown: ranked last";
    else if (c) entry.score = String(scoreOf(c) ?? "no quote");
  }

  if (policy === "liquiditySplit") return split(order, pool, considered, lotSize);
  if (policy === "weighted") {
    const pick = weightedPick(order.orderId, pool);
    return {
      legs: pick ? [{ venueId: pick.venueId, qty }] : [],
      policy,
      reason: `weighted pick among ${pool.length} equal venues`,
      considered,
    };
  }
  const scored = ranked
    .map((c) => ({ c, s: scoreOf(c) }))
    .filter((x): x is { c: Candidate; s: number } => x.s !== undefined)
    .sort((a, b) => b.s - a.s || a.c.ackEwmaMs - b.c.ackEwmaMs || a.c.venueId.localeCompare(b.c.venueId));
  const best = scored[0];
  if (!best) return { legs: [], policy, reason: "no venue has a quote to compare", considered };
  const ties = scored.filter((x) => x.s === best.s).map((x) => x.c);
  const chosen = ties.length > 1 ? (weightedPick(order.orderId, ties) ?? best.c) : best.c;
  const what = {
    bestPrice: "best price at the touch",
    lowestCost: "lowest price plus fees",
    fastest: "fastest acknowledgements",
    quality: "lowest measured execution cost (slippage, fees, rejects, latency)",
  }[policy as "bestPrice" | "lowestCost" | "fastest" | "quality"];
  return {
    legs: [{ venueId: chosen.venueId, qty }],
    policy,
    reason: `${what}${ties.length > 1 ? ` (tie among ${ties.length}, balanced by weight)` : ""}`,
    considered,
  };
}

/** Why no venue fits: every venue closed, DOWN, unable to take the order, or at its rate limit, each named. */
function noVenueReason(order: Order, candidates: readonly Candidate[]): string {
  if (candidates.length === 0) return "no venue is configured";
  if (candidates.every((c) => !c.closed && !c.accepts))
    return `no venue takes ${order.ordType} ${order.timeInForce} orders (${candidates.map((c) => c.venueId).join(", ")} cannot)`;
  const why = candidates.map((c) => `${c.venueId} ${exclusion(c) ?? "fits"}`).join("; ");
  return `no venue is up and takes this order: ${why}`;
}

/** Splits across venues in proportion to displayed depth, in whole lots; the rest goes to the deepest. */
function split(order: Order, pool: Candidate[], considered: Considered[], lotSize: Decimal): RouteDecision {
  const totalDepth = pool.reduce((s, c) => money.add(s, c.depth), "0");
  if (money.isZero(totalDepth)) {
    const first = pool[0];
    return {
      legs: first ? [{ venueId: first.venueId, qty: order.leavesQty }] : [],
      policy: "liquiditySplit",
      reason: "no displayed depth; one venue",
      considered,
    };
  }
  const sorted = [...pool].sort((a, b) => money.cmp(b.depth, a.depth));
  const legs: { venueId: string; qty: Decimal }[] = [];
  let left = order.leavesQty;
  for (const c of sorted) {
    const lots = money.round(money.div(money.mul(order.leavesQty, c.depth), money.mul(totalDepth, lotSize), 10), 0);
    const share = money.mul(lots, lotSize);
    const qty = money.min(share, left);
    if (money.isPositive(qty)) {
      legs.push({ venueId: c.venueId, qty });
      left = money.sub(left, qty);
    }
  }
  const deepest = sorted[0];
  const first = legs[0];
  if (money.isPositive(left) && first) first.qty = money.add(first.qty, left);
  else if (money.isPositive(left) && deepest) legs.push({ venueId: deepest.venueId, qty: left });
  return { legs, policy: "liquiditySplit", reason: `split across ${legs.length} venues by displayed depth`, considered };
}
