import {
  type AnyEvent,
  type ApproveResetInput,
  approveResetInput,
  type Clock,
  type ControlsHistoryEntry,
  type ControlsPreview,
  type ControlsState,
  formatScope,
  isTerminal,
  type KillSwitchOutcomeData,
  money,
  type Order,
  type PendingReset,
  parseScope,
  type ResetInput,
  resetInput,
  type ScopeParts,
  type SubmitOrder,
  scopeCovers,
  type TradingStateEntry,
  type TripInput,
  tripInput,
} from "@fillmore/shared";
import type { z } from "zod";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import { CommandError, type CommandErrorCode } from "../orders/errors";
import type { CancelAllResult, SubmitResult } from "../orders/order-manager";
import type { RiskSettings } from "../risk/risk-settings";

export type KillSwitchRule =
  | "INVALID_INPUT"
  | "FLATTEN_UNSUPPORTED"
  | "FLATTEN_NEEDS_REDUCING"
  | "NOT_HALTED"
  | "NO_PENDING_RESET"
  | "SECOND_APPROVER_REQUIRED"
  | "UNKNOWN_VENUE";

/** A kill-switch command refused before anything changed; `rule` says which check failed. */
export class KillSwitchError extends CommandError {
  constructor(
    readonly rule: KillSwitchRule,
    message: string,
    code: CommandErrorCode = "INVALID_INPUT",
  ) {
    super(code, message, { rule });
    this.name = "KillSwitchError";
  }
}

/** The order commands the kill switch sends, the same door the API uses (OrderManager). */
export interface ControlsOrders {
  submit(input: SubmitOrder, actor: string): Promise<SubmitResult>;
  cancel(orderId: string, actor: string, reason?: string): Promise<Order>;
  /** Not throttled (the way out); `orderIds` narrows it to those orders. */
  cancelAll(
    filter: { accountId?: string; strategy?: string; symbol?: string; orderIds?: ReadonlySet<string> },
    actor: string,
  ): Promise<CancelAllResult>;
  working(): Order[];
  get(orderId: string): Order | undefined;
}

export interface KillSwitchConfig {
  /** Resetting a global halt needs a second risk user's approval (REQUIRE_SECOND_APPROVAL_FOR_GLOBAL_RESET). */
  requireSecondApprovalForGlobalReset: boolean;
  /** Marketable orders sent per position before closeAllPositions gives up on it (FLATTEN_MAX_ATTEMPTS). */
  flattenMaxAttempts: number;
  /** How long one flatten attempt, or the wait for working orders to end, may take (FLATTEN_ATTEMPT_TIMEOUT_MS). */
  flattenAttemptTimeoutMs: number;
}

export const DEFAULT_KILL_SWITCH_CONFIG: KillSwitchConfig = {
  requireSecondApprovalForGlobalReset: false,
  flattenMaxAttempts: 5,
  flattenAttemptTimeoutMs: 2000,
};

export interface KillSwitchDeps {
  risk: RiskSettings;
  orders: ControlsOrders;
  positions: { all(): { accountId: string; symbol: string; qty: string }[]; position(accountId: string, symbol: string): { qty: string } };
  journal: Pick<Journal, "append" | "durable">;
  clock: Clock;
  log: Logger;
  quote: (symbol: string) => { bid: string; ask: string } | undefined;
  venues: { has(venueId: string): boolean };
  /** Trips, resets and trading state changes from the journal, newest first (absent: none). */
  history?: () => Promise<ControlsHistoryEntry[]>;
  config?: Partial<KillSwitchConfig>;
}

export interface TripResult {
  tripId: string;
  scope: string;
  state: TradingStateEntry | null;
  outcome: KillSwitchOutcomeData;
}

export type ResetResult = { scope: string; pending: true; request: PendingReset } | { scope: string; pending: false; event: AnyEvent };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new KillSwitchError("INVALID_INPUT", result.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
}

