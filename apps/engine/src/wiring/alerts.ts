import type { Clock } from "@fillmore/shared";
import type pg from "pg";
import { AlertCentre, type AlertCentreOptions } from "../alerts/alert-centre";
import type { EngineConfig } from "../config";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { OrderManager } from "../orders/order-manager";

/** The alert centre's settings from the engine config (ALERT_* keys; docs/OPERATIONS.md "Alerts"). */
export function alertOptions(config: EngineConfig): AlertCentreOptions {
  if (config.ALERT_WEBHOOK_URL && !config.ALERT_WEBHOOK_SECRET)
    throw new Error("invalid engine configuration: ALERT_WEBHOOK_SECRET is required with ALERT_WEBHOOK_URL (notifications are signed)");
  return {
    dedupeWindowMs: config.ALERT_DEDUPE_WINDOW_MS,
    webhookMinSeverity: config.ALERT_WEBHOOK_MIN_SEVERITY,
    webhook:
      config.ALERT_WEBHOOK_URL && config.ALERT_WEBHOOK_SECRET
        ? {
            url: config.ALERT_WEBHOOK_URL,
            secret: config.ALERT_WEBHOOK_SECRET,
            maxAttempts: config.ALERT_WEBHOOK_MAX_ATTEMPTS,
            backoffMs: config.ALERT_WEBHOOK_BACKOFF_MS,
            maxBackoffMs: config.ALERT_WEBHOOK_MAX_BACKOFF_MS,
            timeoutMs: config.ALERT_WEBHOOK_TIMEOUT_MS,
            queueMax: config.ALERT_WEBHOOK_QUEUE_MAX,
          }
        : null,
    rejectRate:
      config.ALERT_REJECT_RATE_PCT > 0
        ? { thresholdPct: config.ALERT_REJECT_RATE_PCT, windowMs: config.ALERT_REJECT_WINDOW_MS, minOrders: config.ALERT_REJECT_MIN_ORDERS }
        : null,
  };
}

/**
 * Phase 3, after the journal replay: the alert centre subscribes to committed events, rebuilds its
 * alerts from the journal and goes live (webhook, reject-rate monitor). Stop it before the journal closes.
 */
export async function wireAlerts(deps: {
  config: EngineConfig;
  journal: Journal;
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  orders: OrderManager;
}): Promise<AlertCentre> {
  const centre = new AlertCentre({
    journal: deps.journal,
    pool: deps.pool,
    clock: deps.clock,
    log: deps.log.child({ component: "alerts" }),
    options: alertOptions(deps.config),
    venueOf: (orderId) => deps.orders.get(orderId)?.venueId ?? undefined,
  });
  await centre.start();
  return centre;
}
