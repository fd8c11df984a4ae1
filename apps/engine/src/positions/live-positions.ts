import type {
  AnyEvent,
  Clock,
  Order,
  PnlPoint,
  PnlSeries,
  PositionChanged,
  PositionFill,
  PositionRow,
  PositionsSnapshot,
  Rollup as SharedRollup,
} from "@fillmore/shared";
import { money } from "@fillmore/shared";
import type { Quote } from "../marketdata/quotes";
import { nextSessionEnd } from "../orders/expiry";
import { type MarkSource, type PnlMethod, PositionBook, type PositionKey, type PositionView } from "./book";
import { applyCorporateActionToBook } from "./corporate-actions";

export interface LivePositionsConfig {
  /** The mark unrealized uses: the quote's mid (default), its last trade, or a manual mark. */
  markSource: MarkSource;
  /** A mark older than this is shown as stale. */
  markMaxAgeMs: number;
  /** Minutes after midnight UTC the trading day ends (SESSION_END_UTC): daily P&L restarts there. */
  sessionEndMinutes: number;
  /** Per-account P&L method (default avgCost). */
  accountMethods?: Record<string, PnlMethod>;
  /** Instruments whose quotes are FX rates for the USD roll-up ("EURUSD"). */
  fxSymbols?: readonly string[];
  /** The instrument's quote currency; USD when not said. */
  quoteCurrencyOf?: (symbol: string) => string;
  /** Intraday P&L sampling interval and the points kept per series. */
  pnlSampleMs: number;
  pnlMaxPoints: number;
  /** Mark moves are published at most this often per position. */
  markPublishMs: number;
}

export const DEFAULT_LIVE_POSITIONS_CONFIG: LivePositionsConfig = {
  markSource: "mid",
  markMaxAgeMs: 30_000,
  sessionEndMinutes: 21 * 60,
  fxSymbols: ["EURUSD"],
  pnlSampleMs: 10_000,
  pnlMaxPoints: 8_640,
  markPublishMs: 1_000,
};

interface FillRecord extends PositionFill {
  key: string;
}

const NO_FEES: PositionFill["fees"] = Object.freeze([]) as unknown as PositionFill["fees"];

type ChangeListener = (change: PositionChanged) => void;

const keyOf = (k: PositionKey): string => JSON.stringify([k.accountId, k.strategy, k.symbol]);
const parseKey = (id: string): PositionKey => {
  const [accountId, strategy, symbol] = JSON.parse(id) as [string, string | null, string];
  return { accountId, strategy, symbol };
};

export interface PositionsFilter {
  accountIds?: readonly string[];
  /** undefined: every strategy; null: the books without one. */
  strategy?: string | null;
  method?: PnlMethod;
}

/**
 * The live positions and P&L of every account × strategy × instrument. Subscribes to the order book's
 * applied events (live and replayed) and feeds fills, busts and corrections into the pure PositionBook;
 * marks and FX rates come from the quote feed; the day rolls at the session end. Every change is
 * published at once to subscribers (fills at once; mark moves coalesced per position), and read by the
 * internal API. It never calls the order manager.
 */
