import type { Clock } from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { OrderManager } from "../orders/order-manager";
import type { VenueMonitor } from "../routing/venue-monitor";

/**
 * The engine's clockwork: venue health sampled every 500 ms (a venue back UP is reconciled before
 * it is trusted), and every second expiry plus the resolution of orders stuck waiting for a venue.
 * Returns the stop.
 */
export function startTimers(deps: {
  orders: OrderManager;
  monitor: VenueMonitor;
  journal: Journal;
  clock: Clock;
  log: Logger;
}): () => void {
  const { orders, monitor, journal, clock, log } = deps;
  monitor.onChange((venueId, state) => {
    log.warn({ venueId, state }, "venue health changed");
    journal.append({ type: "VenueHealthChanged", orderId: null, accountId: null, actor: "engine", data: { venueId, state } });
    if (state === "UP")
      void orders.reconcile(venueId).catch((error: unknown) => log.error({ err: String(error), venueId }, "reconcile failed"));
  });
  const healthTimer = setInterval(() => monitor.sample(clock.nowIso()), 500);
  healthTimer.unref();
  let resolving = false;
  const expiryTimer = setInterval(() => {
    orders.expireDue(clock.nowMs());
    if (resolving) return;
    resolving = true;
    orders
      .resolveStale(clock.nowMs())
      .catch((error: unknown) => log.error({ err: String(error) }, "resolving stale orders failed"))
      .finally(() => {
        resolving = false;
      });
  }, 1000);
  expiryTimer.unref();
  return () => {
    clearInterval(expiryTimer);
    clearInterval(healthTimer);
  };
}
