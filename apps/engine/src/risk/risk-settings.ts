import {
  type AnyEvent,
  DEFAULT_RISK_LIMITS,
  type RiskLimits,
  type SetRiskLimits,
  type SetTradingState,
  type TradingState,
} from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import { type RiskReference, validateRiskLimits, validateTradingState } from "./settings-validation";

const SEVERITY: Record<TradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/**
 * Risk limits per scope and trading states per scope, rebuilt from the journal: every change is a
 * journaled event naming who made it and the old and new values. A change is validated against the
 * reference data (known accounts and instruments) before anything is journaled; a refused change
 * throws a RiskSettingsError and changes nothing. Replay does not validate: the journal is history.
 */
export class RiskSettings {
  private readonly limits = new Map<string, Partial<RiskLimits>>();
  private readonly states = new Map<string, TradingState>();

  constructor(
    private readonly journal: Journal,
    private reference?: RiskReference,
  ) {}

  /** The accounts and instruments settings are checked against (the order risk passes its own if none was given). */
  useReference(reference: RiskReference): void {
    this.reference ??= reference;
  }

  replay(event: AnyEvent): void {
    if (event.type === "RiskLimitsChanged") this.limits.set(event.data.scope, { ...this.limits.get(event.data.scope), ...event.data.new });
    if (event.type === "TradingStateChanged") this.states.set(event.data.scope, event.data.new);
  }

  /** The default limits overlaid with the account's own. */
  effectiveLimits(accountId: string): RiskLimits {
    return { ...DEFAULT_RISK_LIMITS, ...this.limits.get("default"), ...this.limits.get(`account:${accountId}`) };
  }

  /** The most restrictive of the global, account and symbol states. */
  tradingState(accountId: string, symbol: string): TradingState {
    let worst: TradingState = "ACTIVE";
    for (const scope of ["global", `account:${accountId}`, `symbol:${symbol}`]) {
      const state = this.states.get(scope) ?? "ACTIVE";
      if (SEVERITY[state] > SEVERITY[worst]) worst = state;
    }
    return worst;
  }

  snapshot() {
    return {
      defaults: DEFAULT_RISK_LIMITS,
      limits: Object.fromEntries(this.limits),
      tradingStates: Object.fromEntries(this.states),
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
    const input = validateTradingState(unchecked, this.reference);
    const old = this.states.get(input.scope) ?? "ACTIVE";
    const { event } = this.journal.append({
      type: "TradingStateChanged",
      orderId: null,
      accountId: input.scope.startsWith("account:") ? input.scope.slice(8) : null,
      actor,
      data: { scope: input.scope, old, new: input.state, reason: input.reason },
    });
    this.replay(event);
    await this.journal.durable(event.seq);
    return event;
  }
}