export class LivePositions {
  readonly book: PositionBook;
  private readonly fillsByKey = new Map<string, FillRecord[]>();
  private readonly fillById = new Map<string, FillRecord>();
  private readonly seqOf = new Map<string, number>();
  private readonly lastPx = new Map<string, string>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly markDirty = new Set<string>();
  private readonly projectionDirty = new Set<string>();
  private readonly series = new Map<string, PnlPoint[]>();
  private readonly fxSymbols: Set<string>;
  private lastSeq = 0;
  private nextBoundary: number | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly clock: Clock,
    readonly config: LivePositionsConfig = DEFAULT_LIVE_POSITIONS_CONFIG,
  ) {
    this.book = new PositionBook({ markMaxAgeMs: config.markMaxAgeMs, markSource: config.markSource, defaultMethod: "avgCost" });
    for (const [account, method] of Object.entries(config.accountMethods ?? {})) this.book.setAccountMethod(account, method);
    this.fxSymbols = new Set(config.fxSymbols ?? []);
  }

  // ------------------------------------------------------------------ inputs

  /** An order event as the order book applied it (live or replayed). */
  onApplied(event: AnyEvent, order: Order | undefined): void {
    if (event.seq > this.lastSeq) this.lastSeq = event.seq;
    if (event.type === "CorporateActionApplied" || event.type === "CorporateActionReversed") {
      this.onCorporateAction(event);
      return;
    }
    if (!order) return;
    if (
      event.type !== "OrderFilled" &&
      event.type !== "OrderPartiallyFilled" &&
      event.type !== "OrderTradeBusted" &&
      event.type !== "OrderTradeCorrected"
    )
      return;
    if (event.data.childOrderId !== undefined) return; // a split parent's copy: the child's fill is the fill
    this.rollIfCrossed(Date.parse(event.ts));
    const key: PositionKey = { accountId: order.accountId, strategy: order.strategy, symbol: order.symbol };
    const id = keyOf(key);
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      const { venueId, execId, lastQty, lastPx } = event.data;
      const fillId = `${venueId}:${execId}`;
      // The event's own fee list, not a copy: events are never changed, and the day's fills are all kept.
      const fees = event.data.fees ?? NO_FEES;
      const booked = this.book.applyFill({
        fillId,
        orderId: order.orderId,
        accountId: order.accountId,
        strategy: order.strategy,
        symbol: order.symbol,
        side: order.side,
        qty: lastQty,
        px: lastPx,
        fees,
        ts: event.ts,
        quoteCurrency: this.config.quoteCurrencyOf?.(order.symbol) ?? "USD",
      });
      if (!booked) return;
      this.lastPx.set(order.symbol, lastPx);
      const record: FillRecord = {
        key: id,
        orderId: order.orderId,
        parentOrderId: order.parentId,
        execId,
        ts: event.ts,
        side: order.side,
        qty: lastQty,
        px: lastPx,
        fees,
        venueId,
        liquidity: event.data.liquidity ?? null,
        busted: false,
        corrected: null,
        seq: event.seq,
      };
      this.fillById.set(fillId, record);
      const list = this.fillsByKey.get(id) ?? [];
      list.push(record);
      this.fillsByKey.set(id, list);
    } else if (event.type === "OrderTradeBusted") {
      const fillId = `${event.data.venueId}:${event.data.refExecId}`;
      if (!this.book.bustFill(fillId)) return;
      const record = this.fillById.get(fillId);
      if (record) record.busted = true;
    } else {
      const fillId = `${event.data.venueId}:${event.data.refExecId}`;
      if (!this.book.correctFill(fillId, { qty: event.data.lastQty, px: event.data.lastPx })) return;
      const record = this.fillById.get(fillId);
      if (record) {
        record.corrected ??= { qty: record.qty, px: record.px };
        record.qty = event.data.lastQty;
        record.px = event.data.lastPx;
      }
    }
    this.seqOf.set(id, event.seq);
    this.projectionDirty.add(id);
    if (this.listeners.size > 0) this.publish(key, "fill", event.seq);
  }

  /** A split, dividend or symbol change (or its reversal), journaled by positions/corporate-actions, live or replayed. */
  private onCorporateAction(event: AnyEvent): void {
    const symbols = applyCorporateActionToBook(this.book, event, Date.parse(event.ts));
    for (const symbol of symbols)
      for (const k of this.book.keyList()) {
        if (k.symbol !== symbol) continue;
        const id = keyOf(k);
        this.seqOf.set(id, event.seq);
        this.projectionDirty.add(id);
        if (this.listeners.size > 0) this.publish(k, "fill", event.seq);
      }
  }

  /** A quote: the symbol's mid and last become marks; an FX instrument's mid becomes its rate. */
  onQuote(quote: Quote): void {
    const ts = new Date(quote.ts).toISOString();
    const mid = money.mul(money.add(quote.bid, quote.ask), "0.5");
    this.book.setMark(quote.symbol, { px: mid, source: "mid", ts });
    if (money.isPositive(quote.last)) this.book.setMark(quote.symbol, { px: quote.last, source: "last", ts });
    if (this.fxSymbols.has(quote.symbol)) this.book.setFxMark(quote.symbol, { px: mid, source: "mid", ts });
    this.touchSymbol(quote.symbol);
  }

  /** A manual mark (used where the symbol's or the configured source is "manual"). */
  setManualMark(symbol: string, px: string): void {
    this.book.setMark(symbol, { px, source: "manual", ts: this.clock.nowIso() });
    this.touchSymbol(symbol);
  }

  setMarkSource(symbol: string, source: MarkSource): void {
    this.book.setMarkSource(symbol, source);
    this.touchSymbol(symbol);
  }

  private touchSymbol(symbol: string): void {
    for (const k of this.book.keyList()) {
      if (k.symbol !== symbol) continue;
      const id = keyOf(k);
      this.markDirty.add(id);
      this.projectionDirty.add(id);
    }
  }

  // ------------------------------------------------------------------ clockwork

  /** Timers: coalesced mark publishing, P&L sampling, the session roll. */
  start(): void {
    this.nextBoundary = nextSessionEnd(this.clock.nowMs(), this.config.sessionEndMinutes);
    this.timers.push(setInterval(() => this.flushMarks(), this.config.markPublishMs));
    this.timers.push(setInterval(() => this.sample(), this.config.pnlSampleMs));
    this.timers.push(setInterval(() => this.rollIfCrossed(this.clock.nowMs()), 1000));
    for (const t of this.timers) t.unref();
    this.sample();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Closes the day at each session end passed (replayed events carry their own time). */
  private rollIfCrossed(nowMs: number): void {
    if (this.nextBoundary === null) {
      this.nextBoundary = nextSessionEnd(nowMs, this.config.sessionEndMinutes);
      return;
    }
    if (nowMs < this.nextBoundary) return;
    const ts = new Date(this.nextBoundary).toISOString();
    // Live, the book's current marks value the boundary; in replay the last fill price stands in where there is no mark.
    this.book.rollSession({ ts, marks: Object.fromEntries(this.lastPx) });
    this.nextBoundary = nextSessionEnd(nowMs, this.config.sessionEndMinutes);
    for (const points of this.series.values()) points.length = 0;
    if (this.listeners.size > 0) for (const k of this.book.keyList()) this.publish(k, "session", this.lastSeq);
  }

  private flushMarks(): void {
    if (this.markDirty.size === 0) return;
    const ids = [...this.markDirty];
    this.markDirty.clear();
    if (this.listeners.size === 0) return;
    for (const id of ids) this.publish(parseKey(id), "mark", this.lastSeq);
  }

  /** One intraday point per account and one firm-wide (key ""), in USD, each account in its own method. */
  sample(): void {
    const now = this.clock.nowMs();
    const ts = new Date(now).toISOString();
    const push = (id: string, r: SharedRollup | undefined) => {
      if (!r) return;
      const points = this.series.get(id) ?? [];
      points.push({ ts, realizedUsd: r.realized, unrealizedUsd: r.unrealized, netUsd: r.net });
      if (points.length > this.config.pnlMaxPoints) points.splice(0, points.length - this.config.pnlMaxPoints);
      this.series.set(id, points);
    };
    for (const r of this.book.rollup("account", now)) push(r.group.accountId ?? "", r);
    push("", this.book.rollup("firm", now)[0]);
  }

  // ------------------------------------------------------------------ outputs

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(key: PositionKey, cause: PositionChanged["cause"], seq: number): void {
    const row = this.row(key, undefined, this.clock.nowMs());
    if (!row) return;
    const change: PositionChanged = { type: "PositionChanged", cause, seq, ts: this.clock.nowIso(), row };
    for (const listener of this.listeners) listener(change);
  }

  get seq(): number {
    return this.lastSeq;
  }

  /** Rows and roll-ups; `method` shows that split for every account, else each account's own. */
  snapshot(filter: PositionsFilter = {}): PositionsSnapshot {
    const now = this.clock.nowMs();
    const keys = this.book.keyList().filter((k) => matches(k, filter));
    const accounts = [...new Set(keys.map((k) => k.accountId))];
    const rows = keys.map((k) => this.row(k, filter.method, now)).filter((r): r is PositionRow => r !== undefined);
    rows.sort((a, b) => cmp(a.accountId, b.accountId) || cmp(a.strategy ?? "", b.strategy ?? "") || cmp(a.symbol, b.symbol));
    const bookFilter = { ...(filter.strategy !== undefined ? { strategy: filter.strategy } : {}) };
    const rollups = this.withMethod(accounts, filter.method, () => {
      const pick = (r: SharedRollup) => r.group.accountId === undefined || accounts.includes(r.group.accountId);
      const byAccount = accounts.flatMap((a) => this.book.rollup("account", now, { ...bookFilter, accountId: a }));
      // per strategy and firm-wide across the accounts asked for only
      const inScope = (groupBy: "strategy" | "firm") =>
        accounts.length === this.allAccounts().length
          ? this.book.rollup(groupBy, now, bookFilter)
          : mergeRollups(
              groupBy,
              accounts.flatMap((a) =>
                this.book.rollup(groupBy === "firm" ? "account" : "accountStrategy", now, { ...bookFilter, accountId: a }),
              ),
            );
      return { byAccount: byAccount.filter(pick), byStrategy: inScope("strategy"), firm: inScope("firm")[0] ?? emptyRollup() };
    });
    return { method: filter.method ?? "account", rows, ...rollups, asOf: new Date(now).toISOString(), seq: this.lastSeq };
  }

  /** The fills behind one position, oldest first, busted ones included and flagged. */
  fills(key: PositionKey): PositionFill[] {
    return (this.fillsByKey.get(keyOf(key)) ?? []).map(({ key: _k, ...f }) => ({ ...f, fees: f.fees.map((x) => ({ ...x })) }));
  }

  pnlSeries(accountId: string | null): PnlSeries {
    return { accountId, intervalMs: this.config.pnlSampleMs, points: [...(this.series.get(accountId ?? "") ?? [])] };
  }

  /** The position's row; `method` undefined = its account's method. */
  row(key: PositionKey, method: PnlMethod | undefined, now: number): PositionRow | undefined {
    const account = key.accountId;
    const shown = method ?? this.book.methodOf(account);
    const v = this.views(key, now);
    if (!v) return undefined;
    return toRow(shown === "fifo" ? v.fifo : v.avgCost, v.avgCost, v.fifo, shown);
  }

  /** Keys changed since the last call (fills, marks), for the Postgres projection; `all` for a rewrite. */
  takeProjectionKeys(all = false): PositionKey[] {
    const ids = all ? this.book.keyList().map(keyOf) : [...this.projectionDirty];
    this.projectionDirty.clear();
    return ids.map(parseKey);
  }

  /** The journal sequence number of the last fill, bust or correction of a key. */
  updatedSeq(key: PositionKey): number {
    return this.seqOf.get(keyOf(key)) ?? 0;
  }

  /** The position under both methods, without its lots (rows and the position table do not show them). */
  views(key: PositionKey, now: number): { avgCost: PositionView; fifo: PositionView } | undefined {
    const avgCost = this.withMethod([key.accountId], "avgCost", () => this.book.position(key, now, { lots: false }));
    const fifo = this.withMethod([key.accountId], "fifo", () => this.book.position(key, now, { lots: false }));
    return avgCost && fifo ? { avgCost, fifo } : undefined;
  }

  private allAccounts(): string[] {
    return [...new Set(this.book.keyList().map((k) => k.accountId))];
  }

  /** Runs `fn` with these accounts shown in `method` (synchronously), then puts their methods back. */
  private withMethod<T>(accounts: readonly string[], method: PnlMethod | undefined, fn: () => T): T {
    if (method === undefined) return fn();
    const before = accounts.map((a) => [a, this.book.methodOf(a)] as const);
    for (const a of accounts) this.book.setAccountMethod(a, method);
    try {
      return fn();
    } finally {
      for (const [a, m] of before) this.book.setAccountMethod(a, m);
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(k: PositionKey, f: PositionsFilter): boolean {
  if (f.accountIds && !f.accountIds.includes(k.accountId)) return false;
  if (f.strategy !== undefined && k.strategy !== f.strategy) return false;
  return true;
}

function toRow(v: PositionView, va: PositionView, vf: PositionView, method: PnlMethod): PositionRow {
  const exposure = v.exposure;
  return {
    accountId: v.key.accountId,
    strategy: v.key.strategy,
    symbol: v.key.symbol,
    currency: v.quoteCurrency,
    qty: v.qty,
    avgPx: v.avgPx,
    mark: v.mark ? { px: v.mark.px, source: v.mark.source, ts: v.mark.ts, stale: v.mark.stale } : null,
    unrealized: v.unrealized,
    realized: v.realized,
    fees: v.fees[v.quoteCurrency] ?? "0",
    feesByCurrency: { ...v.fees },
    net: v.net,
    grossExposure: exposure ? money.add(exposure.long, exposure.short) : null,
    notional: exposure ? exposure.notional : null,
    realizedUsd: v.usd.realized,
    unrealizedUsd: v.usd.unrealized,
    netUsd: v.usd.net,
    method,
    realizedBy: { ...va.realizedBy },
    unrealizedBy: { ...va.unrealizedBy },
    realizedUsdBy: { ...va.usd.realizedBy },
    unrealizedUsdBy: { avgCost: va.usd.unrealized, fifo: vf.usd.unrealized },
    feesUsd: v.usd.fees,
    dailyUsd: v.usd.daily,
    fxMissing: [...v.usd.fxMissing],
    fxStale: v.usd.fxStale,
    fillCount: v.fillCount,
    lastFillTs: v.lastFillTs,
  };
}

function emptyRollup(): SharedRollup {
  return {
    group: {},
    currency: "USD",
    positions: 0,
    realized: "0",
    unrealized: "0",
    fees: "0",
    gross: "0",
    net: "0",
    daily: "0",
    exposure: { long: "0", short: "0", net: "0", gross: "0" },
    incomplete: false,
    missingMarks: [],
    staleMarks: [],
    fxMissing: [],
    fxStale: false,
  };
}

/** Sums roll-ups (per account or account × strategy) into per-strategy or one firm-wide roll-up. */
function mergeRollups(groupBy: "strategy" | "firm", parts: SharedRollup[]): SharedRollup[] {
  const out = new Map<string, SharedRollup>();
  for (const p of parts) {
    const group = groupBy === "firm" ? {} : { strategy: p.group.strategy ?? null };
    const id = JSON.stringify(group);
    const a = out.get(id) ?? { ...emptyRollup(), group };
    const add = money.add;
    out.set(id, {
      group,
      currency: p.currency,
      positions: a.positions + p.positions,
      realized: add(a.realized, p.realized),
      unrealized: add(a.unrealized, p.unrealized),
      fees: add(a.fees, p.fees),
      gross: add(a.gross, p.gross),
      net: add(a.net, p.net),
      daily: add(a.daily, p.daily),
      exposure: {
        long: add(a.exposure.long, p.exposure.long),
        short: add(a.exposure.short, p.exposure.short),
        net: add(a.exposure.net, p.exposure.net),
        gross: add(a.exposure.gross, p.exposure.gross),
      },
      incomplete: a.incomplete || p.incomplete,
      missingMarks: [...new Set([...a.missingMarks, ...p.missingMarks])],
      staleMarks: [...new Set([...a.staleMarks, ...p.staleMarks])],
      fxMissing: [...new Set([...a.fxMissing, ...p.fxMissing])],
      fxStale: a.fxStale || p.fxStale,
    });
  }
  if (groupBy === "firm" && out.size === 0) out.set("{}", emptyRollup());
  return [...out.values()];
}
