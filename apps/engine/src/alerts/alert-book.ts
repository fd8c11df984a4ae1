import type { AnyEvent } from "@fillmore/shared";
import { severityOf } from "./rules";
import type { Alert, AlertList, AlertRule, AlertState, Severity } from "./types";

/** What applying an event did, for the component around the book (delivery, journaling a clear). */
export type BookEffect =
  | { kind: "opened"; alert: Alert }
  | { kind: "reopened"; alert: Alert }
  | { kind: "repeated"; alert: Alert }
  /** The alert's condition cleared: the component journals AlertResolved (how "cleared") for it. */
  | { kind: "cleared"; alert: Alert; note: string };

export interface AlertBookOptions {
  /** A repeat of the same code and subject within this long of the alert's last event counts on it; a cleared alert that comes back within it is reopened. */
  dedupeWindowMs: number;
  /** Resolved alerts kept in memory (oldest dropped first). */
  maxResolved?: number;
}

export interface AlertFilter {
  state?: AlertState | "all" | "unresolved";
  severity?: Severity;
  /** Only alerts of these accounts (an alert of no account is left out). */
  accountIds?: readonly string[];
  limit?: number;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const msOf = (ts: string) => Date.parse(ts);

function defaultSubject(event: AnyEvent): string {
  if (event.type === "AlertRaised" && event.data.subject) return event.data.subject;
  return event.orderId ?? event.accountId ?? "";
}

function defaultMessage(event: AnyEvent): string {
  const data = event.data as { message?: unknown };
  return typeof data.message === "string" ? data.message : `${event.type} ${JSON.stringify(event.data).slice(0, 300)}`;
}

/** The first rule that takes an event, or undefined. AlertRaised codes: a listed code, or "*" for any. */
export function matchRule(rules: readonly AlertRule[], event: AnyEvent): AlertRule | undefined {
  // Indexed loops here and in `clears`: they run for every event, and for-of's iterator showed in
  // the allocation profile (about 200 bytes an event each).
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as AlertRule;
    if (rule.on !== event.type) continue;
    if (event.type === "AlertRaised" && rule.codes !== undefined && rule.codes !== "*" && !rule.codes.includes(event.data.code)) continue;
    if (!rule.when || rule.when(event)) return rule;
  }
  return undefined;
}

/** What an event no rule watches does to the book: nothing (shared, so the order path allocates nothing here). */
const NO_EFFECTS: readonly BookEffect[] = Object.freeze([]);

/**
 * The alert centre's pure core: alerts as a function of the events applied, in journal order.
 * Severity, deduplication (code + subject within a window), hysteresis (raise/clear, reopen on
 * flapping), acknowledgement and resolution. No I/O, no clock: times are the events' own, so
 * replay gives the same alerts.
 */
export class AlertBook {
  readonly alerts = new Map<string, Alert>();
  /** code|subject → the latest alert of that key. */
  private readonly latest = new Map<string, string>();
  /** Alerts whose condition cleared but whose AlertResolved is not applied yet (journaled after replay if missing). */
  readonly clearing = new Map<string, string>();
  private resolvedOrder: string[] = [];

  constructor(
    private readonly rules: () => readonly AlertRule[],
    private readonly options: AlertBookOptions,
  ) {}

  get(alertId: string): Alert | undefined {
    return this.alerts.get(alertId);
  }

  /** The unresolved alert of a code and subject, if any. */
  openFor(code: string, subject: string): Alert | undefined {
    const id = this.latest.get(`${code}|${subject}`);
    const alert = id ? this.alerts.get(id) : undefined;
    return alert && alert.state !== "resolved" ? alert : undefined;
  }

  apply(event: AnyEvent): readonly BookEffect[] {
    switch (event.type) {
      case "AlertAcknowledged": {
        const a = this.alerts.get(event.data.alertId);
        if (a && a.state === "open") {
          a.state = "acknowledged";
          a.acknowledgedBy = event.actor;
          a.acknowledgedAt = event.ts;
          a.ackNote = event.data.note;
        }
        return [];
      }
      case "AlertResolved": {
        const a = this.alerts.get(event.data.alertId);
        this.clearing.delete(event.data.alertId);
        if (a && a.state !== "resolved") {
          a.state = "resolved";
          a.resolvedBy = event.actor;
          a.resolvedAt = event.ts;
          a.resolveNote = event.data.note;
          a.resolution = event.data.how;
          this.remember(a.alertId);
        }
        return [];
      }
      case "AlertDelivered": {
        const a = this.alerts.get(event.data.alertId);
        if (a) a.delivery = { state: "delivered", attempts: a.delivery.attempts + 1, lastError: null, lastAt: event.ts };
        return [];
      }
      case "AlertDeliveryFailed": {
        const a = this.alerts.get(event.data.alertId);
        if (a)
          a.delivery = {
            state: event.data.final ? "failed" : "pending",
            attempts: a.delivery.attempts + 1,
            lastError: event.data.error,
            lastAt: event.ts,
          };
        return [];
      }
      default: {
        const cleared = this.clears(event);
        const raised = this.raises(event);
        if (raised.length === 0) return cleared;
        return cleared.length === 0 ? raised : [...cleared, ...raised];
      }
    }
  }