/**
 * The kill switch: `trip` puts the scope in HALTED at once (in force in this process before the
 * command returns: the next order in scope is refused by risk), journals who/when/scope/actions,
 * then runs the actions through the order commands under its own actor (`controls:<who>`):
 * cancel every working order in scope, flatten positions in scope with marketable orders (retried
 * until flat or the attempt limit, each attempt journaled), raise a KILL_SWITCH alert. The outcome
 * (orders cancelled, positions flattened, failures) is journaled as KillSwitchOutcome.
 *
 * Pending resets (second approval) are journaled (KillSwitchResetRequested, KillSwitchResetApproved)
 * and restored from the journal's controls history before the first reset, approval or state read
 * after a start, so a restart keeps a request waiting for its second user. A request the history no
 * longer reaches (older than its last 200 entries), or for a scope no longer halted, is dropped: the
 * halt stays and the reset is asked for again. That fails closed.
 */
export class KillSwitch {
  readonly config: KillSwitchConfig;
  private readonly pending = new Map<string, PendingReset>();
  private restoring: Promise<void> | undefined;
  private trips = 0;

  constructor(private readonly deps: KillSwitchDeps) {
    this.config = { ...DEFAULT_KILL_SWITCH_CONFIG, ...deps.config };
  }

  private scopeOf(scope: string): { scope: string; parts: ScopeParts } {
    const parts = parseScope(scope);
    if (!parts) throw new KillSwitchError("INVALID_INPUT", `scope ${scope} is not a trading-state scope`);
    if (parts.venue !== undefined && !this.deps.venues.has(parts.venue))
      throw new KillSwitchError("UNKNOWN_VENUE", `venue ${parts.venue} is not a known venue`);
    return { scope: formatScope(parts), parts };
  }

  async trip(unchecked: TripInput, actor: string): Promise<TripResult> {
    const started = performance.now();
    const input = parsed(tripInput, unchecked);
    const { scope, parts } = this.scopeOf(input.scope);
    const actions = [...new Set(input.actions)];
    const allowReducing = input.allowReducing ?? true;
    if (actions.includes("closeAllPositions")) {
      if (parts.strategy !== undefined || parts.venue !== undefined)
        throw new KillSwitchError(
          "FLATTEN_UNSUPPORTED",
          "closeAllPositions needs an account or symbol scope: positions are kept per account and symbol, not per strategy or venue",
        );
      if (!allowReducing)
        throw new KillSwitchError("FLATTEN_NEEDS_REDUCING", "closeAllPositions sends orders that reduce positions: it needs allowReducing");
    }
    const { journal } = this.deps;
    this.trips += 1;
    const tripId = `KS${this.deps.clock.nowMs().toString(36)}${this.trips}`;
    // 1. The halt, in force from here on (appendTradingState applies it before returning).
    if (actions.includes("haltNewOrders"))
      this.deps.risk.appendTradingState({ scope, state: "HALTED", reason: input.reason, allowReducing }, actor);
    journal.append({
      type: "KillSwitchTripped",
      orderId: null,
      accountId: parts.account ?? null,
      actor,
      data: { tripId, scope, actions, reason: input.reason, allowReducing },
    });
    const notified = actions.includes("notifyRiskTeam");
    if (notified) {
      const message = `${actor} tripped the kill switch for ${scope} (${actions.join(", ")}): ${input.reason}`;
      this.deps.log.warn({ tripId, scope, actor }, message);
      journal.append({
        type: "AlertRaised",
        orderId: null,
        accountId: parts.account ?? null,
        actor,
        data: { code: "KILL_SWITCH", message },
      });
    }
    // No wait for the commit here: the halt is in force in memory, and the journal is one ordered
    // stream, so every cancel below is on record only after the halt and the trip are. As on the
    // order path (docs/PERFORMANCE.md, "Durability overlaps the venue round trip"), the cancels go out
    // while the batch commits, and the answer waits for all of it (the last durable below).

    // 2. The actions, through the same door as any caller, under the kill switch's own actor.
    const who = `controls:${actor}`;
    const cancels = actions.includes("cancelOpenOrders") ? await this.cancelInScope(parts, who) : { cancelled: 0, failures: [] };
    const flatten = actions.includes("closeAllPositions") ? await this.flattenInScope(tripId, parts, who) : { flattened: [], failures: [] };
    const outcome: KillSwitchOutcomeData = {
      tripId,
      scope,
      ordersCancelled: cancels.cancelled,
      cancelFailures: cancels.failures,
      positionsFlattened: flatten.flattened,
      flattenFailures: flatten.failures,
      notified,
      durationMs: Math.round(performance.now() - started),
    };
    journal.append({ type: "KillSwitchOutcome", orderId: null, accountId: parts.account ?? null, actor, data: outcome });
    await journal.durable();
    return { tripId, scope, state: this.deps.risk.stateOf(scope), outcome };
  }

