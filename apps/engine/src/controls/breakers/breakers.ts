import {
  type AnyEvent,
  type Clock,
  formatScope,
  type KillSwitchAction,
  type Order,
  parseScope,
  type ScopeParts,
  type TripInput,
} from "@fillmore/shared";
import type { EventDraft } from "../../journal/journal";
import type { Logger } from "../../log";
import type { Quote } from "../../marketdata/quotes";
import { CommandError } from "../../orders/errors";
import {
  type BreakerState,
  crossedMarket,
  dailyLoss,
  fault,
  initialState,
  nextPeak,
  orderRejectionRate,
  portfolioDrawdown,
  positionSize,
  priceGap,
  type Reading,
  safely,
  staleQuote,
  step,
  volatilitySpike,
} from "./conditions";
import { BREAKER_TIMER_MS, type BreakerConfig, breakerConfigSchema, breakerName, isMarketCondition } from "./config";

/** Where the P&L conditions read from (LivePositions in the engine; anything in tests). May throw. */
export interface BreakerPnl {
  /** Today's P&L in USD (realized + Δunrealized − fees since the session roll) of the keys in scope. */
  dailyPnlUsd(scope: ScopeParts, now: number): number;
  /** Open positions in scope, one per account × symbol (strategy scopes: account × strategy × symbol). */
  positions(scope: ScopeParts, now: number): { id: string; qty: number }[];
  /** The session (trading day) a time belongs to: the drawdown peak restarts with each. */
  sessionOf(now: number): number;
}

export interface BreakerDeps {
  journal: { append(draft: EventDraft): unknown; durable?(): Promise<unknown> };
  clock: Clock;
  log: Logger;
  pnl: BreakerPnl;
  /** Every symbol's latest quote (for staleness on the timer). */
  quotes: () => readonly Quote[];
  timerMs?: number;
}

/** The kill switch's trip, as a breaker calls it (KillSwitch.trip). */
export type Tripper = (input: TripInput, actor: string) => Promise<unknown>;

export interface BreakerTrip {
  ts: string;
  breaker: string;
  condition: string;
  symbol: string | null;
  value: number | null;
  threshold: number;
  detail: string;
  readings: number;
  scope: string;
  actions: KillSwitchAction[];
  /** The kill switch's answer: "tripped", or why it failed. */
  result: string;
}

export interface BreakerView {
  name: string;
  config: BreakerConfig;
  setBy: string | null;
  setAt: string | null;
  /** Per symbol for market conditions ("" for the scope as a whole otherwise). */
  states: { key: string; status: BreakerState["status"]; consecutive: number; reading: Reading | null }[];
  /** The worst state across keys: tripped > breached > armed. */
  status: BreakerState["status"] | "disabled";
  faults: number;
  lastFault: string | null;
  lastTrip: BreakerTrip | null;
}

interface Entry {
  name: string;
  config: BreakerConfig;
  setBy: string | null;
  setAt: string | null;
  states: Map<string, BreakerState>;
  faults: number;
  lastFault: string | null;
  lastFaultAlertMs: number;
  lastTrip: BreakerTrip | null;
  /** portfolioDrawdown: the day's peak equity and the session it belongs to. */
  peak: { session: number; equity: number | null };
  /** orderRejectionRate: latest outcomes, true = rejected. */
  outcomes: boolean[];
  /** volatilitySpike: mids per symbol. */
  prices: Map<string, number[]>;
}

const FILL_TYPES = new Set(["OrderFilled", "OrderPartiallyFilled", "OrderTradeBusted", "OrderTradeCorrected"]);
const FAULT_ALERT_EVERY_MS = 60_000;
const fmt = (v: number | null) => (v === null ? "n/a" : Number.isFinite(v) ? String(v) : v > 0 ? "∞" : "-∞");

/**
 * The circuit breakers: configs per scope (set by risk, journaled, restored by replay), evaluated
 * continuously: P&L and position conditions on every fill (coalesced into one evaluation per tick) and
 * on the timer when marks moved; order-rejection rate on order outcomes; market conditions on each
 * quote (crossed, gap, volatility) and on the timer (staleness). A confirmed breach calls the kill
 * switch at once (`breaker:<name>` as actor), journals BreakerTripped with the values that fired it
 * and raises a BREAKER_TRIPPED alert. An exception while reading P&L or evaluating a condition is
 * caught, counted and alerted (BREAKER_FAULT, at most once a minute per breaker); it neither trips
 * nor stops the breaker. Pure logic lives in conditions.ts; this class holds state and timers.
 */
