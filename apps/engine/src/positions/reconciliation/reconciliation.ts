import { type AnyEvent, type BreakFoundData, type Clock, type Decimal, formatScope, isTerminal, money, type Order } from "@fillmore/shared";
import type { Journal, JournalEntry } from "../../journal/journal";
import type { Logger } from "../../log";
import { CommandError } from "../../orders/errors";
import type { OrderManager } from "../../orders/order-manager";
import type { RiskSettings } from "../../risk/risk-settings";
import type { BrokerAdapter, VenueOrderStatus, VenuePosition } from "../../venues/adapter";
import { SimVenue } from "../../venues/sim/sim-venue";
import type { Positions } from "../positions";
import { type BreakDraft, breakKey, matchPositions } from "./match";
import { OurVenueBooks } from "./our-books";
import { parseStatement, type Statement } from "./statement";

export interface ReconciliationOptions {
  /** Scheduled runs; 0: only at start and on demand. */
  intervalMs: number;
  /** A break found at start puts its account/symbol in REDUCING until it is resolved. */
  restrictOnStart: boolean;
  /** How long one source may take to answer. */
  sourceTimeoutMs: number;
}

export interface Break extends BreakFoundData {
  accountId: string | null;
  foundAt: string;
  foundBy: string;
  status: "open" | "adopted" | "investigated" | "settled" | "cleared" | "superseded";
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
}

export interface SourceStatus {
  source: string;
  state: "ok" | "failed" | "unsupported";
  detail: string | null;
  checkedAt: string | null;
  positions: number;
}

export interface RunResult {
  startedAt: string;
  found: string[];
  cleared: string[];
  sources: SourceStatus[];
}

const UNKNOWN_FATE = new Set(["VENUE_LOST_ORDER", "OUTCOME_UNKNOWN"]);
const resolutionOf = { adopt: "adopted", investigated: "investigated" } as const;

/**
 * Reconciliation with the brokers: compares our positions (and open orders) with each source of the
 * broker's truth (venues that answer for positions, imported statements) at start, on a schedule and
 * on demand. Differences are journaled breaks (BreakFound) the risk role resolves: adopting the
 * broker's view (a journaled PositionAdjusted with who and why) or marking them investigated. Orders
 * whose fate is unknown are breaks too, settled through the order manager's settle command.
 * State is rebuilt from the journal: subscribe before replay.
 */
export class Reconciliation {
  private readonly breaks = new Map<string, Break>();
  /** Open break by identity (breakKey). */
  private readonly open = new Map<string, string>();
  /** Adjusting entries per source/account/symbol, so a venue source's view of ours includes them. */
  private readonly adjusted = new Map<string, Decimal>();
  /** Orders an alert said have an unknown fate (VENUE_LOST_ORDER, OUTCOME_UNKNOWN), with the alert. */
  private readonly unknownFate = new Map<string, { code: string; message: string }>();
  private readonly statements = new Map<string, Statement>();
  private readonly sourceStatus = new Map<string, SourceStatus>();
  private lastRun: RunResult | null = null;
  private counter = 0;
  private running: Promise<RunResult> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private restartSeeded = false;
  /** What we booked at each venue, as a venue source is compared with (our-books.ts). */
  private readonly ours: OurVenueBooks;

  constructor(
    private readonly deps: {
      orders: OrderManager;
      risk: RiskSettings;
      positions: Positions;
      journal: Journal;
      venues: ReadonlyMap<string, BrokerAdapter>;
      clock: Clock;
      log: Logger;
      options: ReconciliationOptions;
    },
  ) {
    this.ours = new OurVenueBooks(deps.orders, this.adjusted);
    deps.orders.book.onApplied((event) => this.apply(event, true));
    deps.journal.onCommit((entries) => this.onCommitted(entries));
  }