  /** Working orders the scope covers (a venue part matches where the order went, or was directed). */
  private workingInScope(parts: ScopeParts): Order[] {
    return this.deps.orders
      .working()
      .filter((o) => o.parentId === null && scopeCovers(parts, { ...o, venueId: o.venueId ?? o.requestedVenueId }));
  }

  /**
   * Cancels every working order in scope through cancel-all (not throttled: one pass sends every
   * cancel, each journaled, none awaited alone): by account/strategy/symbol, or by the orders' ids
   * for a venue scope; then again, for a while, for orders that could not be cancelled yet (not yet
   * acknowledged). An order whose cancel is on its way (PendingCancel) counts as cancelled.
   */
  private async cancelInScope(
    parts: ScopeParts,
    who: string,
  ): Promise<{ cancelled: number; failures: { orderId: string; reason: string }[] }> {
    const sent = new Set<string>();
    const failures = new Map<string, string>();
    const deadline = performance.now() + this.config.flattenAttemptTimeoutMs;
    for (let round = 0; ; round++) {
      const todo = this.workingInScope(parts).filter((o) => o.ordStatus !== "PendingCancel" && !sent.has(o.orderId));
      if (todo.length === 0) break;
      if (round > 0 && performance.now() > deadline) {
        for (const o of todo) if (!failures.has(o.orderId)) failures.set(o.orderId, `still ${o.ordStatus}`);
        break;
      }
      if (round > 0) await sleep(20);
      const byFilter = parts.venue === undefined && round === 0;
      const filter = byFilter
        ? {
            ...(parts.account === undefined ? {} : { accountId: parts.account }),
            ...(parts.strategy === undefined ? {} : { strategy: parts.strategy }),
            ...(parts.symbol === undefined ? {} : { symbol: parts.symbol }),
          }
        : { orderIds: new Set(todo.map((o) => o.orderId)) };
      const result = await this.deps.orders.cancelAll(filter, who);
      for (const id of result.cancelled) {
        sent.add(id);
        failures.delete(id);
      }
      for (const s of result.skipped) failures.set(s.orderId, s.reason);
    }
    return {
      cancelled: sent.size,
      failures: [...failures].filter(([id]) => !sent.has(id)).map(([orderId, reason]) => ({ orderId, reason })),
    };
  }

  private async settle(accountId: string, symbol: string): Promise<void> {
    const deadline = performance.now() + this.config.flattenAttemptTimeoutMs;
    while (performance.now() < deadline) {
      if (!this.deps.orders.working().some((o) => o.accountId === accountId && o.symbol === symbol && o.parentId === null)) return;
      await sleep(10);
    }
  }

