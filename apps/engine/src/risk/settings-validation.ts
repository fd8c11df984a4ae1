import { parseScope, type SetRiskLimits, type SetTradingState, setRiskLimitsInput, setTradingStateInput } from "@fillmore/shared";
import { CommandError } from "../orders/errors";

/** The reference data risk settings are checked against. */
export interface RiskReference {
  accounts: { has(accountId: string): boolean };
  instruments: { has(symbol: string): boolean };
  /** Known venues, when given: a venue scope naming another is refused. */
  venues?: { has(venueId: string): boolean };
}

export type RiskSettingRule = "INVALID_LIMIT" | "UNKNOWN_ACCOUNT" | "UNKNOWN_INSTRUMENT" | "UNKNOWN_VENUE" | "NO_REFERENCE_DATA";

/**
 * A risk setting refused before anything changed: `rule` says which check failed, `field` which
 * part of the input. An INVALID_INPUT command error (HTTP 400), or ENGINE_UNAVAILABLE (503) while
 * the engine has no reference data to check against.
 */
export class RiskSettingsError extends CommandError {
  constructor(
    readonly rule: RiskSettingRule,
    message: string,
    readonly field: string,
    issues?: unknown,
  ) {
    super(rule === "NO_REFERENCE_DATA" ? "ENGINE_UNAVAILABLE" : "INVALID_INPUT", message, { rule, field, ...(issues ? { issues } : {}) });
    this.name = "RiskSettingsError";
  }
}

function requireReference(reference: RiskReference | undefined): RiskReference {
  if (!reference)
    throw new RiskSettingsError(
      "NO_REFERENCE_DATA",
      "reference data (accounts, instruments) is not loaded: risk settings cannot be checked",
      "scope",
    );
  return reference;
}

function parsed<T>(
  result: { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
): T {
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw new RiskSettingsError(
    "INVALID_LIMIT",
    issues.map((i) => `${i.path || "input"}: ${i.message}`).join("; "),
    issues[0]?.path || "input",
    issues,
  );
}

function checkAccountScope(scope: string, reference: RiskReference): void {
  if (!scope.startsWith("account:")) return;
  const accountId = scope.slice("account:".length);
  if (!reference.accounts.has(accountId))
    throw new RiskSettingsError("UNKNOWN_ACCOUNT", `account ${accountId} does not exist: no risk setting for it`, "scope");
}

/** Checks a limits change: the schema (no negative buying power, collar within 100%), a known account, known restricted symbols. */
export function validateRiskLimits(input: SetRiskLimits, reference: RiskReference | undefined): SetRiskLimits {
  const value = parsed(setRiskLimitsInput.safeParse(input));
  const ref = requireReference(reference);
  checkAccountScope(value.scope, ref);
  const unknown = (value.limits.restrictedSymbols ?? []).filter((symbol) => !ref.instruments.has(symbol));
  if (unknown.length > 0)
    throw new RiskSettingsError(
      "UNKNOWN_INSTRUMENT",
      `restricted symbols ${unknown.join(", ")} are not known instruments (a misspelt symbol would restrict nothing)`,
      "limits.restrictedSymbols",
    );
  return value;
}

/** Checks a trading state change: the schema, and that the account, symbol and venue it names are known. */
export function validateTradingState(input: SetTradingState, reference: RiskReference | undefined): SetTradingState {
  const value = parsed(setTradingStateInput.safeParse(input));
  const ref = requireReference(reference);
  const parts = parseScope(value.scope) ?? {};
  if (parts.account !== undefined && !ref.accounts.has(parts.account))
    throw new RiskSettingsError("UNKNOWN_ACCOUNT", `account ${parts.account} does not exist: no risk setting for it`, "scope");
  if (parts.symbol !== undefined && !ref.instruments.has(parts.symbol))
    throw new RiskSettingsError("UNKNOWN_INSTRUMENT", `symbol ${parts.symbol} is not a known instrument: no trading state for it`, "scope");
  if (parts.venue !== undefined && ref.venues && !ref.venues.has(parts.venue))
    throw new RiskSettingsError("UNKNOWN_VENUE", `venue ${parts.venue} is not a known venue: no trading state for it`, "scope");
  return value;
}
