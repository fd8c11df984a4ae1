import { randomBytes } from "node:crypto";
import { type Decimal, money, type Order } from "@fillmore/shared";
import type { Quote, RandomWalkFeed } from "../../marketdata/quotes";
import { inRange, type OrderIdRange } from "../../orders/order-ids";
import type {
  BrokerAdapter,
  OrderChanges,
  VenueCapabilities,
  VenueFill,
  VenueOrderStatus,
  VenuePosition,
  VenueReport,
  VenueTrade,
} from "../adapter";

export interface SimVenueOptions {
  name: string;
  feed: RandomWalkFeed;
  lotSize: (symbol: string) => Decimal;
  latencyMs: number;
  /** Chance, per quote update, that a marketable resting order gets only part of its remainder. */
  partialFillRate: number;
  /** Extra random latency, uniform in [0, jitterMs]. */
  jitterMs?: number;
  /** Share of new orders the venue refuses. */
  rejectRate?: number;
  /** Shares shown at each price level: a taking order larger than this walks the book (absent: the touch has any size). */
  displayedDepth?: number;
  /** Price step between book levels, bps of the touch (default 1; at least one unit of the quote's last decimal). */
  levelBps?: number;
  /** A taking fill lands up to this many bps worse than its level (uniform), never past a limit price. */
  slippageBps?: number;
  seed?: number;
}

interface Working {
  order: Order;
  cumQty: Decimal;
}

interface Record {
  state: "working" | "filled" | "cancelled" | "rejected";
  order: Order;
  cumQty: Decimal;
  /** Replaced (concat), never pushed to or spread into: those keep room for 16 more, and every record is kept. */
  fills: readonly VenueFill[];
  reason: string | null;
  submissions: number;
}

const NO_FILLS: readonly VenueFill[] = Object.freeze([]);

/**
 * A simulated exchange inside the engine: acknowledges after a latency, fills market orders at
 * the touch, rests limit orders and fills them when the simulated quote crosses, sometimes in parts.
 */
export const SIM_CAPABILITIES: VenueCapabilities = {
  ordTypes: ["Market", "Limit"],
  timeInForces: ["DAY", "GTC", "IOC", "FOK"],
  nativeStops: false,
  modify: true,
  cancel: true,
};

export class SimVenue implements BrokerAdapter {
  readonly capabilities: VenueCapabilities = SIM_CAPABILITIES;
  private readonly working = new Map<string, Working>();
  /** Every order the venue has seen, as the venue remembers it. */
  private readonly records = new Map<string, Record>();
  private readonly listeners: ((r: VenueReport) => void)[] = [];
  private readonly sessionId = randomBytes(3).toString("hex");
  private execCounter = 0;
  /** Positions per account and symbol from the venue's own trades: what it answers reconciliation with. */
  private readonly held = new Map<string, VenuePosition & { trades: VenueTrade[] }>();
  private connected = false;
  private outage = false;
  private random: () => number;