  private clears(event: AnyEvent): readonly BookEffect[] {
    let effects: BookEffect[] | undefined;
    const rules = this.rules();
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as AlertRule;
      const clear = rule.clear;
      if (!clear || clear === "external" || clear.on !== event.type || (clear.when && !clear.when(event))) continue;
      const subject = clear.subject(event);
      for (const a of this.alerts.values()) {
        if (a.rule !== rule.id || a.subject !== subject || a.state === "resolved" || this.clearing.has(a.alertId)) continue;
        const note = `cleared by ${event.type} #${event.seq}`;
        this.clearing.set(a.alertId, note);
        effects ??= [];
        effects.push({ kind: "cleared", alert: a, note });
      }
    }
    return effects ?? NO_EFFECTS;
  }

  private raises(event: AnyEvent): readonly BookEffect[] {
    const rule = matchRule(this.rules(), event);
    if (!rule) return NO_EFFECTS;
    const code =
      typeof rule.code === "function"
        ? rule.code(event)
        : (rule.code ?? (event.type === "AlertRaised" ? event.data.code : rule.id.toUpperCase()));
    const subject = rule.subject ? rule.subject(event) : defaultSubject(event);
    const message = rule.message ? rule.message(event) : defaultMessage(event);
    const key = `${code}|${subject}`;
    const window = this.options.dedupeWindowMs;
    const previous = this.alerts.get(this.latest.get(key) ?? "");
    if (previous && previous.state !== "resolved" && msOf(event.ts) - msOf(previous.lastAt) <= window) {
      previous.count += 1;
      previous.lastAt = event.ts;
      previous.lastSeq = event.seq;
      previous.message = message;
      this.clearing.delete(previous.alertId);
      return [{ kind: "repeated", alert: previous }];
    }
    if (
      previous?.state === "resolved" &&
      previous.resolution === "cleared" &&
      previous.resolvedAt &&
      msOf(event.ts) - msOf(previous.resolvedAt) <= window
    ) {
      Object.assign(previous, {
        state: "open",
        count: previous.count + 1,
        lastAt: event.ts,
        lastSeq: event.seq,
        message,
        reopened: previous.reopened + 1,
        acknowledgedBy: null,
        acknowledgedAt: null,
        ackNote: null,
        resolvedBy: null,
        resolvedAt: null,
        resolveNote: null,
        resolution: null,
      } satisfies Partial<Alert>);
      this.resolvedOrder = this.resolvedOrder.filter((id) => id !== previous.alertId);
      return [{ kind: "reopened", alert: previous }];
    }
    const severity = typeof rule.severity === "function" ? rule.severity(event, code) : (rule.severity ?? severityOf(code));
    const alert: Alert = {
      alertId: `AL-${event.seq}`,
      code,
      severity,
      rule: rule.id,
      subject,
      message,
      orderId: event.orderId,
      accountId: event.accountId,
      state: "open",
      count: 1,
      firstAt: event.ts,
      lastAt: event.ts,
      firstSeq: event.seq,
      lastSeq: event.seq,
      clears: rule.clear !== undefined,
      acknowledgedBy: null,
      acknowledgedAt: null,
      ackNote: null,
      resolvedBy: null,
      resolvedAt: null,
      resolveNote: null,
      resolution: null,
      reopened: 0,
      delivery: { state: "none", attempts: 0, lastError: null, lastAt: null },
    };
    this.alerts.set(alert.alertId, alert);
    this.latest.set(key, alert.alertId);
    return [{ kind: "opened", alert }];
  }

  /** Keeps memory bounded: the oldest resolved alerts are dropped past `maxResolved`. */
  private remember(alertId: string): void {
    this.resolvedOrder.push(alertId);
    const max = this.options.maxResolved ?? 5000;
    while (this.resolvedOrder.length > max) {
      const old = this.resolvedOrder.shift();
      if (!old) break;
      const a = this.alerts.get(old);
      if (a?.state === "resolved") {
        this.alerts.delete(old);
        const key = `${a.code}|${a.subject}`;
        if (this.latest.get(key) === old) this.latest.delete(key);
      }
    }
  }

  list(filter: AlertFilter = {}, asOf = ""): AlertList {
    const accounts = filter.accountIds ? new Set(filter.accountIds) : null;
    const visible = [...this.alerts.values()].filter((a) => !accounts || (a.accountId !== null && accounts.has(a.accountId)));
    const counts = { open: 0, acknowledged: 0, resolved: 0, openCritical: 0, openWarning: 0, openInfo: 0 };
    for (const a of visible) {
      counts[a.state] += 1;
      if (a.state === "open") {
        if (a.severity === "critical") counts.openCritical += 1;
        else if (a.severity === "warning") counts.openWarning += 1;
        else counts.openInfo += 1;
      }
    }
    const state = filter.state ?? "all";
    const alerts = visible
      .filter((a) => state === "all" || (state === "unresolved" ? a.state !== "resolved" : a.state === state))
      .filter((a) => !filter.severity || a.severity === filter.severity)
      .sort(
        (x, y) =>
          Number(x.state === "resolved") - Number(y.state === "resolved") ||
          SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] ||
          y.lastSeq - x.lastSeq,
      )
      .slice(0, filter.limit ?? 500);
    return { alerts: alerts.map((a) => ({ ...a, delivery: { ...a.delivery } })), counts, asOf };
  }
}