  /**
   * Flattens each position in scope: a marketable (Market, DAY) order for what is left, at most the
   * account's maxOrderQty at a time, retried until flat or the attempt limit; every attempt journaled.
   * Working orders in the same account and symbol are given time to end first (their worst case
   * would otherwise make the flatten look like it does not reduce).
   */
  private async flattenInScope(
    tripId: string,
    parts: ScopeParts,
    who: string,
  ): Promise<{
    flattened: KillSwitchOutcomeData["positionsFlattened"];
    failures: KillSwitchOutcomeData["flattenFailures"];
  }> {
    const targets = this.deps.positions.all().filter((p) => !money.isZero(p.qty) && scopeCovers(parts, p));
    const flattened: KillSwitchOutcomeData["positionsFlattened"] = [];
    const failures: KillSwitchOutcomeData["flattenFailures"] = [];
    await Promise.all(
      targets.map(async (p, index) => {
        let attempts = 0;
        let lastReason = "";
        for (;;) {
          await this.settle(p.accountId, p.symbol);
          const qty = this.deps.positions.position(p.accountId, p.symbol).qty;
          if (money.isZero(qty)) {
            flattened.push({ accountId: p.accountId, symbol: p.symbol, from: p.qty, attempts });
            return;
          }
          if (attempts >= this.config.flattenMaxAttempts) {
            failures.push({ accountId: p.accountId, symbol: p.symbol, remaining: qty, attempts, reason: lastReason || "not flat" });
            return;
          }
          attempts += 1;
          const abs = money.abs(qty);
          const max = this.deps.risk.effectiveLimits(p.accountId).maxOrderQty;
          const orderQty = money.gt(abs, max) ? max : abs;
          let orderId: string | null = null;
          let result: string;
          try {
            const { order } = await this.deps.orders.submit(
              {
                clOrdId: `${tripId}.F${index}.${attempts}`,
                accountId: p.accountId,
                symbol: p.symbol,
                side: money.isPositive(qty) ? "Sell" : "Buy",
                ordType: "Market",
                orderQty,
                timeInForce: "DAY",
              },
              who,
            );
            orderId = order.orderId;
            result = order.ordStatus === "Rejected" ? `${order.ordStatus}: ${order.rejectReason}` : order.ordStatus;
          } catch (error) {
            result = `refused: ${error instanceof Error ? error.message : String(error)}`;
          }
          lastReason = result;
          this.deps.journal.append({
            type: "KillSwitchFlattenAttempt",
            orderId: null,
            accountId: p.accountId,
            actor: who,
            data: { tripId, accountId: p.accountId, symbol: p.symbol, attempt: attempts, qty: orderQty, orderId, result },
          });
          if (orderId !== null) await this.untilDone(orderId);
          else await sleep(50);
        }
      }),
    );
    return { flattened, failures };
  }

  private async untilDone(orderId: string): Promise<void> {
    const deadline = performance.now() + this.config.flattenAttemptTimeoutMs;
    while (performance.now() < deadline) {
      const o = this.deps.orders.get(orderId);
      if (!o || isTerminal(o.ordStatus)) return;
      await sleep(5);
    }
  }

  /**
   * Sets a halted scope ACTIVE again, journaled (KillSwitchReset). A global reset with
   * requireSecondApprovalForGlobalReset becomes a pending request that another user must approve.
   */
  async reset(unchecked: ResetInput, actor: string): Promise<ResetResult> {
    const input = parsed(resetInput, unchecked);
    const { scope } = this.scopeOf(input.scope);
    await this.restorePending();
    if (!this.deps.risk.stateOf(scope)) throw new KillSwitchError("NOT_HALTED", `${scope} is not halted: nothing to reset`, "NOT_FOUND");
    if (scope === "global" && this.config.requireSecondApprovalForGlobalReset) {
      const request: PendingReset = { scope, requestedBy: actor, requestedAt: this.deps.clock.nowIso(), reason: input.reason };
      this.pending.set(scope, request);
      this.deps.journal.append({
        type: "KillSwitchResetRequested",
        orderId: null,
        accountId: null,
        actor,
        data: { scope, reason: input.reason },
      });
      await this.deps.journal.durable();
      return { scope, pending: true, request };
    }
    return { scope, pending: false, event: await this.resetNow(scope, input.reason, actor) };
  }

  /** Approves another user's pending reset; the approver cannot be the one who asked. */
  async approveReset(unchecked: ApproveResetInput, actor: string): Promise<ResetResult> {
    const input = parsed(approveResetInput, unchecked);
    const { scope } = this.scopeOf(input.scope);
    await this.restorePending();
    const request = this.pending.get(scope);
    if (!request) throw new KillSwitchError("NO_PENDING_RESET", `no reset of ${scope} is waiting for approval`, "NOT_FOUND");
    if (request.requestedBy === actor)
      throw new KillSwitchError(
        "SECOND_APPROVER_REQUIRED",
        `${actor} asked for this reset; a second risk user must approve it`,
        "NOT_SUPPORTED",
      );
    this.pending.delete(scope);
    const reason = input.reason ?? request.reason;
    this.deps.journal.append({
      type: "KillSwitchResetApproved",
      orderId: null,
      accountId: null,
      actor,
      data: { scope, requestedBy: request.requestedBy, requestedAt: request.requestedAt, reason },
    });
    return { scope, pending: false, event: await this.resetNow(scope, reason, actor, request.requestedBy) };
  }

