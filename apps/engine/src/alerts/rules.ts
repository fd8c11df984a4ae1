import type { AnyEvent } from "@fillmore/shared";
import type { AlertRule, Severity } from "./types";

/**
 * Severity of an alert by its code: the table operators tune. Codes not listed are warnings.
 * critical: money or orders may be wrong or trading is stopped — someone must look now.
 * warning: something needs a look today. info: on record, nobody is paged.
 */
export const SEVERITY_BY_CODE: Record<string, Severity> = {
  OVER_FILL: "critical",
  OUTCOME_UNKNOWN: "critical",
  VENUE_LOST_ORDER: "critical",
  VENUE_SEND_FAILED: "critical",
  RECOVERY_INCOMPLETE: "critical",
  ENGINE_FAULT: "critical",
  KILL_SWITCH: "critical",
  BREAKER_TRIPPED: "critical",
  JOURNAL_CHAIN_BROKEN: "critical",
  JOURNAL_CHECKPOINTS_MISSING: "critical",
  VENUE_DOWN: "critical",
  LATE_FILL: "warning",
  FILL_AFTER_CANCEL: "warning",
  PRICE_OUTSIDE_LIMIT: "warning",
  VENUE_BAD_DATA: "warning",
  VENUE_REPORT_FAILED: "warning",
  VENUE_ADAPTER_FAULT: "warning",
  UNKNOWN_ORDER: "warning",
  UNKNOWN_REPORT: "warning",
  REJECT_RATE: "warning",
  RECON_BREAK: "warning",
  OUTAGE_INJECTED: "info",
  OUTAGE_ENDED: "info",
  JOURNAL_KEYED: "info",
};

export function severityOf(code: string): Severity {
  return SEVERITY_BY_CODE[code] ?? "warning";
}

const venueOf = (e: AnyEvent) => (e.type === "VenueHealthChanged" ? e.data.venueId : "");
const breakOf = (e: AnyEvent) => (e.type === "BreakFound" || e.type === "BreakResolved" ? e.data.breakId : "");

/** The rules the engine starts with; the catch-all for AlertRaised comes last. */
export const DEFAULT_RULES: readonly AlertRule[] = [
  {
    id: "venue-down",
    on: "VenueHealthChanged",
    when: (e) => e.type === "VenueHealthChanged" && e.data.state === "DOWN",
    code: "VENUE_DOWN",
    subject: venueOf,
    message: (e) => `venue ${venueOf(e)} is DOWN: orders are not routed to it`,
    clear: { on: "VenueHealthChanged", when: (e) => e.type === "VenueHealthChanged" && e.data.state === "UP", subject: venueOf },
  },
  {
    id: "reconciliation-break",
    on: "BreakFound",
    code: "RECON_BREAK",
    subject: breakOf,
    message: (e) =>
      e.type === "BreakFound"
        ? `reconciliation break ${e.data.breakId} (${e.data.kind}, ${e.data.source}${e.data.symbol ? ` ${e.data.symbol}` : ""}): ${e.data.explanation}`
        : "",
    clear: { on: "BreakResolved", subject: breakOf },
  },
  { id: "reject-rate", on: "AlertRaised", codes: ["REJECT_RATE"], clear: "external" },
  { id: "alert-raised", on: "AlertRaised", codes: "*" },
];

const registered: AlertRule[] = [];
/** `alertRules()`'s answer, built again only when a rule is registered or removed: the alert book asks on every event. */
let inForce: readonly AlertRule[] = DEFAULT_RULES;
const rebuild = () => {
  inForce = [...registered, ...DEFAULT_RULES];
};

/**
 * Adds a rule, checked before the defaults (so a specific rule wins over the AlertRaised catch-all).
 * Register before the engine starts: replay rebuilds alerts with the rules in force.
 */
export function registerAlertRule(rule: AlertRule): void {
  const at = registered.findIndex((r) => r.id === rule.id);
  if (at >= 0) registered[at] = rule;
  else registered.push(rule);
  rebuild();
}

/** Removes a registered rule (tests). */
export function unregisterAlertRule(id: string): void {
  const at = registered.findIndex((r) => r.id === id);
  if (at >= 0) registered.splice(at, 1);
  rebuild();
}

/** Every rule in force: registered first, then the defaults. */
export function alertRules(): readonly AlertRule[] {
  return inForce;
}
