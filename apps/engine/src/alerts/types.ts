import type { AnyEvent, EventType } from "@fillmore/shared";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATES = ["open", "acknowledged", "resolved"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Where an alert's webhook notifications stand: none sent (below the webhook's severity or no webhook), pending, delivered, failed. */
export type DeliveryState = "none" | "pending" | "delivered" | "failed";

/** One alert as the alert centre keeps it: rebuilt from the journal by replay. */
export interface Alert {
  /** "AL-<seq>": the sequence number of the event that opened it (stable across replays). */
  alertId: string;
  code: string;
  severity: Severity;
  /** The rule that made it (rules.ts). */
  rule: string;
  /** What it is about: a venue, an order, an account, a break; with the code, the deduplication key. */
  subject: string;
  message: string;
  orderId: string | null;
  accountId: string | null;
  state: AlertState;
  /** How many events it stands for (repeats within the deduplication window count here, not as new alerts). */
  count: number;
  firstAt: string;
  lastAt: string;
  firstSeq: number;
  lastSeq: number;
  /** Whether it resolves itself when its condition clears (venue back UP, break resolved, reject rate normal). */
  clears: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  ackNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolveNote: string | null;
  resolution: "manual" | "cleared" | null;
  /** Times it came back after clearing itself within the window (flapping), rather than opening a new alert. */
  reopened: number;
  delivery: { state: DeliveryState; attempts: number; lastError: string | null; lastAt: string | null };
}

/** Part of an event a rule reads; `AnyEvent` narrowed by type is what matchers get. */
export type EventOf<T extends EventType> = Extract<AnyEvent, { type: T }>;

/**
 * An alert rule, as data: which committed events raise an alert (event type, optionally the
 * AlertRaised code, and a predicate), its severity, its subject (deduplication key with the code),
 * and optionally which event clears it again (hysteresis: raised → cleared).
 */
export interface AlertRule {
  id: string;
  /** The event type that raises it. */
  on: EventType;
  /** For AlertRaised: the codes it takes ("*" or absent: any code no other rule took). */
  codes?: readonly string[] | "*";
  /** An extra condition on the event (e.g. VenueHealthChanged with state DOWN). */
  when?: (event: AnyEvent) => boolean;
  /** The alert's code (default: the AlertRaised code, else the rule id). */
  code?: string | ((event: AnyEvent) => string);
  /** A fixed severity, or one from the severity table by code (default). */
  severity?: Severity | ((event: AnyEvent, code: string) => Severity);
  /** Deduplication subject (default: data.subject, else order id, else account id, else ""). */
  subject?: (event: AnyEvent) => string;
  /** The alert's text (default: data.message, else a summary of the event). */
  message?: (event: AnyEvent) => string;
  /**
   * What clears it: an event type with a condition and the subject it clears; or "external" when a
   * component clears it through `AlertCentre.clear` (the reject-rate monitor).
   */
  clear?: { on: EventType; when?: (event: AnyEvent) => boolean; subject: (event: AnyEvent) => string } | "external";
}

/** The answer of GET /v1/alerts. */
export interface AlertList {
  alerts: Alert[];
  /** Over every alert the caller may see, whatever the filter: open (unacknowledged), acknowledged, and open by severity. */
  counts: { open: number; acknowledged: number; resolved: number; openCritical: number; openWarning: number; openInfo: number };
  asOf: string;
}
