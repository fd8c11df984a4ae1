import { isTerminal, money, type Order } from "@fillmore/shared";

/** The last fill of an order, seen between two consecutive versions of it (the stream carries whole orders). */
export interface LastFill {
  lastQty: string;
  lastPx: string;
}

/** Which orders a view shows and in what order; `compare` must be a total order (tie-break on orderId). */
export interface ViewSpec {
  filter: (o: Order) => boolean;
  compare: (a: Order, b: Order) => number;
}

/** Most orders the browser keeps; past it the oldest finished ones go first. */
export const DEFAULT_MAX_ORDERS = 20_000;

/** Order ids rise with creation ("O1", "O2", … "O10"): shorter first, then by text. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Newest first; orders created in the same millisecond keep their creation (id) order. */
export function newestFirst(a: Order, b: Order): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : compareIds(a.orderId, b.orderId);
}

/**
 * The browser's copy of the live orders: a bounded map plus one sorted, filtered view kept up to
 * date incrementally (binary search + splice per changed order), so a burst of updates costs
 * O(changes × log n) per animation frame instead of a filter and sort of every order.
 */
export class OrderStore {
  readonly orders = new Map<string, Order>();
  /** Order ids changed since the snapshot, with the sequence of their last change (rows flash). */
  readonly changed = new Map<string, number>();
  /** When each of those last changed (`now()`), so a row scrolled into view later does not flash again. */
  private readonly changedAt = new Map<string, number>();
  readonly lastFills = new Map<string, LastFill>();
  /** Parent orders of split children, with how many children they have here. */
  readonly splitParents = new Map<string, number>();
  private readonly accountCounts = new Map<string, number>();
  private accountList: string[] = [];
  private accountsDirty = true;
  /** Bumped on every change; a view built at another version is rebuilt. */
  version = 0;
  evicted = 0;
  private spec: ViewSpec | undefined;
  private rows: Order[] = [];
  private rowsVersion = -1;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly maxOrders = DEFAULT_MAX_ORDERS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether this order's row should flash: its last change arrived less than `withinMs` ago. */
  flashes(order: Order, withinMs: number, at = this.now()): boolean {
    return (
      this.changed.get(order.orderId) === order.lastSeq && at - (this.changedAt.get(order.orderId) ?? Number.NEGATIVE_INFINITY) < withinMs
    );
  }

  get size(): number {
    return this.orders.size;
  }

  /**
   * Calls `listener` after each snapshot and each applied batch; returns the unsubscribe. Stable
   * (an arrow property), so it fits `useSyncExternalStore`: only the components that show the
   * orders subscribe, and the page around them does not re-render per frame.
   */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Replaces everything with a snapshot. */
  reset(orders: readonly Order[]): void {
    this.orders.clear();
    this.changed.clear();
    this.changedAt.clear();
    this.lastFills.clear();
    this.splitParents.clear();
    this.accountCounts.clear();
    this.accountsDirty = true;
    for (const o of orders) this.put(o);
    this.evictIfNeeded();
    this.version += 1;
    this.rowsVersion = -1;
    this.notify();
  }

  /** Applies a batch of updates (one animation frame's worth), in stream order. */
  apply(updates: readonly Order[]): void {
    if (updates.length === 0) return;
    const viewLive = this.spec !== undefined && this.rowsVersion === this.version;
    for (const next of updates) {
      const prev = this.orders.get(next.orderId);
      if (prev && prev.lastSeq >= next.lastSeq) continue;
      if (prev && money.gt(next.cumQty, prev.cumQty)) {
        const lastQty = money.sub(next.cumQty, prev.cumQty);
        this.lastFills.set(next.orderId, { lastQty, lastPx: money.div(money.sub(next.notional, prev.notional), lastQty, 8) });
      }
      this.put(next, prev);
      this.changed.set(next.orderId, next.lastSeq);
      this.changedAt.set(next.orderId, this.now());
      if (viewLive) this.updateView(prev, next);
    }
    const evicted = this.evictIfNeeded();
    this.version += 1;
    if (viewLive && !evicted) this.rowsVersion = this.version;
    this.notify();
  }

  /** The orders a view shows, sorted; rebuilt only when the spec or the store was reset. */
  view(spec: ViewSpec): readonly Order[] {
    if (spec !== this.spec || this.rowsVersion !== this.version) {
      this.spec = spec;
      this.rows = [];
      for (const o of this.orders.values()) if (spec.filter(o)) this.rows.push(o);
      this.rows.sort(spec.compare);
      this.rowsVersion = this.version;
    }
    return this.rows;
  }

  accounts(): readonly string[] {
    if (this.accountsDirty) {
      this.accountList = [...this.accountCounts.keys()].sort();
      this.accountsDirty = false;
    }
    return this.accountList;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private put(next: Order, prev?: Order): void {
    if (!prev) {
      this.count(this.accountCounts, next.accountId, 1, true);
      if (next.parentId) this.count(this.splitParents, next.parentId, 1, false);
    }
    this.orders.set(next.orderId, next);
  }

  private drop(o: Order): void {
    this.orders.delete(o.orderId);
    this.changed.delete(o.orderId);
    this.changedAt.delete(o.orderId);
    this.lastFills.delete(o.orderId);
    this.count(this.accountCounts, o.accountId, -1, true);
    if (o.parentId) this.count(this.splitParents, o.parentId, -1, false);
  }

  private count(map: Map<string, number>, key: string, delta: number, accounts: boolean): void {
    const n = (map.get(key) ?? 0) + delta;
    if (n <= 0) map.delete(key);
    else map.set(key, n);
    if (accounts && (n <= 0 || n === 1)) this.accountsDirty = true;
  }

  /**
   * Keeps at most `maxOrders`: past it, drops down to 95 % of it (so eviction runs once per few
   * hundred new orders, not on each), oldest finished orders first, then the oldest working ones.
   */
  private evictIfNeeded(): boolean {
    if (this.orders.size <= this.maxOrders) return false;
    const target = Math.floor(this.maxOrders * 0.95);
    const oldestFirst = (a: Order, b: Order) => -newestFirst(a, b);
    const done = [...this.orders.values()].filter((o) => isTerminal(o.ordStatus)).sort(oldestFirst);
    for (const o of done) {
      if (this.orders.size <= target) break;
      this.drop(o);
      this.evicted += 1;
    }
    if (this.orders.size > target) {
      const working = [...this.orders.values()].sort(oldestFirst);
      for (const o of working) {
        if (this.orders.size <= target) break;
        this.drop(o);
        this.evicted += 1;
      }
    }
    this.rowsVersion = -1;
    return true;
  }

  private updateView(prev: Order | undefined, next: Order): void {
    const spec = this.spec;
    if (!spec) return;
    const rows = this.rows;
    if (prev && spec.filter(prev)) {
      const at = this.indexOf(prev);
      if (at >= 0) rows.splice(at, 1);
    }
    if (spec.filter(next)) rows.splice(this.insertionPoint(next), 0, next);
  }

  private insertionPoint(o: Order): number {
    const { rows } = this;
    const compare = this.spec?.compare ?? newestFirst;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(rows[mid] as Order, o) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(o: Order): number {
    const at = this.insertionPoint(o);
    if (this.rows[at]?.orderId === o.orderId) return at;
    // Not where its sort key says (should not happen): look it up the slow way.
    return this.rows.findIndex((r) => r.orderId === o.orderId);
  }
}