export class Breakers {
  private readonly entries = new Map<string, Entry>();
  private readonly lastMid = new Map<string, number>();
  private trip: Tripper | null = null;
  private timer: NodeJS.Timeout | undefined;
  private pnlScheduled = false;
  private marksMoved = false;
  private running = false;

  constructor(private readonly deps: BreakerDeps) {}

  // ------------------------------------------------------------------ configuration

  /** Validates and sets a breaker's config (journaled BreakerConfigChanged); its states start over (armed). */
  async set(name: string, input: unknown, actor: string): Promise<BreakerView> {
    const okName = breakerName.safeParse(name);
    if (!okName.success) throw new CommandError("INVALID_INPUT", okName.error.issues[0]?.message ?? "bad name");
    const parsed = breakerConfigSchema.safeParse(input);
    if (!parsed.success)
      throw new CommandError(
        "INVALID_INPUT",
        parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "),
        parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      );
    const config = { ...parsed.data, scope: formatScope(parseScope(parsed.data.scope) ?? {}) };
    const old = this.entries.get(name)?.config ?? null;
    this.deps.journal.append({
      type: "BreakerConfigChanged",
      orderId: null,
      accountId: parseScope(config.scope)?.account ?? null,
      actor,
      data: { name, old: old as Record<string, unknown> | null, new: config as Record<string, unknown> },
    });
    this.apply(name, config, actor, this.deps.clock.nowIso());
    await this.deps.journal.durable?.();
    return this.view(this.entries.get(name) as Entry);
  }

  private apply(name: string, config: BreakerConfig, setBy: string | null, setAt: string | null): void {
    const previous = this.entries.get(name);
    this.entries.set(name, {
      name,
      config,
      setBy,
      setAt,
      states: new Map(),
      faults: previous?.faults ?? 0,
      lastFault: previous?.lastFault ?? null,
      lastFaultAlertMs: 0,
      lastTrip: previous?.lastTrip ?? null,
      peak: { session: -1, equity: null },
      outcomes: [],
      prices: new Map(),
    });
  }

