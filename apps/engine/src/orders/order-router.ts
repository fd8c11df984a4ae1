import { type AnyEvent, asReceived, isTerminal, money, type Order } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";
import { quoteSnapshot } from "../quality/arrival";
import type { InstrumentRule } from "../risk/checks";
import { TokenBuckets } from "../risk/token-bucket";
import { type Candidate, type RoutingPolicy, route } from "../routing/policies";
import type { VenueMonitor } from "../routing/venue-monitor";
import type { BrokerAdapter } from "../venues/adapter";
import type { OrderBook } from "./order-book";
import type { OrderIds } from "./order-ids";
import { venueView } from "./stops";

export interface RoutingDeps {
  policy: RoutingPolicy;
  monitor: VenueMonitor;
  /** The venue's cost in bps for the lowest-cost policy; null when unknown (ranked worst, routing/policies.ts). */
  feeBps: (venueId: string) => string | null;
  /** Why a venue takes no new orders (disabled by an admin: it drains; cancels still reach it), or null. */
  closed?: (venueId: string) => string | null;
  /** A venue's own order-rate limit, kept below so the venue never has to throttle or ban us. */
  rateLimit: (venueId: string) => { perSecond: number; burst: number } | undefined;
  /** Quantity a venue displays at the touch, for liquidity splits. */
  depth: (venueId: string) => string;
  /**
   * Why a venue is closed to this order by a trading halt naming the venue (`venue:V`, or e.g.
   * `account:A/venue:V`), or null; set by wiring/controls.ts. Such a venue is no candidate at all.
   */
  venueHalt?: (venueId: string, order: Order) => string | null;
}

export interface OrderRouterDeps {
  book: OrderBook;
  ids: OrderIds;
  venues: ReadonlyMap<string, BrokerAdapter>;
  instruments: ReadonlyMap<string, InstrumentRule>;
  quote: (symbol: string) => Quote | undefined;
  routing: RoutingDeps;
}

/** Sends validated orders to a venue (or splits them across several) and keeps split parents in step with their children. */
export class OrderRouter {
  private readonly venueBuckets = new TokenBuckets();

  constructor(private readonly deps: OrderRouterDeps) {
    deps.book.onRecorded((event, order) => {
      if (order?.parentId !== null && order !== undefined) this.followChild(order, event);
    });
  }

  /** The quote journaled with an order now (receipt, routing, a stop's trigger); undefined when not two-sided. */
  quoteNow(symbol: string) {
    return quoteSnapshot(this.deps.quote(symbol));
  }

  /** Our rate limit for a venue and how much of its burst is taken now, for the Venues page. */
  rateLimitUsage(venueId: string): { perSecond: number; burst: number; usedPct: number } | null {
    const limit = this.deps.routing.rateLimit(venueId);
    if (!limit) return null;
    const available = this.venueBuckets.available(venueId, limit.perSecond, limit.burst, this.deps.book.clock.nowMs());
    return { ...limit, usedPct: Number((100 * (1 - Math.max(0, available) / limit.burst)).toFixed(1)) };
  }

  /**
   * Chooses a venue and records OrderSubmitted (or a denial if none fits). Returns the send, for
   * the caller to run at once: the venue round trip overlaps the journal commit, and a crash in
   * between is recovered from the venue (`recoverLost`). A venue that cannot list our orders
   * gets it only once the journal holds it.
   */
  route(order: Order, requested: string | undefined, triggerPx?: string, policy?: RoutingPolicy): (() => void) | undefined {
    const { book } = this.deps;
    const lotSize = this.deps.instruments.get(order.symbol)?.lotSize ?? "1";
    const decision = route(order, this.candidates(order), policy ?? this.deps.routing.policy, requested, lotSize);
    const splitting = decision.legs.length > 1 && this.deps.ids.canTake(decision.legs.length);
    const venueId = splitting ? null : (decision.legs[0]?.venueId ?? null);
    const reason =
      decision.legs.length > 1 && !splitting ? `${decision.reason}; sent whole to ${venueId} (no ids free to split now)` : decision.reason;
    book.journal.append({
      type: "RouteDecided",
      orderId: order.orderId,
      accountId: order.accountId,
      actor: "router",
      data: { policy: decision.policy, reason, venueId, considered: decision.considered, ...(splitting ? { legs: decision.legs } : {}) },
    });
    if (splitting) return this.split(order, decision.legs);
    const venue = venueId === null ? undefined : this.deps.venues.get(venueId);
    if (venueId !== null) this.takeVenueToken(venueId);
    if (!venue) {
      book.record({
        type: "OrderDenied",
        orderId: order.orderId,
        accountId: order.accountId,
        actor: "router",
        data: { code: "NO_VENUE", reason: decision.reason },
      });
      return undefined;
    }
    const quote = this.quoteNow(order.symbol);
    const submitted = book.record({
      type: "OrderSubmitted",
      orderId: order.orderId,
      accountId: order.accountId,
      actor: "router",
      data: {
        venueId: venue.name,
        venueOrderId: `${venue.name}-${order.orderId}`,
        ...(triggerPx ? { triggerPx } : {}),
        ...(quote ? { quote } : {}),
      },
    });
    return this.sender(venue, submitted);
  }

  /** Sends at once to a venue that can list our orders after a crash; to any other, once the journal holds the order. */
  private sender(venue: BrokerAdapter, submitted: Order): () => void {
    const { book } = this.deps;
    const send = () => book.send(venue, submitted, () => venue.submitOrder(venueView(submitted, venue.capabilities)));
    return venue.recoverOrders ? send : () => void book.journal.durable().then(send);
  }