  /**
   * Once per process (again after a failed read), before anything reads or changes the pending
   * requests: the ones the journal's controls history still has open, for scopes still halted.
   */
  private restorePending(): Promise<void> {
    this.restoring ??= (async () => {
      const history = (await this.deps.history?.()) ?? [];
      for (const request of openResetRequests(history))
        if (!this.pending.has(request.scope) && this.deps.risk.stateOf(request.scope)) this.pending.set(request.scope, request);
    })().catch((error: unknown) => {
      this.restoring = undefined;
      throw error;
    });
    return this.restoring;
  }

  private async resetNow(scope: string, reason: string, actor: string, requestedBy?: string): Promise<AnyEvent> {
    const parts = parseScope(scope) ?? {};
    const { event } = this.deps.risk.appendTradingState({ scope, state: "ACTIVE", reason }, actor);
    this.deps.journal.append({
      type: "KillSwitchReset",
      orderId: null,
      accountId: parts.account ?? null,
      actor,
      data: { scope, reason, ...(requestedBy ? { requestedBy } : {}) },
    });
    await this.deps.journal.durable();
    return event;
  }

  /** What a trip of this scope would touch, per account: working orders and their notional, positions. */
  preview(scopeText: string): ControlsPreview {
    const { scope, parts } = this.scopeOf(scopeText);
    const flattenUnsupported =
      parts.strategy !== undefined || parts.venue !== undefined
        ? "positions are kept per account and symbol: closeAllPositions needs an account or symbol scope"
        : null;
    const byAccount = new Map<string, ControlsPreview["accounts"][number]>();
    const account = (accountId: string) => {
      let a = byAccount.get(accountId);
      if (!a) {
        a = { accountId, openOrders: 0, openNotional: "0", unpricedOrders: 0, positions: [] };
        byAccount.set(accountId, a);
      }
      return a;
    };
    for (const o of this.workingInScope(parts)) {
      const a = account(o.accountId);
      a.openOrders += 1;
      const q = this.deps.quote(o.symbol);
      const px = o.price ?? o.stopPx ?? (q ? (o.side === "Buy" ? q.ask : q.bid) : undefined);
      if (px === undefined) a.unpricedOrders += 1;
      else a.openNotional = money.add(a.openNotional, money.mul(o.leavesQty, px));
    }
    if (!flattenUnsupported)
      for (const p of this.deps.positions.all())
        if (!money.isZero(p.qty) && scopeCovers(parts, p)) account(p.accountId).positions.push({ symbol: p.symbol, qty: p.qty });
    const accounts = [...byAccount.values()].sort((x, y) => x.accountId.localeCompare(y.accountId));
    return {
      scope,
      accounts,
      totals: {
        openOrders: accounts.reduce((n, a) => n + a.openOrders, 0),
        openNotional: accounts.reduce((n, a) => money.add(n, a.openNotional), "0"),
        positions: accounts.reduce((n, a) => n + a.positions.length, 0),
      },
      flattenUnsupported,
    };
  }

  /** Every halted or reducing scope with who/when/why, pending resets, and the journal's history. */
  async state(): Promise<ControlsState> {
    await this.restorePending();
    return {
      asOf: this.deps.clock.nowIso(),
      states: this.deps.risk.tradingStates(),
      pendingResets: [...this.pending.values()],
      requireSecondApprovalForGlobalReset: this.config.requireSecondApprovalForGlobalReset,
      history: (await this.deps.history?.()) ?? [],
    };
  }
}

/**
 * The reset requests still waiting for approval in a controls history (any order): a
 * KillSwitchResetRequested not followed, for its scope, by a KillSwitchReset or a change to ACTIVE.
 */
export function openResetRequests(history: readonly ControlsHistoryEntry[]): PendingReset[] {
  const open = new Map<string, PendingReset>();
  for (const e of [...history].sort((a, b) => a.seq - b.seq)) {
    if (e.type === "KillSwitchResetRequested")
      open.set(e.scope, { scope: e.scope, requestedBy: e.actor, requestedAt: e.ts, reason: e.reason ?? "" });
    else if (e.type === "KillSwitchReset" || (e.type === "TradingStateChanged" && (e.data as { new?: unknown }).new === "ACTIVE"))
      open.delete(e.scope);
  }
  return [...open.values()];
}
