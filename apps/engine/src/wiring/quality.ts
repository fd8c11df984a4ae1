import type { Clock } from "@fillmore/shared";
import type pg from "pg";
import type { AlertCentre } from "../alerts/alert-centre";
import { registerAlertRule } from "../alerts/rules";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { OrderManager } from "../orders/order-manager";
import { QualityAlertMonitor } from "../quality/alert-monitor";
import { QUALITY_ALERT_CODES } from "../quality/alert-rules";
import { MarkoutSampler, type MarkoutSamplerOptions } from "../quality/markouts";
import { MetricsProjection, type MetricsProjectionOptions } from "../quality/projection";
import { ProjectionThread } from "../quality/projection-thread";
import { refreshScores, ScoresRefresher } from "../quality/venue-scores";
import { qualityScores } from "../routing/quality-policy";

export interface QualityOptions extends MarkoutSamplerOptions {
  projection?: MetricsProjectionOptions;
  /** Run the projection on a worker thread with its own connection to this database (the engine does). */
  projectionThread?: { databaseUrl: string; logLevel: string };
  /** How often the alert rules are evaluated (ms). */
  alertIntervalMs?: number;
  /** How often the `quality` routing policy's venue figures are refreshed from the projection (ms). */
  scoresIntervalMs?: number;
}

export interface QualityWiring {
  sampler: MarkoutSampler;
  /** The execution_metrics read model (absent without a pool). */
  projection: MetricsProjection | ProjectionThread | undefined;
  monitor: QualityAlertMonitor | undefined;
  /** Phase 3, after replay and the alert centre: the projection catches up and follows commits; alert rules are evaluated. */
  start(alerts?: AlertCentre): void;
  stop(): void;
}

/**
 * Execution quality: the markout sampler on the order book's live events; the per-order metrics
 * projection, fed by committed journal entries; the alert rules over its aggregates; the venue figures
 * of the `quality` routing policy, refreshed from the projection. The alert rule
 * for QUALITY_* codes is registered here, before the alert centre replays.
 */
export function wireQuality(
  deps: { orders: OrderManager; journal: Journal; pool?: pg.Pool; quote: (symbol: string) => Quote | undefined; clock: Clock; log: Logger },
  options: QualityOptions = {},
): QualityWiring {
  const { orders, journal, pool, quote, clock, log } = deps;
  const qlog = log.child({ component: "quality" });
  registerAlertRule({ id: "quality", on: "AlertRaised", codes: Object.values(QUALITY_ALERT_CODES), clear: "external" });
  const sampler = new MarkoutSampler({ book: orders.book, journal, quote, log, nowMs: () => clock.nowMs() }, options);
  const thread = options.projectionThread;
  const projection = !pool
    ? undefined
    : thread
      ? new ProjectionThread({ ...thread, options: options.projection ?? {} }, qlog)
      : new MetricsProjection(pool, qlog, options.projection);
  let monitor: QualityAlertMonitor | undefined;
  let started = false;
  let scoresTimer: NodeJS.Timeout | undefined;
  return {
    sampler,
    projection,
    get monitor() {
      return monitor;
    },
    start(alerts) {
      if (started || !projection || !pool) return;
      started = true;
      journal.onCommit((entries) => projection.committed(entries));
      projection.schedule();
      const refresh = () =>
        void refreshScores(pool, qualityScores, clock.nowMs()).catch((error: unknown) =>
          qlog.warn({ err: error }, "venue quality figures not refreshed"),
        );
      const refresher = new ScoresRefresher(qualityScores, refresh);
      refresher.tick();
      scoresTimer = setInterval(() => refresher.tick(), options.scoresIntervalMs ?? 10_000);
      scoresTimer.unref();
      if (alerts) {
        monitor = new QualityAlertMonitor({ pool, alerts, nowMs: () => clock.nowMs(), log: qlog }, options.alertIntervalMs);
        monitor.start();
      }
    },
    stop() {
      sampler.stop();
      projection?.stop();
      monitor?.stop();
      clearInterval(scoresTimer);
    },
  };
}