  private takeVenueToken(venueId: string): void {
    const limit = this.deps.routing.rateLimit(venueId);
    if (limit) this.venueBuckets.take(venueId, limit.perSecond, limit.burst, this.deps.book.clock.nowMs());
  }

  /**
   * A liquidity split: one child order per leg, each a whole order of its own at its venue (its
   * own events, reconciliation and recovery). The parent, the client's order, takes each child's
   * fills and ends when they all have. The split is journaled before the children, so a child in
   * the journal always has its parent's split there too.
   */
  private split(parent: Order, legs: readonly { venueId: string; qty: string }[]): () => void {
    const { book } = this.deps;
    const children = legs.map((leg) => ({ orderId: this.deps.ids.take(), venueId: leg.venueId, qty: leg.qty }));
    book.record({ type: "OrderSplit", orderId: parent.orderId, accountId: parent.accountId, actor: "router", data: { children } });
    const now = book.clock.nowIso();
    const quote = this.quoteNow(parent.symbol);
    const sends = children.map((leg, k) => {
      const base = { orderId: leg.orderId, accountId: parent.accountId, actor: "router" } as const;
      const child = asReceived(parent, {
        orderId: leg.orderId,
        clOrdId: `${parent.clOrdId}#${k + 1}`, // '#' is refused in client ids, so this can never collide with one
        orderQty: leg.qty,
        requestedVenueId: leg.venueId,
        parentId: parent.orderId,
        createdAt: now,
        updatedAt: now,
      });
      book.record({ ...base, type: "OrderReceived", data: { order: child, ...(quote ? { arrival: quote } : {}) } });
      book.record({ ...base, type: "OrderValidated", data: {} });
      this.takeVenueToken(leg.venueId);
      const submitted = book.record({
        ...base,
        type: "OrderSubmitted",
        data: { venueId: leg.venueId, venueOrderId: `${leg.venueId}-${leg.orderId}`, ...(quote ? { quote } : {}) },
      });
      const venue = this.deps.venues.get(leg.venueId);
      return venue ? this.sender(venue, submitted) : () => undefined;
    });
    return () => {
      for (const send of sends) send();
    };
  }

  /** A split parent follows its children: their fills become its fills, and it ends when they all have. */
  private followChild(child: Order, event: AnyEvent): void {
    const { book } = this.deps;
    const parent = child.parentId === null ? undefined : book.get(child.parentId);
    if (!parent) return;
    const base = { orderId: parent.orderId, accountId: parent.accountId, actor: event.actor } as const;
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      const { execId, venueId, lastQty, lastPx } = event.data;
      const type = money.gte(money.add(parent.cumQty, lastQty), parent.orderQty) ? "OrderFilled" : "OrderPartiallyFilled";
      book.record({ ...base, type, data: { execId: `${child.orderId}:${execId}`, venueId, lastQty, lastPx, childOrderId: child.orderId } });
    }
    const now = book.get(parent.orderId) ?? parent;
    if (event.type === "OrderCancelRejected" && now.ordStatus === "PendingCancel") {
      book.record({ ...base, type: "OrderCancelRejected", data: { reason: `child ${child.orderId}: ${event.data.reason}` } });
      return;
    }
    if (!isTerminal(child.ordStatus) || isTerminal(now.ordStatus)) return;
    const children = book.childrenOf(parent.orderId);
    if (children.some((c) => !isTerminal(c.ordStatus))) return;
    const summary = children.map(
      (c) => `${c.orderId} at ${c.venueId ?? "?"} ${c.ordStatus}${c.rejectReason ? ` (${c.rejectReason})` : ""}`,
    );
    const type = children.some((c) => c.ordStatus === "Expired") ? "OrderExpired" : "OrderCancelled";
    book.record({ ...base, actor: "router", type, data: { reason: `every child order ended: ${summary.join("; ")}` } });
  }

  /** Every venue as the router sees it now; a disconnected venue counts as DOWN at once. */
  private candidates(order: Order): Candidate[] {
    const quote = this.deps.quote(order.symbol);
    const { monitor, feeBps, rateLimit } = this.deps.routing;
    const now = this.deps.book.clock.nowMs();
    const halted = this.deps.routing.venueHalt;
    const open = halted ? [...this.deps.venues].filter(([venueId]) => halted(venueId, order) === null) : [...this.deps.venues];
    return open.map(([venueId, v]) => {
      const sent = venueView(order, v.capabilities);
      const limit = rateLimit(venueId);
      const full = limit !== undefined && this.venueBuckets.available(venueId, limit.perSecond, limit.burst, now) < 1;
      return {
        venueId,
        health: v.isHealthy() ? monitor.state(venueId) : "DOWN",
        accepts: v.capabilities.ordTypes.includes(sent.ordType) && v.capabilities.timeInForces.includes(sent.timeInForce),
        bid: quote?.bid,
        ask: quote?.ask,
        depth: this.deps.routing.depth(venueId),
        feeBps: feeBps(venueId),
        closed: this.deps.routing.closed?.(venueId) ?? null,
        ackEwmaMs: monitor.ackEwmaMs(venueId),
        weight: 1,
        rateLimited: full ? `at its rate limit of ${limit?.perSecond} orders/s (burst ${limit?.burst})` : null,
      };
    });
  }
}