  /** Rebuilds configs and last trips from journaled events (wired to the order book's replay). */
  replay(event: AnyEvent): void {
    if (event.type === "BreakerConfigChanged") {
      const parsed = breakerConfigSchema.safeParse(event.data.new);
      if (parsed.success) this.apply(event.data.name, parsed.data, event.actor, event.ts);
      else this.deps.log.error({ name: event.data.name }, "journaled breaker config no longer validates; left out");
    } else if (event.type === "BreakerTripped") {
      const entry = this.entries.get(event.data.breaker);
      if (!entry) return;
      const { breaker, condition, symbol, value, threshold, detail, readings, scope, actions } = event.data;
      entry.lastTrip = { ts: event.ts, breaker, condition, symbol, value, threshold, detail, readings, scope, actions, result: "tripped" };
      // Still tripped after a restart: it re-arms only once the value clears, so a restart does not trip it again.
      entry.states.set(symbol ?? "", {
        ...initialState(),
        status: "tripped",
        consecutive: readings,
        last: { breached: true, value, threshold, detail },
      });
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /** Live from here: the kill switch to call, and the timer. Before this, nothing is evaluated (replay). */
  start(trip: Tripper): void {
    this.trip = trip;
    this.running = true;
    this.timer = setInterval(() => this.onTimer(), this.deps.timerMs ?? BREAKER_TIMER_MS);
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ------------------------------------------------------------------ inputs

  /** An order event recorded live (not replayed): fills re-evaluate P&L; outcomes feed the rejection rate. */
  onOrderEvent(event: AnyEvent, order: Order | undefined): void {
    if (!this.running || !order) return;
    if (FILL_TYPES.has(event.type)) this.schedulePnl();
    const outcome =
      event.type === "OrderAccepted"
        ? false
        : event.type === "OrderRejected" && event.data.source !== "RISK" // risk's refusals (a halt among them) are not the market's
          ? true
          : null;
    if (outcome === null) return;
    for (const e of this.entries.values()) {
      if (!e.config.enabled || e.config.condition !== "orderRejectionRate" || !covers(e.config.scope, order)) continue;
      e.outcomes.push(outcome);
      if (e.outcomes.length > e.config.window) e.outcomes.splice(0, e.outcomes.length - e.config.window);
      this.evaluate(e, "", () => orderRejectionRate({ outcomes: e.outcomes }, { minOrders: e.config.minOrders }, e.config.threshold));
    }
  }

  /** A quote: crossed/locked, gaps and volatility per symbol at once; marks moved, so P&L on the timer. */
  onQuote(quote: Quote): void {
    if (!this.running) return;
    this.marksMoved = true;
    const bid = Number(quote.bid);
    const ask = Number(quote.ask);
    const mid = (bid + ask) / 2;
    const previous = this.lastMid.get(quote.symbol) ?? null;
    for (const e of this.entries.values()) {
      const c = e.config;
      if (!c.enabled || !isMarketCondition(c.condition) || !coversSymbol(c.scope, quote.symbol)) continue;
      if (c.condition === "crossedMarket") this.evaluate(e, quote.symbol, () => crossedMarket({ symbol: quote.symbol, bid, ask }));
      else if (c.condition === "priceGap")
        this.evaluate(e, quote.symbol, () => priceGap({ symbol: quote.symbol, previous, current: mid }, c.threshold));
      else if (c.condition === "volatilitySpike") {
        const prices = e.prices.get(quote.symbol) ?? [];
        prices.push(mid);
        if (prices.length > c.longWindow + 1) prices.splice(0, prices.length - c.longWindow - 1);
        e.prices.set(quote.symbol, prices);
        this.evaluate(e, quote.symbol, () =>
          volatilitySpike({ prices }, { shortWindow: c.shortWindow, longWindow: c.longWindow }, c.threshold),
        );
      }
    }
    this.lastMid.set(quote.symbol, mid);
  }

  private schedulePnl(): void {
    if (this.pnlScheduled) return;
    this.pnlScheduled = true;
    queueMicrotask(() => {
      this.pnlScheduled = false;
      this.evaluatePnl();
    });
  }

  private onTimer(): void {
    if (this.marksMoved) {
      this.marksMoved = false;
      this.evaluatePnl();
    }
    this.evaluateStaleness();
  }

  /** Every enabled P&L and position breaker, once (also callable directly, e.g. by tests). */
  evaluatePnl(): void {
    const now = this.deps.clock.nowMs();
    for (const e of this.entries.values()) {
      const c = e.config;
      if (!c.enabled) continue;
      const parts = parseScope(c.scope) ?? {};
      if (c.condition === "dailyLoss")
        this.evaluate(e, "", () => dailyLoss({ dailyPnlUsd: this.deps.pnl.dailyPnlUsd(parts, now) }, c.threshold));
      else if (c.condition === "positionSize")
        this.evaluate(e, "", () => positionSize({ positions: this.deps.pnl.positions(parts, now) }, c.threshold));
      else if (c.condition === "portfolioDrawdown")
        this.evaluate(e, "", () => {
          const session = this.deps.pnl.sessionOf(now);
          if (session !== e.peak.session) e.peak = { session, equity: null };
          const equity = (c.capitalUsd ?? 0) + this.deps.pnl.dailyPnlUsd(parts, now);
          if (!Number.isFinite(equity)) throw new Error(`equity is not a number (${equity})`);
          e.peak.equity = nextPeak(e.peak.equity, equity);
          return portfolioDrawdown({ peakEquity: e.peak.equity, equity }, c.threshold);
        });
    }
  }

  /** Every enabled staleQuote breaker, per symbol in scope. */
  evaluateStaleness(): void {
    const now = this.deps.clock.nowMs();
    let quotes: readonly Quote[] | null = null;
    for (const e of this.entries.values()) {
      if (!e.config.enabled || e.config.condition !== "staleQuote") continue;
      quotes ??= this.deps.quotes();
      const only = parseScope(e.config.scope)?.symbol;
      const symbols = only === undefined ? quotes.map((q) => q.symbol) : [only];
      for (const symbol of symbols) {
        const q = quotes.find((x) => x.symbol === symbol);
        this.evaluate(e, symbol, () => staleQuote({ symbol, quoteTs: q ? q.ts : null, now }, e.config.threshold));
      }
    }
  }

  // ------------------------------------------------------------------ the step, the trip, the fault

  private evaluate(e: Entry, key: string, read: () => Reading): void {
    const state = e.states.get(key) ?? initialState();
    const result = safely(read);
    if ("error" in result) {
      const next = fault(state, result.error);
      e.states.set(key, next);
      e.faults += 1;
      e.lastFault = next.lastFault;
      this.alertFault(e, key, next.lastFault ?? "unknown error");
      return;
    }
    const out = step(state, result.reading, { confirmations: e.config.confirmations, hysteresis: e.config.hysteresis });
    e.states.set(key, out.state);
    if (out.cleared) this.deps.log.info({ breaker: e.name, key, value: result.reading.value }, "breaker cleared and re-armed");
    if (out.trip) this.fire(e, key, result.reading, out.state.consecutive);
  }

  private fire(e: Entry, key: string, reading: Reading, readings: number): void {
    const c = e.config;
    const symbol = isMarketCondition(c.condition) ? key : null;
    const scope = symbol !== null && c.scope === "global" ? `symbol:${symbol}` : c.scope;
    const op = c.condition === "crossedMarket" ? "≥" : ">";
    const reason = `${c.condition} breached: value ${fmt(reading.value)} ${op} threshold ${reading.threshold} (${reading.detail})`.slice(
      0,
      500,
    );
    const actor = `breaker:${e.name}`;
    const ts = this.deps.clock.nowIso();
    const trip: BreakerTrip = {
      ts,
      breaker: e.name,
      condition: c.condition,
      symbol,
      value: reading.value !== null && Number.isFinite(reading.value) ? reading.value : null,
      threshold: reading.threshold,
      detail: reading.detail,
      readings,
      scope,
      actions: c.actions,
      result: "tripped",
    };
    e.lastTrip = trip;
    const accountId = parseScope(scope)?.account ?? null;
    this.deps.journal.append({
      type: "BreakerTripped",
      orderId: null,
      accountId,
      actor,
      data: {
        breaker: e.name,
        condition: c.condition,
        symbol,
        value: trip.value,
        threshold: trip.threshold,
        detail: reading.detail,
        readings,
        scope,
        actions: c.actions,
      },
    });
    this.deps.journal.append({
      type: "AlertRaised",
      orderId: null,
      accountId,
      actor,
      data: { code: "BREAKER_TRIPPED", message: `breaker ${e.name} tripped ${scope} (${c.actions.join(", ")}): ${reason}` },
    });
    this.deps.log.warn({ breaker: e.name, scope, value: reading.value, threshold: reading.threshold }, reason);
    if (!this.trip) {
      trip.result = "failed: the kill switch is not attached";
      return;
    }
    // The halt is in force when trip() returns its promise (it is set before the kill switch's first await).
    this.trip({ scope, actions: c.actions, reason, allowReducing: c.allowReducing }, actor).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      trip.result = `failed: ${message}`;
      this.alertFault(e, key, `the kill switch refused the trip: ${message}`, true);
    });
  }

  private alertFault(e: Entry, key: string, message: string, always = false): void {
    const now = this.deps.clock.nowMs();
    this.deps.log.error({ breaker: e.name, key, faults: e.faults }, `breaker evaluation failed: ${message}`);
    if (!always && now - e.lastFaultAlertMs < FAULT_ALERT_EVERY_MS) return;
    e.lastFaultAlertMs = now;
    this.deps.journal.append({
      type: "AlertRaised",
      orderId: null,
      accountId: parseScope(e.config.scope)?.account ?? null,
      actor: `breaker:${e.name}`,
      data: {
        code: "BREAKER_FAULT",
        message: `breaker ${e.name} (${e.config.condition}${key ? ` ${key}` : ""}) could not evaluate: ${message}; ${e.faults} fault(s) so far; it keeps evaluating`,
      },
    });
  }

  // ------------------------------------------------------------------ outputs

  list(): BreakerView[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => this.view(e));
  }

