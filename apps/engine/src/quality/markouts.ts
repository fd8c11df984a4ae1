import { type AnyEvent, type ArrivalQuote, isTerminal, type MarkoutSampledData, money, type Order } from "@fillmore/shared";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { OrderBook } from "../orders/order-book";
import { quoteSnapshot } from "./arrival";
import { HorizonQueue } from "./horizon-queue";
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

/** A live fill waiting for its horizons, with the quotes taken at the shorter ones (in horizon order). */
interface Tracked {
  /** When the fill was recorded, ms since the sampler started (a small integer, not a boxed double): its horizons count from here. */
  atMs: number;
  orderId: string;
  accountId: string;
  symbol: string;
  execId: string;
  /** The quote snapshot at each shorter horizon so far (null: no two-sided quote then); shared, not copied. */
  taken: Taken[];
}

type Taken = Readonly<ArrivalQuote> | null;

type Sample = NonNullable<MarkoutSampledData["earlier"]>[number];

/** Shared by every fill before its first sample; frozen, as it is never written. */
const NOTHING_TAKEN = Object.freeze([]) as unknown as Taken[];

/**
 * The timer fires at most this often: each firing takes every sample then due, so a sample is taken
 * up to this long after its horizon (its quote's own `ts` is journaled with it). At 1,000 fills a
 * second, one timer per sample cost the event loop a timer and a re-arm for each of 3,000 samples a second.
 */
export const MARKOUT_TIMER_SLACK_MS = 10;

/**
 * Samples the mid at fixed horizons after each live fill and journals them (`MarkoutSampled`), so
 * markouts and measured impact trace back to events: each sample is taken at its horizon, and a
 * fill's samples are journaled together, as one event at its last horizon (`earlier` holds the
 * shorter ones), so a fill costs the journal one event, not one per horizon. `stop()` journals the
 * samples already taken. Also samples the mid when a partly filled order ends with quantity unfilled
 * (execId "@end", horizon 0: the close mid P_c of the opportunity cost), journaled at once.
 *
 * Listens to events recorded live (`onRecorded`), not replayed ones: a replayed fill's horizons
 * passed long ago, and sampling now would journal a wrong benchmark. Fills arrive in time order, so
 * one queue holds each fill once for all its horizons (at 1,000 fills a second the longest horizon
 * keeps 60,000 of them, and each is kept in as few objects as it can be), and one unref'd timer
 * serves every horizon.
 */
export class MarkoutSampler {
  private readonly queue: HorizonQueue<Tracked>;
  private readonly maxPending: number;
  private readonly lastHorizon: number;
  private readonly startMs: number;
  private timer: NodeJS.Timeout | null = null;
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
    const horizons = [...new Set(options.horizonsMs ?? MARKOUT_HORIZONS_MS)].sort((a, b) => a - b);
    this.queue = new HorizonQueue(horizons);
    this.lastHorizon = horizons.length - 1;
    this.maxPending = options.maxPending ?? 200_000;
    this.startMs = deps.nowMs();
    deps.book.onRecorded((event, order) => this.onEvent(event, order));
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Stops sampling; the samples already taken are journaled (with the horizons still due left out). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.queue.waiting();
    this.queue.clear();
    this.pendingCount = 0;
    for (const t of waiting) {
      const samples = this.samplesOf(t.taken);
      const last = samples.pop();
      if (last) this.journal(t, last, samples);
    }
  }

  private onEvent(event: AnyEvent, order: Order | undefined): void {
    if (this.stopped || !order) return;
    if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
      const horizons = this.queue.horizonsMs.length;
      // A fill's horizons are kept or dropped together: its samples are journaled as one event.
      if (this.pendingCount + horizons > this.maxPending) {
        this.dropped += horizons;
        return;
      }
      this.queue.push({
        atMs: this.sinceStart(),
        orderId: order.orderId,
        accountId: order.accountId,
        symbol: order.symbol,
        execId: event.data.execId,
        taken: NOTHING_TAKEN,
      });
      this.pendingCount += horizons;
      this.arm();
      return;
    }
    const ended = event.type === "OrderCancelled" || event.type === "OrderExpired";
    // Only for a partial fill: an order that never traded journals no extra event (its IS opportunity stays open).
    if (ended && isTerminal(order.ordStatus) && money.isPositive(order.cumQty) && money.lt(order.cumQty, order.orderQty)) {
      const close = { orderId: order.orderId, accountId: order.accountId, execId: CLOSE_SAMPLE_EXEC_ID };
      this.journal(close, sampleOf(0, this.quoteNow(order.symbol)), []);
    }
  }

  private arm(): void {
    if (this.stopped || this.timer) return;
    const due = this.queue.nextDueMs();
    if (due === undefined) return;
    this.timer = setTimeout(() => this.fire(), Math.max(MARKOUT_TIMER_SLACK_MS, due - this.sinceStart()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    if (this.stopped) return;
    this.pendingCount -= this.queue.takeDue(this.sinceStart(), (t, h) => this.take(t, h));
    this.arm();
  }

  private take(t: Tracked, h: number): void {
    const quote = this.quoteNow(t.symbol);
    if (h !== this.lastHorizon) {
      t.taken = t.taken.concat([quote]); // exact size: a spread or push keeps room for 16 more
      return;
    }
    this.journal(t, sampleOf(this.queue.horizonsMs[h] as number, quote), this.samplesOf(t.taken));
    t.taken = NOTHING_TAKEN;
  }

  /** The samples of the shorter horizons from the quotes taken at them. */
  private samplesOf(taken: readonly Taken[]): Sample[] {
    return taken.map((quote, h) => sampleOf(this.queue.horizonsMs[h] as number, quote));
  }

  private sinceStart(): number {
    return this.deps.nowMs() - this.startMs;
  }

  private quoteNow(symbol: string): Taken {
    return quoteSnapshot(this.deps.quote(symbol)) ?? null;
  }

  private journal(p: Pick<Tracked, "orderId" | "accountId" | "execId">, sample: Sample, earlier: Sample[]): void {
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

const sampleOf = (horizonMs: number, quote: Taken): Sample => ({ horizonMs, mid: quote?.mid ?? null, ts: quote?.ts ?? null });
