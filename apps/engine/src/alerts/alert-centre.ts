import type { AnyEvent, Clock, EventType } from "@fillmore/shared";
import type pg from "pg";
import type { Journal, JournalEntry } from "../journal/journal";
import type { Logger } from "../log";
import { CommandError } from "../orders/errors";
import { AlertBook, type AlertFilter, type BookEffect } from "./alert-book";
import { type RejectRateOptions, RejectRateWindow } from "./reject-rate";
import { alertRules } from "./rules";
import type { Alert, AlertList, Severity } from "./types";
import { type AttemptResult, type WebhookOptions, WebhookSender } from "./webhook";

export interface AlertCentreOptions {
  dedupeWindowMs: number;
  /** null: no webhook; alerts go to the log (and the console) only. */
  webhook: WebhookOptions | null;
  /** Alerts below this severity are not sent to the webhook. */
  webhookMinSeverity: Severity;
  /** null: no reject-rate alert. */
  rejectRate: RejectRateOptions | null;
}

export interface AlertCentreDeps {
  journal: Journal;
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  options: AlertCentreOptions;
  /** An order's venue, for rejects (committed entries carry the order; this is the fallback). */
  venueOf?: (orderId: string) => string | undefined;
}

/** The centre's own events: applied when appended, never again when committed. */
const OWN = new Set<EventType>(["AlertAcknowledged", "AlertResolved", "AlertDelivered", "AlertDeliveryFailed"]);
const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const ACTOR = "alerts";
/** Alerts opened this recently whose notification never went out are sent after a restart. */
const RESEND_WITHIN_MS = 3_600_000;

/**
 * The alert centre: subscribes to committed events and turns them into alerts by the rules table
 * (rules.ts), with severity, deduplication, hysteresis, acknowledgement and resolution
 * (alert-book.ts, pure). Its own state changes are journaled (AlertAcknowledged, AlertResolved,
 * AlertDelivered, AlertDeliveryFailed), so replay rebuilds it. Notifications go to the log and to a
 * signed webhook, off the hot path (webhook.ts). Also watches venue rejects per orders sent and
 * raises REJECT_RATE above the configured rate.
 */
export class AlertCentre {
  readonly book: AlertBook;
  private ready = false;
  private buffered: JournalEntry[] = [];
  private readonly sender: WebhookSender | null;
  private readonly rejects: RejectRateWindow | null;
  private readonly raising = new Set<string>();
  private rejectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** Subscribes at once (before replay): commits that arrive while replaying are applied after it. */
  constructor(private readonly deps: AlertCentreDeps) {
    const { options } = deps;
    this.book = new AlertBook(alertRules, { dedupeWindowMs: options.dedupeWindowMs });
    this.sender = options.webhook ? new WebhookSender(options.webhook, (r) => this.recordAttempt(r), deps.log) : null;
    this.rejects = options.rejectRate ? new RejectRateWindow(options.rejectRate) : null;
    deps.journal.onCommit((entries) => {
      if (!this.ready) for (const entry of entries) this.buffered.push(entry);
      else this.onCommitted(entries);
    });
  }

  /** Rebuilds alerts from the journal, then goes live: pending clears journaled, unsent notifications sent. */
  async start(): Promise<void> {
    const types = new Set<EventType>(OWN);
    for (const rule of alertRules()) {
      types.add(rule.on);
      if (rule.clear && rule.clear !== "external") types.add(rule.clear.on);
    }
    const { rows } = await this.deps.pool.query<{ payload: AnyEvent }>("SELECT payload FROM journal WHERE type = ANY($1) ORDER BY seq", [
      [...types],
    ]);
    let lastSeq = 0;
    for (const { payload } of rows) {
      const event = { ...payload, seq: Number(payload.seq) } as AnyEvent;
      this.book.apply(event);
      lastSeq = event.seq;
    }
    const late = this.buffered.filter((e) => e.event.seq > lastSeq);
    this.buffered = [];
    this.ready = true;
    for (const [alertId, note] of [...this.book.clearing]) {
      const alert = this.book.get(alertId);
      if (alert) this.journalResolved(alert, ACTOR, note, "cleared");
    }
    if (this.sender) {
      const now = this.deps.clock.nowMs();
      for (const a of this.book.list({ state: "unresolved" }).alerts) {
        const alert = this.book.get(a.alertId);
        if (alert && alert.delivery.state === "none" && now - Date.parse(alert.lastAt) < RESEND_WITHIN_MS) this.deliver(alert, "raised");
      }
    }
    if (late.length > 0) this.onCommitted(late);
    if (this.rejects) {
      this.rejectTimer = setInterval(() => this.checkRejectRate(), 1000);
      this.rejectTimer.unref();
    }
    this.deps.log.info({ alerts: this.book.alerts.size, webhook: this.sender !== null }, "alert centre ready");
  }

  stop(): void {
    this.stopped = true;
    if (this.rejectTimer) clearInterval(this.rejectTimer);
    this.sender?.stop();
  }

