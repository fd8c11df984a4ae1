import { can, PERMISSIONS, type Role } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import type { Principal } from "./auth";
import type { PositionView, ReferenceView, RiskView } from "./engine-client";

/**
 * The one place that decides which trading accounts a principal may see and touch.
 *
 * People (session cookie) and API keys bound to no account reach every account. A key bound to
 * accounts reaches those accounts only, in every procedure and on the live stream:
 * - reads are filtered to its accounts (positions, risk overrides, reference accounts, orders);
 * - naming another account is refused with FORBIDDEN (submit, list, cancel-all, risk scopes);
 * - an order id of another account answers the same NOT_FOUND as an id that does not exist, so a
 *   key cannot learn which ids exist;
 * - changes whose effect reaches beyond its accounts (default limits, global or symbol trading
 *   states, venue outages) are refused;
 * - it may mint API keys only bound to a subset of its own accounts, never with a role that has a
 *   permission it lacks (nobody may: a key never gets more than its creator).
 */
export class AccountScope {
  private constructor(
    readonly principal: Principal,
    /** null: every account. */
    readonly accounts: ReadonlySet<string> | null,
  ) {}

  static of(principal: Principal): AccountScope {
    const bound = principal.kind === "apiKey" && principal.accountIds.length > 0;
    return new AccountScope(principal, bound ? new Set(principal.accountIds) : null);
  }

  get confined(): boolean {
    return this.accounts !== null;
  }

  /** The accounts as a list, or null for every account. */
  get accountIds(): string[] | null {
    return this.accounts ? [...this.accounts] : null;
  }

  allows(accountId: string): boolean {
    return this.accounts === null || this.accounts.has(accountId);
  }

  /** Refuses naming an account outside the scope (FORBIDDEN, naming the account). */
  assertAccount(accountId: string): void {
    if (!this.allows(accountId)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `API key ${this.principal.name} is not permitted on account ${accountId}` });
    }
  }

  /** Refuses an action whose effect reaches every account (or every account trading a symbol). */
  assertUnconfined(what: string): void {
    if (this.confined) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `API key ${this.principal.name} is bound to accounts and may not ${what}`,
      });
    }
  }

  /** An order outside the scope is reported exactly like an order that does not exist. */
  assertOrderVisible(orderId: string, accountId: string): void {
    if (!this.allows(accountId)) throw orderNotFound(orderId);
  }

  /**
   * A risk-limit scope (`default` or `account:<id>`) or trading-state scope (`global`,
   * `account:<id>`, `symbol:<sym>`): a bound key may change its own accounts' scopes only.
   */
  assertRiskScope(scope: string): void {
    if (scope.startsWith("account:")) this.assertAccount(scope.slice("account:".length));
    else this.assertUnconfined(`change the ${scope} scope, which reaches accounts beyond its own`);
  }

  /** Whether a risk or trading-state scope key concerns this principal (shared scopes apply to everyone). */
  seesRiskScope(scope: string): boolean {
    return !scope.startsWith("account:") || this.allows(scope.slice("account:".length));
  }

  filterPositions(view: { positions: PositionView[] }): { positions: PositionView[] } {
    if (!this.confined) return view;
    return { ...view, positions: view.positions.filter((p) => this.allows(p.accountId)) };
  }

  filterRisk(view: RiskView): RiskView {
    if (!this.confined) return view;
    const pick = <T>(record: Record<string, T>) =>
      Object.fromEntries(Object.entries(record).filter(([scope]) => this.seesRiskScope(scope)));
    return { ...view, limits: pick(view.limits), tradingStates: pick(view.tradingStates) };
  }

  filterReference(view: ReferenceView): ReferenceView {
    if (!this.confined) return view;
    return { ...view, accounts: view.accounts.filter((a) => this.allows(a.id)) };
  }

  /** An API key listed to this principal: a bound key sees only keys confined within its own accounts. */
  seesKey(key: { accountIds: readonly string[] }): boolean {
    return !this.confined || (key.accountIds.length > 0 && key.accountIds.every((a) => this.allows(a)));
  }

  /** Minting a key: never more permissions than the creator, never wider accounts than the creator's. */
  assertMayMint(role: Role, accountIds: readonly string[]): void {
    const extra = PERMISSIONS.filter((p) => can(role, p) && !can(this.principal.role, p));
    if (extra.length > 0) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `a ${this.principal.role} may not create a ${role} key: it would grant ${extra.join(", ")}`,
      });
    }
    if (!this.confined) return;
    if (accountIds.length === 0) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `API key ${this.principal.name} is bound to accounts and may create only keys bound to some of them`,
      });
    }
    for (const accountId of accountIds) this.assertAccount(accountId);
  }
}

/** The one answer for an order id that does not exist or is outside the caller's accounts. */
export function orderNotFound(orderId: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `no order ${orderId}` });
}