  constructor(private readonly options: SimVenueOptions) {
    let state = (options.seed ?? 7) >>> 0 || 1;
    this.random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 0x100000000;
    };
    options.feed.onQuote((q) => this.onQuote(q));
  }

  get name(): string {
    return this.options.name;
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  isHealthy(): boolean {
    return this.connected && !this.outage;
  }

  /** Outage injection: while down, the venue answers nothing and fills nothing. */
  setOutage(down: boolean): void {
    this.outage = down;
  }

  /** Changes the venue's character while it runs (tests and demos degrade a venue, then restore it). */
  setCharacter(
    character: Partial<
      Pick<SimVenueOptions, "latencyMs" | "jitterMs" | "rejectRate" | "partialFillRate" | "displayedDepth" | "slippageBps">
    >,
  ): void {
    Object.assign(this.options, character);
  }

  onReport(listener: (r: VenueReport) => void): void {
    this.listeners.push(listener);
  }

  /** The simulated book lives in engine memory; after a restart the engine hands back what was working. */
  restore(orders: readonly Order[]): void {
    for (const order of orders) {
      this.working.set(order.orderId, { order, cumQty: order.cumQty });
      this.records.set(order.orderId, { state: "working", order, cumQty: order.cumQty, fills: NO_FILLS, reason: null, submissions: 1 });
    }
  }

  async submitOrder(order: Order): Promise<void> {
    this.later(() => {
      const seen = this.records.get(order.orderId);
      if (seen) {
        // Order ids are deterministic, so a resend after a restart is recognised and not traded twice.
        seen.submissions += 1;
        return;
      }
      const record: Record = { state: "working", order, cumQty: "0", fills: NO_FILLS, reason: null, submissions: 1 };
      this.records.set(order.orderId, record);
      if ((this.options.rejectRate ?? 0) > 0 && this.random() < (this.options.rejectRate ?? 0)) {
        record.state = "rejected";
        record.reason = `${this.name} refused the order (simulated venue reject)`;
        this.emit({ kind: "rejected", orderId: order.orderId, reason: record.reason });
        return;
      }
      if (!this.capabilities.ordTypes.includes(order.ordType)) {
        record.state = "rejected";
        record.reason = `${order.ordType} orders are not supported by ${this.name}`;
        this.emit({ kind: "rejected", orderId: order.orderId, reason: record.reason });
        return;
      }
      this.emit({ kind: "accepted", orderId: order.orderId, venueOrderId: `${this.name}-${order.orderId}` });
      const working: Working = { order, cumQty: order.cumQty };
      this.working.set(order.orderId, working);
      const quote = this.options.feed.quote(order.symbol);
      if (quote) this.tryFill(working, quote, true);
      if (this.working.has(order.orderId) && (order.timeInForce === "IOC" || order.timeInForce === "FOK")) {
        this.working.delete(order.orderId);
        this.close(order.orderId, "cancelled", `${order.timeInForce} remainder cancelled`);
        this.emit({ kind: "cancelled", orderId: order.orderId, reason: `${order.timeInForce} remainder cancelled` });
      }
    });
  }

  async cancelOrder(order: Order): Promise<void> {
    this.later(() => {
      if (this.working.delete(order.orderId)) {
        this.close(order.orderId, "cancelled", "cancelled on request");
        this.emit({ kind: "cancelled", orderId: order.orderId, reason: "cancelled on request" });
      } else {
        this.emit({ kind: "cancelRejected", orderId: order.orderId, reason: "order is not working at the venue (filled or unknown)" });
      }
    });
  }

  async modifyOrder(order: Order, changes: OrderChanges): Promise<void> {
    this.later(() => {
      const w = this.working.get(order.orderId);
      if (!w) {
        this.emit({ kind: "replaceRejected", orderId: order.orderId, reason: "order is not working at the venue (filled or unknown)" });
        return;
      }
      if (money.lte(changes.orderQty, w.cumQty)) {
        this.emit({
          kind: "replaceRejected",
          orderId: order.orderId,
          reason: `new quantity ${changes.orderQty} is not above the filled ${w.cumQty}`,
        });
        return;
      }
      w.order = { ...w.order, orderQty: changes.orderQty, price: changes.price, stopPx: changes.stopPx };
      const record = this.records.get(order.orderId);
      if (record) record.order = w.order;
      this.emit({ kind: "replaced", orderId: order.orderId, ...changes });
      const quote = this.options.feed.quote(order.symbol);
      if (quote) this.tryFill(w, quote, false);
    });
  }

  async getOrderStatus(orderId: string): Promise<VenueOrderStatus> {
    const r = this.records.get(orderId);
    if (!r) return { orderId, known: false };
    return {
      orderId,
      known: true,
      state: r.state,
      orderQty: r.order.orderQty,
      price: r.order.price,
      cumQty: r.cumQty,
      fills: [...r.fills],
      reason: r.reason,
    };
  }

  /** How many times an order id was sent here: more than one means a resend the venue ignored. */
  submissionsOf(orderId: string): number {
    return this.records.get(orderId)?.submissions ?? 0;
  }

  async recoverOrders(range: OrderIdRange): Promise<Order[]> {
    return [...this.records.values()].filter((r) => inRange(r.order.orderId, range)).map((r) => r.order);
  }

  /** Order ids the venue has seen. */
  knownOrderIds(): string[] {
    return [...this.records.keys()];
  }

  async getPositions(accountId?: string): Promise<VenuePosition[]> {
    return [...this.held.values()]
      .filter((p) => accountId === undefined || p.accountId === accountId)
      .map((p) => ({ ...p, trades: [...p.trades] }));
  }

  /**
   * The in-process simulator lives in engine memory: after a restart it knows only what the engine
   * hands back (positions as the engine booked them), unlike the exchange process, which keeps its own.
   */
  restorePositions(positions: readonly { accountId: string; symbol: string; qty: Decimal }[]): void {
    for (const p of positions) {
      const key = `${p.accountId}|${p.symbol}`;
      const held = this.held.get(key);
      this.held.set(key, { ...p, qty: money.add(held?.qty ?? "0", p.qty), trades: held?.trades ?? [] });
    }
  }

  /** Test injection: a trade done at the venue outside Fillmore (another terminal, a give-up); no report is sent. */
  injectExternalTrade(t: { accountId: string; symbol: string; side: "Buy" | "Sell"; qty: Decimal; px: Decimal }): string {
    this.execCounter += 1;
    const execId = `${this.sessionId}-X${this.execCounter}`;
    this.hold(t.accountId, t.symbol, { execId, orderId: null, side: t.side, qty: t.qty, px: t.px });
    return execId;
  }

  /** Test injection: the venue fills one of our orders but the report never reaches the engine (a lost message). */
  injectSilentFill(orderId: string, qty: Decimal, px: Decimal): string {
    const record = this.records.get(orderId);
    if (!record) throw new Error(`${this.name} does not know ${orderId}`);
    this.execCounter += 1;
    const fill = { execId: `${this.sessionId}-${this.execCounter}`, lastQty: qty, lastPx: px };
    record.fills = record.fills.concat([fill]);
    record.cumQty = money.add(record.cumQty, qty);
    this.hold(record.order.accountId, record.order.symbol, { execId: fill.execId, orderId, side: record.order.side, qty, px });
    return fill.execId;
  }

  private hold(accountId: string, symbol: string, trade: VenueTrade): void {
    const key = `${accountId}|${symbol}`;
    const p = this.held.get(key) ?? { accountId, symbol, qty: "0", trades: [] };
    p.qty = trade.side === "Buy" ? money.add(p.qty, trade.qty) : money.sub(p.qty, trade.qty);
    p.trades.push(trade);
    if (p.trades.length > 5000) p.trades.shift(); // evidence for causes, not the books: the quantity stays exact
    this.held.set(key, p);
  }

  private onQuote(quote: Quote): void {
    if (!this.isHealthy()) return;
    for (const w of this.working.values()) {
      if (w.order.symbol === quote.symbol) this.tryFill(w, quote, false);
    }
  }

  private tryFill(w: Working, quote: Quote, onArrival: boolean): void {
    const { order } = w;
    const touch = order.side === "Buy" ? quote.ask : quote.bid;
    const marketable =
      order.ordType === "Market" ||
      (order.price !== null && (order.side === "Buy" ? money.gte(order.price, touch) : money.lte(order.price, touch)));
    if (!marketable) return;
    const leaves = money.sub(order.orderQty, w.cumQty);
    let lastQty = leaves;
    const lot = this.options.lotSize(order.symbol);
    const lots = Number(money.div(leaves, lot, 0));
    const partial = order.timeInForce !== "FOK" && lots > 1 && this.random() < this.options.partialFillRate;
    if (partial && !(onArrival && order.ordType === "Market" && order.timeInForce !== "IOC")) {
      lastQty = money.mul(String(1 + Math.floor(this.random() * (lots - 1))), lot);
    }
    for (const slice of this.slices(order, touch, lastQty, lot, onArrival)) this.fill(w, slice.qty, slice.px, onArrival);
  }

  /**
   * How a fill of `qty` at `touch` is done: one fill at the touch, unless the venue shows a depth
   * (`displayedDepth` shares per price level: a taking order walks the book, each level `levelBps`
   * worse, never past a limit price, the rest left working) or has slippage (`slippageBps`: a taking
   * fill lands up to that much worse than the level, never past the limit).
   */
  private slices(order: Order, touch: Decimal, qty: Decimal, lot: Decimal, taking: boolean): { qty: Decimal; px: Decimal }[] {
    const { displayedDepth, slippageBps } = this.options;
    if (!displayedDepth && !slippageBps) return [{ qty, px: touch }];
    const places = (touch.split(".")[1] ?? "").length;
    const unit = places === 0 ? "1" : `0.${"0".repeat(places - 1)}1`;
    const bpsOf = (bps: number) => money.round(money.div(money.mul(touch, bps.toFixed(6)), "10000", places + 4), places);
    const step = money.max(unit, bpsOf(this.options.levelBps ?? 1));
    const sign = order.side === "Buy" ? "1" : "-1";
    const beyondLimit = (px: Decimal) =>
      order.price !== null && (order.side === "Buy" ? money.gt(px, order.price) : money.lt(px, order.price));
    const perLevel = displayedDepth ? money.max(lot, money.mul(String(Math.floor(displayedDepth / Number(lot))), lot)) : qty;
    const out: { qty: Decimal; px: Decimal }[] = [];
    let left = qty;
    for (let level = 0; money.isPositive(left) && level < 50; level += 1) {
      const base = money.add(touch, money.mul(sign, money.mul(String(level), step)));
      if (beyondLimit(base)) break;
      // Only a taking order walks the book; a resting one the quote came to gets the touch's size.
      if (level > 0 && !taking) break;
      let px = base;
      if (taking && slippageBps) px = money.add(base, money.mul(sign, bpsOf(this.random() * slippageBps)));
      if (beyondLimit(px) && order.price !== null) px = order.price;
      const q = money.min(left, perLevel);
      out.push({ qty: q, px: money.normalize(px) });
      left = money.sub(left, q);
    }
    return out;
  }

  private fill(w: Working, lastQty: Decimal, lastPx: Decimal, onArrival: boolean): void {
    const { order } = w;
    w.cumQty = money.add(w.cumQty, lastQty);
    this.execCounter += 1;
    const fill = { execId: `${this.sessionId}-${this.execCounter}`, lastQty, lastPx };
    const record = this.records.get(order.orderId);
    if (record) {
      record.cumQty = w.cumQty;
      record.fills = record.fills.concat([fill]);
    }
    this.hold(order.accountId, order.symbol, { execId: fill.execId, orderId: order.orderId, side: order.side, qty: lastQty, px: lastPx });
    if (money.gte(w.cumQty, order.orderQty)) {
      this.working.delete(order.orderId);
      this.close(order.orderId, "filled", null);
    }
    // Marketable on arrival took liquidity; a resting order the quote came to added it.
    this.emit({ kind: "fill", orderId: order.orderId, ...fill, liquidity: onArrival ? "taker" : "maker" });
  }

  private close(orderId: string, state: Record["state"], reason: string | null): void {
    const record = this.records.get(orderId);
    if (!record) return;
    record.state = state;
    record.reason = reason;
  }

  /** Work after the venue's latency; nothing happens while it is disconnected. */
  private later(fn: () => void): void {
    const guarded = () => {
      if (this.isHealthy()) fn();
    };
    const delay = this.options.latencyMs + (this.options.jitterMs ? this.random() * this.options.jitterMs : 0);
    if (delay <= 0) queueMicrotask(guarded);
    else setTimeout(guarded, delay);
  }

  private emit(report: VenueReport): void {
    for (const listener of this.listeners) listener(report);
  }
}
