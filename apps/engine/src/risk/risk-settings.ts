import {
  type AnyEvent,
  DEFAULT_RISK_LIMITS,
  formatScope,
  parseScope,
  type RiskLimits,
  type ScopeParts,
  type ScopeTarget,
  type SetRiskLimits,
  type SetTradingState,
  scopeCovers,
  type TradingState,
  type TradingStateEntry,
} from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import { type RiskReference, validateRiskLimits, validateTradingState } from "./settings-validation";

const SEVERITY: Record<TradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/** How restrictive an entry is: a HALTED that lets reducing orders through is milder than one that does not. */
const restrictiveness = (e: TradingStateEntry) => SEVERITY[e.state] * 2 + (e.state === "HALTED" && !e.allowReducing ? 1 : 0);

/** The trading state that applies to an order, and the scope entry that set it (null when ACTIVE). */
export interface EffectiveTradingState {
  state: TradingState;
  /** The most restrictive covering scope; ties go to the broadest (fewest parts), then the earliest set. */
  blocking: TradingStateEntry | null;
}

/**
 * Risk limits per scope and trading states per scope, rebuilt from the journal: every change is a
 * journaled event naming who made it and the old and new values. A change is validated against the
 * reference data (known accounts and instruments) before anything is journaled; a refused change
 * throws a RiskSettingsError and changes nothing. Replay does not validate: the journal is history.
 */
export class RiskSettings {
  private readonly limits = new Map<string, Partial<RiskLimits>>();
  /** Trading states by canonical scope, with who set each, when and why. */
  private readonly states = new Map<string, TradingStateEntry & { parts: ScopeParts }>();

  constructor(
    private readonly journal: Journal,
    private reference?: RiskReference,
  ) {}

  private knownVenues: { has(venueId: string): boolean } | undefined;

  /** The venues a venue scope is checked against (wiring/controls.ts). */
  useVenues(venues: { has(venueId: string): boolean }): void {
    this.knownVenues = venues;
  }

  /** The accounts and instruments settings are checked against (the order risk passes its own if none was given). */
  useReference(reference: RiskReference): void {
    this.reference ??= reference;
  }

  replay(event: AnyEvent): void {
    if (event.type === "RiskLimitsChanged") this.limits.set(event.data.scope, { ...this.limits.get(event.data.scope), ...event.data.new });
    if (event.type === "TradingStateChanged") {
      const parts = parseScope(event.data.scope) ?? {};
      const scope = formatScope(parts);
      if (event.data.new === "ACTIVE") this.states.delete(scope);
      else
        this.states.set(scope, {
          scope,
          parts,
          state: event.data.new,
          setBy: event.actor,
          setAt: event.ts,
          reason: event.data.reason,
          allowReducing: event.data.allowReducing ?? true,
        });
    }
  }

  /** The default limits overlaid with the account's own. */
  effectiveLimits(accountId: string): RiskLimits {
    return { ...DEFAULT_RISK_LIMITS, ...this.limits.get("default"), ...this.limits.get(`account:${accountId}`) };
  }

  /** The most restrictive of the states of every scope that covers this account and symbol (no strategy, no venue). */
  tradingState(accountId: string, symbol: string): TradingState {
    return this.effectiveState({ accountId, symbol }).state;
  }

  /**
   * The state that applies to an order: the most restrictive of every scope covering it (global,
   * account, strategy, symbol, venue for a directed order, and their combinations), with the entry
   * that sets it, so a refusal can name the scope, who set it, when and why.
   */
  effectiveState(target: ScopeTarget): EffectiveTradingState {
    let worst: (TradingStateEntry & { parts: ScopeParts }) | null = null;
    for (const entry of this.states.values()) {
      if (!scopeCovers(entry.parts, target)) continue;
      if (
        worst === null ||
        restrictiveness(entry) > restrictiveness(worst) ||
        (restrictiveness(entry) === restrictiveness(worst) && entry.scope.split("/").length < worst.scope.split("/").length)
      )
        worst = entry;
    }
    return { state: worst?.state ?? "ACTIVE", blocking: worst ? this.publicEntry(worst) : null };
  }

  /**
   * A HALTED scope naming this venue that covers the order as if it went there: the router leaves
   * such a venue out (order-router.ts). Scopes without a venue part are risk's business, not routing's.
   */
  venueHalt(venueId: string, target: ScopeTarget): TradingStateEntry | null {
    for (const entry of this.states.values()) {
      if (entry.parts.venue === venueId && entry.state === "HALTED" && scopeCovers(entry.parts, { ...target, venueId }))
        return this.publicEntry(entry);
    }
    return null;
  }

  /** The state set on exactly this scope (not what applies through broader ones); null when ACTIVE. */
  stateOf(scope: string): TradingStateEntry | null {
    const parts = parseScope(scope);
    const entry = parts ? this.states.get(formatScope(parts)) : undefined;
    return entry ? this.publicEntry(entry) : null;
  }

  /** Every scope that is not ACTIVE, with who set it, when and why; broadest first. */
  tradingStates(): TradingStateEntry[] {
    return [...this.states.values()]
      .map((e) => this.publicEntry(e))
      .sort((a, b) => a.scope.split("/").length - b.scope.split("/").length || a.scope.localeCompare(b.scope));
  }

  private publicEntry({ parts: _parts, ...entry }: TradingStateEntry & { parts: ScopeParts }): TradingStateEntry {
    return entry;
  }

  snapshot() {
    return {
      defaults: DEFAULT_RISK_LIMITS,
      limits: Object.fromEntries(this.limits),
      tradingStates: Object.fromEntries([...this.states].map(([scope, e]) => [scope, e.state])),
    };
  }

  async setLimits(unchecked: SetRiskLimits, actor: string): Promise<AnyEvent> {
    const input = validateRiskLimits(unchecked, this.reference);
    const old = this.limits.get(input.scope) ?? null;
    const { event } = this.journal.append({
      type: "RiskLimitsChanged",
      orderId: null,
      accountId: input.scope.startsWith("account:") ? input.scope.slice(8) : null,
      actor,
      data: { scope: input.scope, old, new: input.limits },
    });
    this.replay(event);
    await this.journal.durable(event.seq);
    return event;
  }

  async setTradingState(unchecked: SetTradingState, actor: string): Promise<AnyEvent> {
    const { event } = this.appendTradingState(unchecked, actor);
    await this.journal.durable(event.seq);
    return event;
  }

  /**
   * Validates, journals and applies a trading state change at once (in force in this process before
   * it returns), without waiting for the journal to commit: the kill switch's path, where the halt
   * must bite before anything else happens. The caller awaits durability.
   */
  appendTradingState(unchecked: SetTradingState, actor: string): { event: AnyEvent } {
    const reference = this.reference && { ...this.reference, venues: this.reference.venues ?? this.knownVenues };
    const input = validateTradingState(unchecked, reference);
    const parts = parseScope(input.scope) ?? {};
    const scope = formatScope(parts);
    const old = this.states.get(scope)?.state ?? "ACTIVE";
    const { event } = this.journal.append({
      type: "TradingStateChanged",
      orderId: null,
      accountId: parts.account ?? null,
      actor,
      data: {
        scope,
        old,
        new: input.state,
        reason: input.reason,
        // Absent means true (and keeps the event as it was before the flag existed).
        ...(input.state === "HALTED" && input.allowReducing === false ? { allowReducing: false } : {}),
      },
    });
    this.replay(event);
    return { event };
  }
}