  list(filter: AlertFilter = {}): AlertList {
    return this.book.list(filter, this.deps.clock.nowIso());
  }

  get(alertId: string): Alert {
    const alert = this.book.get(alertId);
    if (!alert) throw new CommandError("NOT_FOUND", `no alert ${alertId}`);
    return alert;
  }

  /** Acknowledged by `actor` now, with an optional note: journaled before it returns. */
  async acknowledge(alertId: string, actor: string, note: string): Promise<Alert> {
    const alert = this.get(alertId);
    if (alert.state === "resolved")
      throw new CommandError("NOT_MODIFIABLE", `alert ${alertId} is resolved (by ${alert.resolvedBy} at ${alert.resolvedAt})`);
    if (alert.state === "acknowledged")
      throw new CommandError(
        "NOT_MODIFIABLE",
        `alert ${alertId} is already acknowledged by ${alert.acknowledgedBy} at ${alert.acknowledgedAt}`,
      );
    this.append({ type: "AlertAcknowledged", orderId: alert.orderId, accountId: alert.accountId, actor, data: { alertId, note } });
    await this.deps.journal.durable();
    return { ...alert };
  }

  /** Resolved by `actor` now, with a note saying why: journaled before it returns. */
  async resolve(alertId: string, actor: string, note: string): Promise<Alert> {
    const alert = this.get(alertId);
    if (alert.state === "resolved")
      throw new CommandError("NOT_MODIFIABLE", `alert ${alertId} is already resolved (by ${alert.resolvedBy} at ${alert.resolvedAt})`);
    this.journalResolved(alert, actor, note, "manual");
    await this.deps.journal.durable();
    return { ...alert };
  }

  /**
   * Raises an alert from a component (a breaker, the reject-rate monitor): journaled as AlertRaised,
   * it becomes an alert once committed, like any other. `subject` deduplicates with the code.
   */
  raise(
    input: { code: string; message: string; subject?: string; orderId?: string | null; accountId?: string | null },
    actor: string,
  ): void {
    this.deps.journal.append({
      type: "AlertRaised",
      orderId: input.orderId ?? null,
      accountId: input.accountId ?? null,
      actor,
      data: { code: input.code, message: input.message, ...(input.subject === undefined ? {} : { subject: input.subject }) },
    });
  }

  /** Clears the open alert of a code and subject (rules whose `clear` is "external"); false when none is open. */
  clear(code: string, subject: string, note: string): boolean {
    const alert = this.book.openFor(code, subject);
    if (!alert) return false;
    this.journalResolved(alert, ACTOR, note, "cleared");
    return true;
  }

  /** Notifications waiting for the webhook (tests, health). */
  deliveriesPending(): number {
    return this.sender?.pending() ?? 0;
  }

  private append(draft: Parameters<Journal["append"]>[0]): void {
    const { event } = this.deps.journal.append(draft);
    this.book.apply(event);
  }

  private journalResolved(alert: Alert, actor: string, note: string, how: "manual" | "cleared"): void {
    this.append({
      type: "AlertResolved",
      orderId: alert.orderId,
      accountId: alert.accountId,
      actor,
      data: { alertId: alert.alertId, note, how },
    });
    if (how === "cleared") {
      this.deps.log.info({ alertId: alert.alertId, code: alert.code, subject: alert.subject }, `alert cleared: ${note}`);
      if (alert.delivery.state !== "none") this.deliver(alert, "cleared");
    }
  }

  private onCommitted(entries: readonly JournalEntry[]): void {
    if (this.stopped) return;
    let rejected = false;
    for (const entry of entries) {
      const { event } = entry;
      if (OWN.has(event.type)) continue;
      if (this.rejects) rejected = this.observeOrder(entry) || rejected;
      let effects: readonly BookEffect[];
      try {
        effects = this.book.apply(event);
      } catch (error) {
        // A rule that throws must not silence the others, nor the engine.
        this.deps.log.error({ err: String(error), seq: event.seq, type: event.type }, "alert rule failed");
        continue;
      }
      for (const effect of effects) this.act(effect);
    }
    if (rejected) this.checkRejectRate();
  }

  private act(effect: BookEffect): void {
    const { alert } = effect;
    if (effect.kind === "cleared") {
      this.journalResolved(alert, ACTOR, effect.note, "cleared");
      return;
    }
    if (effect.kind === "repeated") return;
    const line = { alertId: alert.alertId, code: alert.code, severity: alert.severity, subject: alert.subject, orderId: alert.orderId };
    const text = `${effect.kind === "reopened" ? "alert reopened" : "alert"} [${alert.severity}] ${alert.code}: ${alert.message}`;
    if (alert.severity === "critical") this.deps.log.error(line, text);
    else if (alert.severity === "warning") this.deps.log.warn(line, text);
    else this.deps.log.info(line, text);
    this.deliver(alert, effect.kind === "opened" ? "raised" : "reopened");
  }

