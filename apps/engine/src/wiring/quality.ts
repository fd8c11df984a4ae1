import type { Clock } from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { OrderManager } from "../orders/order-manager";
import { MarkoutSampler, type MarkoutSamplerOptions } from "../quality/markouts";

/** Execution quality: the markout sampler on the order book's live events; `stop()` clears its timers. */
export function wireQuality(
  deps: { orders: OrderManager; journal: Journal; quote: (symbol: string) => Quote | undefined; clock: Clock; log: Logger },
  options: MarkoutSamplerOptions = {},
): MarkoutSampler {
  const { orders, journal, quote, clock, log } = deps;
  return new MarkoutSampler({ book: orders.book, journal, quote, log, nowMs: () => clock.nowMs() }, options);
}
