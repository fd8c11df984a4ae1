import { SPLIT_PARENT_VENUE } from "@fillmore/shared";
import type pg from "pg";
import type { AlertCentre } from "../alerts/alert-centre";
import type { Logger } from "../log";
import {
  alertSubject,
  describeReading,
  QUALITY_ALERT_CODES,
  QUALITY_METRICS,
  type QualityAlertRule,
  type QualityMetric,
  type Reading,
  verdict,
} from "./alert-rules";

const ACTOR = "quality";

interface RuleRow {
  id: string;
  metric: QualityMetric;
  venue: string | null;
  threshold: number;
  clear_below: number;
  window_ms: number;
  min_orders: number;
  enabled: boolean;
}

/** The rules in force (console_quality_alert_rule). */
export async function loadAlertRules(pool: pg.Pool): Promise<QualityAlertRule[]> {
  const { rows } = await pool.query<RuleRow>(
    "SELECT id, metric, venue, threshold, clear_below, window_ms, min_orders, enabled FROM console_quality_alert_rule ORDER BY id",
  );
  return rows.map((r) => ({
    id: r.id,
    metric: r.metric,
    venue: r.venue,
    threshold: r.threshold,
    clearBelow: r.clear_below,
    windowMs: r.window_ms,
    minOrders: r.min_orders,
    enabled: r.enabled,
  }));
}

/** Every metric per venue over orders sent in [now − window, now], from the projection (indexed on submitted_at). */
export async function windowReadings(pool: pg.Pool, nowMs: number, windowMs: number): Promise<Map<QualityMetric, Reading[]>> {
  const { rows } = await pool.query<{
    venue: string;
    sent: number;
    rejected: number;
    p99: number | null;
    lat_n: number;
    slip_bps: number | null;
    slip_n: number;
  }>(
    `SELECT venue,
       count(*)::int AS sent,
       count(*) FILTER (WHERE rejected)::int AS rejected,
       percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
       count(latency_ms)::int AS lat_n,
       (10000 * sum(slippage_cost) / NULLIF(sum(slippage_bench), 0))::float8 AS slip_bps,
       count(slippage_bench)::int AS slip_n
     FROM execution_metrics
     WHERE submitted_at IS NOT NULL AND submitted_at >= $1 AND submitted_at <= $2 AND venue <> '${SPLIT_PARENT_VENUE}'
     GROUP BY venue`,
    [new Date(nowMs - windowMs).toISOString(), new Date(nowMs).toISOString()],
  );
  const out = new Map<QualityMetric, Reading[]>(QUALITY_METRICS.map((m) => [m, []]));
  for (const r of rows) {
    out.get("ackLatencyP99Ms")?.push({ venue: r.venue, value: r.p99, n: r.lat_n });
    out.get("rejectRatePct")?.push({ venue: r.venue, value: r.sent === 0 ? null : (100 * r.rejected) / r.sent, n: r.sent });
    out.get("slippageBps")?.push({ venue: r.venue, value: r.slip_bps, n: r.slip_n });
  }
  return out;
}

/**
 * Evaluates the rules every `intervalMs` over the projection and raises or clears alerts through the
 * alert centre (code QUALITY_*, subject `<rule id>:<venue>`), with hysteresis (alert-rules.ts). An
 * alert whose rule was removed or disabled, or whose venue has too few orders left in the window,
 * clears. Alerts are journaled by the centre like any other (AlertRaised / AlertResolved).
 */
export class QualityAlertMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly raising = new Set<string>();

  constructor(
    private readonly deps: { pool: pg.Pool; alerts: AlertCentre; nowMs: () => number; log: Logger; beforeCheck?: () => Promise<void> },
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One evaluation (the timer's; tests call it). */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.deps.beforeCheck?.();
      await this.evaluate();
    } catch (error) {
      this.deps.log.warn({ err: error }, "quality alert check failed");
    } finally {
      this.running = false;
    }
  }

  private async evaluate(): Promise<void> {
    const { pool, alerts } = this.deps;
    const rules = await loadAlertRules(pool);
    const now = this.deps.nowMs();
    const byWindow = new Map<number, Map<QualityMetric, Reading[]>>();
    const seen = new Set<string>();
    for (const rule of rules) {
      let readings = byWindow.get(rule.windowMs);
      if (!readings) {
        readings = await windowReadings(pool, now, rule.windowMs);
        byWindow.set(rule.windowMs, readings);
      }
      const code = QUALITY_ALERT_CODES[rule.metric];
      for (const r of readings.get(rule.metric) ?? []) {
        if (rule.venue !== null && r.venue !== rule.venue) continue;
        const subject = alertSubject(rule, r.venue);
        seen.add(`${code}|${subject}`);
        const open = alerts.book.openFor(code, subject) !== undefined;
        if (open) this.raising.delete(subject);
        const v = verdict(rule, open || this.raising.has(subject), r);
        if (v === "raise" && !open) {
          this.raising.add(subject);
          alerts.raise({ code, subject, message: `${describeReading(rule, r)}, above ${rule.threshold} (rule ${rule.id})` }, ACTOR);
        } else if (v === "clear" && open) {
          alerts.clear(code, subject, `${describeReading(rule, r)}, back at or below ${rule.clearBelow}`);
        }
      }
    }
    // Open quality alerts with no reading now: the venue has no orders in the window, or the rule is gone.
    const codes = new Set(Object.values(QUALITY_ALERT_CODES));
    for (const a of alerts.book.alerts.values()) {
      if (!codes.has(a.code) || a.state === "resolved" || seen.has(`${a.code}|${a.subject}`)) continue;
      const rule = rules.find((r) => a.subject.startsWith(`${r.id}:`));
      const note = !rule ? "its rule was removed" : !rule.enabled ? "its rule was disabled" : "no orders sent to the venue in the window";
      alerts.clear(a.code, a.subject, note);
      this.raising.delete(a.subject);
    }
  }
}