  private deliver(alert: Alert, kind: "raised" | "reopened" | "cleared"): void {
    if (!this.sender || RANK[alert.severity] > RANK[this.deps.options.webhookMinSeverity]) return;
    const deliveryId = `${alert.alertId}.${kind}.${alert.reopened}`;
    const body = JSON.stringify({
      deliveryId,
      event: `alert.${kind}`,
      sentAt: this.deps.clock.nowIso(),
      alert: {
        alertId: alert.alertId,
        code: alert.code,
        severity: alert.severity,
        state: alert.state,
        subject: alert.subject,
        message: alert.message,
        orderId: alert.orderId,
        accountId: alert.accountId,
        count: alert.count,
        firstAt: alert.firstAt,
        lastAt: alert.lastAt,
        resolvedAt: alert.resolvedAt,
        resolveNote: alert.resolveNote,
      },
    });
    if (this.sender.enqueue({ deliveryId, alertId: alert.alertId, body })) {
      if (alert.delivery.state !== "delivered") alert.delivery.state = "pending";
      return;
    }
    this.deps.log.error({ alertId: alert.alertId, deliveryId }, "alert webhook queue full: notification dropped");
    this.append({
      type: "AlertDeliveryFailed",
      orderId: alert.orderId,
      accountId: alert.accountId,
      actor: ACTOR,
      data: { alertId: alert.alertId, deliveryId, target: "webhook", attempt: 0, error: "queue full", final: true, retryInMs: null },
    });
  }

  private recordAttempt(r: AttemptResult): void {
    if (this.stopped) return;
    const alert = this.book.get(r.delivery.alertId);
    const base = { orderId: alert?.orderId ?? null, accountId: alert?.accountId ?? null, actor: ACTOR };
    const target = "webhook";
    if (r.ok) {
      this.deps.log.info({ deliveryId: r.delivery.deliveryId, attempt: r.attempt, status: r.status }, "alert delivered to webhook");
      this.append({
        ...base,
        type: "AlertDelivered",
        data: { alertId: r.delivery.alertId, deliveryId: r.delivery.deliveryId, target, attempt: r.attempt, status: r.status, ms: r.ms },
      });
    } else {
      const log = r.final ? this.deps.log.error.bind(this.deps.log) : this.deps.log.warn.bind(this.deps.log);
      log(
        { deliveryId: r.delivery.deliveryId, attempt: r.attempt, error: r.error, retryInMs: r.retryInMs },
        r.final ? "alert webhook delivery failed; giving up" : "alert webhook delivery failed; retrying",
      );
      this.append({
        ...base,
        type: "AlertDeliveryFailed",
        data: {
          alertId: r.delivery.alertId,
          deliveryId: r.delivery.deliveryId,
          target,
          attempt: r.attempt,
          error: r.error.slice(0, 500),
          final: r.final,
          retryInMs: r.retryInMs,
        },
      });
    }
  }

  /** Orders sent and venue rejects, per venue; true on a reject. */
  private observeOrder(entry: JournalEntry): boolean {
    const { event } = entry;
    const rejects = this.rejects;
    if (!rejects) return false;
    if (event.type === "OrderSubmitted") rejects.recordSent(event.data.venueId, Date.parse(event.ts));
    else if (event.type === "OrderRejected" && event.data.source === "VENUE" && event.orderId) {
      const venueId = entry.orderAfter?.venueId ?? this.deps.venueOf?.(event.orderId);
      if (venueId) {
        rejects.recordRejected(venueId, Date.parse(event.ts));
        return true;
      }
    }
    return false;
  }

  private checkRejectRate(): void {
    const rejects = this.rejects;
    if (!rejects || this.stopped) return;
    const now = this.deps.clock.nowMs();
    const readings = new Map(rejects.readings(now).map((r) => [r.venueId, r]));
    const { thresholdPct, windowMs } = rejects.options;
    for (const r of readings.values()) {
      const open = this.book.openFor("REJECT_RATE", r.venueId);
      if (open) this.raising.delete(r.venueId);
      if (!open && !this.raising.has(r.venueId) && rejects.breached(r)) {
        this.raising.add(r.venueId);
        this.raise(
          {
            code: "REJECT_RATE",
            subject: r.venueId,
            message: `${r.venueId} rejected ${r.rejected} of ${r.sent} orders (${r.pct.toFixed(1)}%) in the last ${windowMs / 1000} s, above ${thresholdPct}%`,
          },
          ACTOR,
        );
      }
    }
    for (const alert of this.book.alerts.values()) {
      if (alert.code !== "REJECT_RATE" || alert.state === "resolved" || now - Date.parse(alert.lastAt) < windowMs) continue;
      const r = readings.get(alert.subject) ?? { venueId: alert.subject, sent: 0, rejected: 0, pct: 0 };
      if (rejects.cleared(r))
        this.clear(
          "REJECT_RATE",
          alert.subject,
          `reject rate back to ${r.pct.toFixed(1)}% (${r.rejected} of ${r.sent} orders in the window)`,
        );
    }
  }
}
