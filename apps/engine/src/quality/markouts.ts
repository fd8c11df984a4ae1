import { type AnyEvent, isTerminal, type MarkoutSampledData, money, type Order } from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { OrderBook } from "../orders/order-book";
import { quoteSnapshot } from "./arrival";
import { DueQueue } from "./due-queue";
import { CLOSE_SAMPLE_EXEC_ID, MARKOUT_HORIZONS_MS } from "./metrics";

export interface MarkoutSamplerOptions {
  /** Horizons after each fill, ms (default 1 s, 5 s, 60 s). Tests use short ones. */
  horizonsMs?: readonly number[];
  /** Samples waiting at most; beyond it new ones are dropped and counted (bounded memory). */
  maxPending?: number;
}

export interface MarkoutSamplerDeps {
  book: Pick<OrderBook, "onRecorded">;
  journal: Pick<Journal, "append">;
  quote: (symbol: string) => Quote | undefined;
  log: Logger;
  /** Wall-clock ms now (the book's clock). */
  nowMs: () => number;
}

interface Pending {
  dueMs: number;
  orderId: string;
  accountId: string;
  symbol: string;
  execId: string;
  horizonMs: number;
}

type Sample = NonNullable<MarkoutSampledData["earlier"]>[number];

/**
 * A horizon's timer fires at most this often: each firing takes every sample then due, so a sample is
 * taken up to this long after its horizon (its quote's own `ts` is journaled with it). At 1,000 fills a
 * second, one timer per sample cost the event loop a timer and a re-arm for each of 3,000 samples a second.
 */
export const MARKOUT_TIMER_SLACK_MS = 10;

/** Samples taken at a fill's shorter horizons, waiting for its last one to be journaled with it. */
interface Held {
  orderId: string;
  accountId: string;
  execId: string;
  samples: Sample[];
}

/**
 * Samples the mid at fixed horizons after each live fill and journals them (`MarkoutSampled`), so
 * markouts and measured impact trace back to events: each sample is taken at its horizon, and a
 * fill's samples are journaled together, as one event at its last horizon (`earlier` holds the
 * shorter ones), so a fill costs the journal one event, not one per horizon. `stop()` journals the
 * samples already taken. Also samples the mid when a partly filled order ends with quantity unfilled
 * (execId "@end", horizon 0: the close mid P_c of the opportunity cost), journaled at once.
 *
 * Listens to events recorded live (`onRecorded`), not replayed ones: a replayed fill's horizons
 * passed long ago, and sampling now would journal a wrong benchmark. One FIFO per horizon (fills
 * arrive in time order, so each queue is sorted by due time) and one unref'd timer per horizon.
 */
export class MarkoutSampler {
  private readonly horizons: readonly number[];
  private readonly maxPending: number;
  private readonly queues = new Map<number, DueQueue<Pending>>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly held = new Map<string, Held>();
  private readonly lastHorizon: number;
  private pendingCount = 0;
  private stopped = false;
  /** Samples not taken because the pending cap was reached. */
  dropped = 0;
  /** Samples journaled. */
  sampled = 0;

  constructor(
    private readonly deps: MarkoutSamplerDeps,
    options: MarkoutSamplerOptions = {},
  ) {
    this.horizons = options.horizonsMs ?? MARKOUT_HORIZONS_MS;
    this.maxPending = options.maxPending ?? 200_000;
    this.lastHorizon = Math.max(...this.horizons);
    for (const h of this.horizons) this.queues.set(h, new DueQueue<Pending>());
    deps.book.onRecorded((event, order) => this.onEvent(event, order));
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Stops sampling; the samples already taken are journaled (with the horizons still due left out). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const q of this.queues.values()) q.clear();
    this.pendingCount = 0;
    for (const h of this.held.values()) {
      const last = h.samples[h.samples.length - 1];
      if (last) this.journal(h, last, h.samples.slice(0, -1));
    }
    this.held.clear();
  }

  private onEvent(event: AnyEvent, order: Order | undefined): void {
    if (this.stopped || !order) return;
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      const now = this.deps.nowMs();
      // A fill's horizons are kept or dropped together: its samples are journaled as one event.
      if (this.pendingCount + this.horizons.length > this.maxPending) {
        this.dropped += this.horizons.length;
        return;
      }
      for (const horizonMs of this.horizons) {
        const queue = this.queues.get(horizonMs);
        if (!queue) continue;
        queue.push({
          dueMs: now + horizonMs,
          orderId: order.orderId,
          accountId: order.accountId,
          symbol: order.symbol,
          execId: event.data.execId,
          horizonMs,
        });
        this.pendingCount += 1;
        this.arm(horizonMs);
      }
      return;
    }
    const ended = event.type === "OrderCancelled" || event.type === "OrderExpired";
    // Only for a partial fill: an order that never traded journals no extra event (its IS opportunity stays open).
    if (ended && isTerminal(order.ordStatus) && money.isPositive(order.cumQty) && money.lt(order.cumQty, order.orderQty)) {
      this.take({
        dueMs: this.deps.nowMs(),
        orderId: order.orderId,
        accountId: order.accountId,
        symbol: order.symbol,
        execId: CLOSE_SAMPLE_EXEC_ID,
        horizonMs: 0,
      });
    }
  }

  private arm(horizonMs: number): void {
    if (this.stopped || this.timers.has(horizonMs)) return;
    const head = this.queues.get(horizonMs)?.peek();
    if (!head) return;
    const timer = setTimeout(() => this.fire(horizonMs), Math.max(MARKOUT_TIMER_SLACK_MS, head.dueMs - this.deps.nowMs()));
    timer.unref();
    this.timers.set(horizonMs, timer);
  }

  private fire(horizonMs: number): void {
    this.timers.delete(horizonMs);
    if (this.stopped) return;
    const due = this.queues.get(horizonMs)?.takeDue(this.deps.nowMs()) ?? [];
    this.pendingCount -= due.length;
    for (const p of due) this.take(p);
    this.arm(horizonMs);
  }

  private take(p: Pending): void {
    const snap = quoteSnapshot(this.deps.quote(p.symbol));
    const sample: Sample = { horizonMs: p.horizonMs, mid: snap?.mid ?? null, ts: snap?.ts ?? null };
    if (p.execId === CLOSE_SAMPLE_EXEC_ID) {
      this.journal(p, sample, []);
      return;
    }
    const key = `${p.orderId}\u0000${p.execId}`;
    const held = this.held.get(key) ?? { orderId: p.orderId, accountId: p.accountId, execId: p.execId, samples: [] };
    if (p.horizonMs !== this.lastHorizon) {
      held.samples.push(sample);
      this.held.set(key, held);
      return;
    }
    this.held.delete(key);
    this.journal(p, sample, held.samples);
  }

  private journal(p: Pick<Pending, "orderId" | "accountId" | "execId">, sample: Sample, earlier: Sample[]): void {
    try {
      this.deps.journal.append({
        type: "MarkoutSampled",
        orderId: p.orderId,
        accountId: p.accountId,
        actor: "quality",
        data: { orderId: p.orderId, execId: p.execId, ...sample, ...(earlier.length > 0 ? { earlier } : {}) },
      });
      this.sampled += 1 + earlier.length;
    } catch (error) {
      this.deps.log.warn({ err: error, orderId: p.orderId, execId: p.execId }, "markout sample not journaled");
    }
  }
}