  /** First run (a break found here restricts trading when so configured), then the schedule. */
  async start(): Promise<RunResult> {
    await this.seedInProcessSims();
    const result = await this.run("reconciliation", true).catch((error: unknown) => {
      this.deps.log.error({ err: String(error) }, "reconciliation at start failed");
      return null;
    });
    if (this.deps.options.intervalMs > 0) {
      this.timer = setInterval(() => {
        void this.run("reconciliation", false).catch((error: unknown) =>
          this.deps.log.error({ err: String(error) }, "scheduled reconciliation failed"),
        );
      }, this.deps.options.intervalMs);
      this.timer.unref();
    }
    return result ?? { startedAt: this.deps.clock.nowIso(), found: [], cleared: [], sources: [] };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  list(filter: { status?: "open" | "all"; accountIds?: readonly string[] } = {}) {
    const breaks = [...this.breaks.values()]
      .filter((b) => filter.status !== "open" || b.status === "open")
      .filter((b) => !filter.accountIds || (b.accountId !== null && filter.accountIds.includes(b.accountId)))
      .sort((a, b) => (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) || b.foundAt.localeCompare(a.foundAt));
    return {
      breaks,
      sources: this.sources(),
      lastRun: this.lastRun,
      unknownFate: this.deps.orders
        .working()
        .filter((o) => this.unknownFate.has(o.orderId))
        .filter((o) => !filter.accountIds || filter.accountIds.includes(o.accountId))
        .map((o) => ({ order: o, ...(this.unknownFate.get(o.orderId) ?? { code: "", message: "" }) })),
    };
  }

  get(breakId: string): Break | undefined {
    return this.breaks.get(breakId);
  }

  /** On demand: one run at a time; a call during a run waits for it. */
  run(actor = "reconciliation", atStart = false): Promise<RunResult> {
    this.running ??= this.runOnce(actor, atStart).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A broker statement: kept under its name (a new one replaces it), then compared at once. */
  async importStatement(input: unknown, actor: string): Promise<{ source: string; rows: Statement["rows"]; result: RunResult }> {
    const statement = parseStatement(input);
    this.statements.set(statement.source, statement);
    this.deps.log.info({ source: statement.source, rows: statement.rows, actor }, "broker statement imported");
    const result = await this.run(actor);
    return { source: statement.source, rows: statement.rows, result };
  }

  /** The risk role's decision on a break: adopt the broker's view, or mark it investigated with a note. */
  async resolve(breakId: string, action: "adopt" | "investigated", note: string, actor: string): Promise<Break> {
    const b = this.breaks.get(breakId);
    if (!b) throw new CommandError("NOT_FOUND", `no break ${breakId}`);
    if (b.status !== "open") throw new CommandError("NOT_SUPPORTED", `${breakId} is already ${b.status}`);
    const why = note.trim();
    if (!why) throw new CommandError("INVALID_INPUT", "a note saying why is required");
    if (action === "adopt") {
      if (b.kind === "order") {
        await this.settle(b.orderId ?? "", "venue", why, actor);
        return this.breaks.get(breakId) ?? b;
      }
      if (b.kind === "fee")
        throw new CommandError(
          "NOT_SUPPORTED",
          "fees are not re-booked by reconciliation: take it up with the broker and mark the break investigated",
        );
      if (b.accountId === null || b.symbol === null || b.theirs === null)
        throw new CommandError(
          "NOT_SUPPORTED",
          `${b.source} keeps one book for every account: there is no account to adjust; mark it investigated`,
        );
      const atSource = this.oursAtSource(b.source, b.accountId, b.symbol);
      const delta = money.sub(b.theirs, atSource);
      const total = this.deps.positions.position(b.accountId, b.symbol).qty;
      this.append({
        type: "PositionAdjusted",
        orderId: null,
        accountId: b.accountId,
        actor,
        data: { breakId, symbol: b.symbol, source: b.source, oldQty: total, newQty: money.add(total, delta), delta, reason: why },
      });
    }
    await this.resolveBreak(b, resolutionOf[action], why, actor);
    await this.deps.journal.durable();
    return this.breaks.get(breakId) ?? b;
  }

  /** Settles an order whose fate is unknown: "cancelled" with a reason, or whatever its venue answers now. */
  async settle(orderId: string, outcome: "cancelled" | "venue", reason: string, actor: string): Promise<Order> {
    const order = this.deps.orders.get(orderId);
    if (!order) throw new CommandError("NOT_FOUND", `no order ${orderId}`);
    let status: VenueOrderStatus | undefined;
    if (outcome === "venue") {
      const venue = order.venueId ? this.deps.venues.get(order.venueId) : undefined;
      status = venue?.isHealthy()
        ? await this.timed(venue.getOrderStatus(orderId), `${venue.name} status`).catch(() => undefined)
        : undefined;
    }
    const settled = await this.deps.orders.settle({ orderId, outcome, reason }, actor, status);
    const id = this.open.get(`order|${orderId}`);
    const b = id ? this.breaks.get(id) : undefined;
    if (b)
      await this.resolveBreak(
        b,
        "settled",
        `${outcome === "venue" ? "the venue's answer adopted" : "settled as cancelled"}: ${reason} (order now ${settled.ordStatus})`,
        actor,
      );
    await this.deps.journal.durable();
    return settled;
  }

  // ---------------------------------------------------------------------------------------------

  private apply(event: AnyEvent, _replayOrLive: boolean): void {
    if (event.type === "BreakFound") {
      const n = Number(event.data.breakId.replace(/^BRK-/, ""));
      if (Number.isSafeInteger(n)) this.counter = Math.max(this.counter, n);
      const b: Break = {
        ...event.data,
        accountId: event.accountId,
        foundAt: event.ts,
        foundBy: event.actor,
        status: "open",
        resolvedAt: null,
        resolvedBy: null,
        note: null,
      };
      this.breaks.set(b.breakId, b);
      this.open.set(breakKey(b), b.breakId);
    } else if (event.type === "BreakResolved") {
      const b = this.breaks.get(event.data.breakId);
      if (!b) return;
      b.status = event.data.resolution;
      b.resolvedAt = event.ts;
      b.resolvedBy = event.actor;
      b.note = event.data.note;
      if (this.open.get(breakKey(b)) === b.breakId) this.open.delete(breakKey(b));
    } else if (event.type === "PositionAdjusted" && event.accountId !== null) {
      this.deps.positions.adjust(event.accountId, event.data.symbol, event.data.delta);
      const k = `${event.data.source}|${event.accountId}|${event.data.symbol}`;
      this.adjusted.set(k, money.add(this.adjusted.get(k) ?? "0", event.data.delta));
    } else if (event.type === "AlertRaised" && event.orderId !== null && UNKNOWN_FATE.has(event.data.code)) {
      this.unknownFate.set(event.orderId, { code: event.data.code, message: event.data.message });
    }
  }

  /** Alerts are journaled straight (not through the book): learned of once committed; an unknown fate is a break at once. */
  private onCommitted(entries: readonly JournalEntry[]): void {
    for (const { event } of entries) {
      if (event.type !== "AlertRaised" || event.orderId === null || !UNKNOWN_FATE.has(event.data.code)) continue;
      this.apply(event, false);
      const order = this.deps.orders.get(event.orderId);
      if (order && !isTerminal(order.ordStatus) && !this.open.has(`order|${order.orderId}`))
        this.found(this.orderBreak(order, event.data.code, event.data.message), false, "reconciliation").catch((error: unknown) =>
          this.deps.log.error({ err: String(error) }, "recording an order break failed"),
        );
    }
  }

  private append(draft: Parameters<Journal["append"]>[0]): AnyEvent {
    const { event } = this.deps.journal.append(draft);
    this.apply(event, false);
    return event;
  }

  private async runOnce(actor: string, atStart: boolean): Promise<RunResult> {
    const startedAt = this.deps.clock.nowIso();
    const drafts: BreakDraft[] = [];
    const answered = new Set<string>();
    for (const [venueId, venue] of this.deps.venues) {
      const source = `venue:${venueId}`;
      if (venue.positionsUnsupported) {
        this.sourceStatus.set(source, {
          source,
          state: "unsupported",
          detail: venue.positionsUnsupported,
          checkedAt: startedAt,
          positions: 0,
        });
        continue;
      }
      try {
        const theirs = await this.timed(venue.getPositions(), `${venueId} positions`);
        const perAccount = theirs.every((p) => p.accountId !== undefined);
        drafts.push(...matchPositions(source, this.ours.positions(venueId, perAccount), theirs, this.ours.evidence(venueId)));
        answered.add(source);
        this.sourceStatus.set(source, {
          source,
          state: "ok",
          detail: perAccount ? null : "one book for every account",
          checkedAt: startedAt,
          positions: theirs.length,
        });
      } catch (error) {
        this.sourceStatus.set(source, {
          source,
          state: "failed",
          detail: String(error instanceof Error ? error.message : error),
          checkedAt: startedAt,
          positions: 0,
        });
      }
    }
    for (const statement of this.statements.values()) {
      const accounts = new Set(statement.positions.map((p) => p.accountId ?? ""));
      const ours = this.deps.positions
        .all()
        .filter((p) => accounts.has(p.accountId))
        .map((p) => ({ accountId: p.accountId, symbol: p.symbol, qty: p.qty }));
      drafts.push(...matchPositions(statement.source, ours, statement.positions, this.ours.evidence(null)));
      answered.add(statement.source);
      this.sourceStatus.set(statement.source, {
        source: statement.source,
        state: "ok",
        detail: `${statement.rows.positions} positions, ${statement.rows.trades} trades`,
        checkedAt: startedAt,
        positions: statement.positions.length,
      });
    }
    drafts.push(...(await this.orderBreaks()));

    const found: string[] = [];
    const cleared: string[] = [];
    const seen = new Set<string>();
    for (const draft of drafts) {
      const k = breakKey(draft);
      seen.add(k);
      const openId = this.open.get(k);
      const existing = openId ? this.breaks.get(openId) : undefined;
      if (existing && existing.ours === draft.ours && existing.theirs === draft.theirs) continue;
      if (existing)
        await this.resolveBreak(existing, "superseded", `found again with ours ${draft.ours}, theirs ${draft.theirs}`, actor, false);
      found.push(await this.found(draft, atStart, actor));
    }
    // A break from a source that answered this run and no longer differs is cleared, saying so.
    for (const id of [...this.open.values()]) {
      const b = this.breaks.get(id);
      if (!b || seen.has(breakKey(b))) continue;
      const orderGone =
        b.kind === "order" &&
        (() => {
          const o = this.deps.orders.get(b.orderId ?? "");
          return !o || isTerminal(o.ordStatus);
        })();
      if (b.kind === "order" ? orderGone : answered.has(b.source)) {
        await this.resolveBreak(
          b,
          "cleared",
          b.kind === "order" ? "the order is settled" : `${b.source} now agrees with our books`,
          "reconciliation",
        );
        cleared.push(b.breakId);
      }
    }
    await this.deps.journal.durable();
    this.lastRun = { startedAt, found, cleared, sources: this.sources() };
    if (found.length > 0) this.deps.log.warn({ found, cleared }, "reconciliation breaks found");
    return this.lastRun;
  }

  private async found(draft: BreakDraft, atStart: boolean, actor: string): Promise<string> {
    this.counter += 1;
    const breakId = `BRK-${this.counter}`;
    const restricts =
      atStart && this.deps.options.restrictOnStart && draft.symbol !== null ? this.scopeOf(draft.accountId, draft.symbol) : null;
    const { accountId, ...data } = draft;
    this.append({ type: "BreakFound", orderId: draft.orderId, accountId, actor, data: { ...data, breakId, restricts } });
    if (restricts && this.deps.risk.stateOf(restricts) === null) {
      await this.deps.risk
        .setTradingState(
          { scope: restricts, state: "REDUCING", reason: `reconciliation break ${breakId} found at start: ${draft.cause}` },
          "reconciliation",
        )
        .catch((error: unknown) => this.deps.log.error({ err: String(error), scope: restricts }, "could not restrict trading for a break"));
    }
    return breakId;
  }

  private async resolveBreak(
    b: Break,
    resolution: Break["status"] & BreakResolvedResolution,
    note: string,
    actor: string,
    lift = true,
  ): Promise<void> {
    this.append({
      type: "BreakResolved",
      orderId: b.orderId,
      accountId: b.accountId,
      actor,
      data: { breakId: b.breakId, resolution, note },
    });
    if (!lift || !b.restricts) return;
    const stillOpen = [...this.open.values()].some((id) => this.breaks.get(id)?.restricts === b.restricts);
    const entry = this.deps.risk.stateOf(b.restricts);
    if (stillOpen || entry?.state !== "REDUCING" || entry.setBy !== "reconciliation") return;
    await this.deps.risk.setTradingState(
      {
        scope: b.restricts,
        state: "ACTIVE",
        reason: `reconciliation breaks on ${b.restricts} resolved (last: ${b.breakId}, ${resolution})`,
      },
      "reconciliation",
    );
  }

  private scopeOf(accountId: string | null, symbol: string): string {
    return formatScope(accountId === null ? { symbol } : { account: accountId, symbol });
  }

  private orderBreak(order: Order, code: string, message: string): BreakDraft {
    return {
      kind: "order",
      source: `venue:${order.venueId ?? "?"}`,
      accountId: order.accountId,
      symbol: order.symbol,
      orderId: order.orderId,
      ours: order.ordStatus,
      theirs: code === "VENUE_LOST_ORDER" ? "unknown to the venue" : "no answer",
      difference: null,
      cause: code === "VENUE_LOST_ORDER" ? "VENUE_LOST_ORDER" : "OUTCOME_UNKNOWN",
      explanation: `${message}; settle it: adopt the venue's answer, or mark it cancelled with a reason`,
    };
  }

  /** Live orders an alert flagged, and live orders at a healthy venue that does not know them. */
  private async orderBreaks(): Promise<BreakDraft[]> {
    const drafts: BreakDraft[] = [];
    for (const order of this.deps.orders.working()) {
      if (order.venueId === null || ["New", "Validated", "Pending", "Submitted"].includes(order.ordStatus)) continue;
      const flagged = this.unknownFate.get(order.orderId);
      const venue = this.deps.venues.get(order.venueId);
      let lost = false;
      if (venue?.isHealthy() && venue instanceof SimVenue) lost = !(await venue.getOrderStatus(order.orderId)).known;
      if (lost)
        drafts.push(this.orderBreak(order, "VENUE_LOST_ORDER", `${order.venueId} does not know ${order.ordStatus} order ${order.orderId}`));
      else if (flagged) drafts.push(this.orderBreak(order, flagged.code, flagged.message));
    }
    return drafts;
  }

  private oursAtSource(source: string, accountId: string, symbol: string): Decimal {
    if (!source.startsWith("venue:")) return this.deps.positions.position(accountId, symbol).qty;
    return this.ours.positions(source.slice(6), true).find((p) => p.accountId === accountId && p.symbol === symbol)?.qty ?? "0";
  }

  /** The in-process simulator forgets everything at a restart: it starts from the positions we booked with it. */
  private async seedInProcessSims(): Promise<void> {
    if (this.restartSeeded) return;
    this.restartSeeded = true;
    for (const [venueId, venue] of this.deps.venues) {
      if (!(venue instanceof SimVenue)) continue;
      // Trades it made since it started (resent orders filled) it knows already; the rest comes from our books.
      const since = new Map<string, Decimal>();
      for (const p of await venue.getPositions())
        for (const t of p.trades ?? [])
          since.set(
            `${p.accountId}|${p.symbol}`,
            money.add(since.get(`${p.accountId}|${p.symbol}`) ?? "0", t.side === "Buy" ? t.qty : money.neg(t.qty)),
          );
      const ours = this.ours.positions(venueId, true).map((p) => ({
        ...p,
        qty: money.sub(p.qty, since.get(`${p.accountId}|${p.symbol}`) ?? "0"),
      }));
      venue.restorePositions(
        ours.filter((p) => !money.isZero(p.qty)).map((p) => ({ accountId: p.accountId ?? "", symbol: p.symbol, qty: p.qty })),
      );
    }
  }

  private sources(): SourceStatus[] {
    return [...this.sourceStatus.values()].sort((a, b) => a.source.localeCompare(b.source));
  }

  private timed<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what}: no answer in ${this.deps.options.sourceTimeoutMs} ms`)),
        this.deps.options.sourceTimeoutMs,
      );
      timer.unref();
      promise.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

type BreakResolvedResolution = Extract<AnyEvent, { type: "BreakResolved" }>["data"]["resolution"];

/** For tests and the console: our positions as a source would compare them. */
export type { VenuePosition };