  get(name: string): BreakerView | undefined {
    const e = this.entries.get(name);
    return e ? this.view(e) : undefined;
  }

  private view(e: Entry): BreakerView {
    const states = [...e.states].map(([key, s]) => ({ key, status: s.status, consecutive: s.consecutive, reading: s.last }));
    const rank = { armed: 0, breached: 1, tripped: 2 } as const;
    const worst = states.reduce<BreakerState["status"]>((w, s) => (rank[s.status] > rank[w] ? s.status : w), "armed");
    return {
      name: e.name,
      config: e.config,
      setBy: e.setBy,
      setAt: e.setAt,
      states: states.sort((a, b) => rank[b.status] - rank[a.status] || a.key.localeCompare(b.key)).slice(0, 200),
      status: e.config.enabled ? worst : "disabled",
      faults: e.faults,
      lastFault: e.lastFault,
      lastTrip: e.lastTrip,
    };
  }
}

function covers(scope: string, order: Order): boolean {
  const parts = parseScope(scope) ?? {};
  return (
    (parts.account === undefined || parts.account === order.accountId) &&
    (parts.strategy === undefined || parts.strategy === (order.strategy ?? undefined))
  );
}

function coversSymbol(scope: string, symbol: string): boolean {
  const only = parseScope(scope)?.symbol;
  return only === undefined || only === symbol;
}
