import { TokenBuckets } from "./token-bucket";

/** Cancels and modifies per principal: refill rate per second and burst. */
export interface CommandThrottleLimits {
  perSecond: number;
  burst: number;
}

/** How many refusals per principal are journaled one by one in each window; the rest are counted. */
export interface RefusalJournalLimits {
  perWindow: number;
  windowMs: number;
}

export const DEFAULT_COMMAND_THROTTLE: CommandThrottleLimits = { perSecond: 100, burst: 200 };
export const DEFAULT_REFUSAL_JOURNAL: RefusalJournalLimits = { perWindow: 20, windowMs: 10_000 };

/** Actors the engine itself acts as (expiry): never throttled, so an order always expires on time. */
export const UNTHROTTLED_ACTORS: ReadonlySet<string> = new Set(["engine"]);

/**
 * A token bucket per principal for cancels and modifies. Time comes from the caller. The
 * cancel-all command (the desk's panic button) and the cancels it fans out to are not counted.
 */
export class CommandThrottle {
  private readonly buckets = new TokenBuckets();

  constructor(readonly limits: CommandThrottleLimits = DEFAULT_COMMAND_THROTTLE) {}

  /** Takes a token for the actor's command; false when the actor has none left (the command is refused). */
  tryTake(actor: string, nowMs: number): boolean {
    if (UNTHROTTLED_ACTORS.has(actor)) return true;
    const { perSecond, burst } = this.limits;
    if (this.buckets.available(actor, perSecond, burst, nowMs) < 1) return false;
    this.buckets.take(actor, perSecond, burst, nowMs);
    return true;
  }
}

/** Refusals of one principal that were counted but not journaled one by one, in a window now closed. */
export interface SuppressedRefusals {
  actor: string;
  fromMs: number;
  toMs: number;
  /** Refusals not journaled one by one, by command and code ("cancel RATE_LIMITED": 480). */
  counts: Record<string, number>;
  total: number;
}

interface Window {
  startMs: number;
  journaled: number;
  counts: Record<string, number>;
  total: number;
}

/**
 * Keeps the journal bounded under abuse while recording that it happened: per principal, the first
 * `perWindow` refusals of each window are journaled one by one; the rest are only counted, and when
 * the window closes the count becomes one summary event. So a principal can add at most
 * `perWindow + 1` refusal events per window however hard it tries. Time comes from the caller.
 */
export class RefusalBudget {
  private readonly windows = new Map<string, Window>();

  constructor(readonly limits: RefusalJournalLimits = DEFAULT_REFUSAL_JOURNAL) {}

  /** True: journal this refusal; false: it was counted for the window's summary. */
  admit(actor: string, what: string, nowMs: number): boolean {
    let window = this.windows.get(actor);
    if (!window || nowMs >= window.startMs + this.limits.windowMs) {
      window = { startMs: nowMs, journaled: 0, counts: {}, total: 0 };
      this.windows.set(actor, window);
    }
    if (window.journaled < this.limits.perWindow) {
      window.journaled += 1;
      return true;
    }
    window.counts[what] = (window.counts[what] ?? 0) + 1;
    window.total += 1;
    return false;
  }

  /** Windows that have ended: removed, and returned when some refusals in them were not journaled. */
  closed(nowMs: number): SuppressedRefusals[] {
    const out: SuppressedRefusals[] = [];
    for (const [actor, window] of this.windows) {
      const toMs = window.startMs + this.limits.windowMs;
      if (nowMs < toMs) continue;
      this.windows.delete(actor);
      if (window.total > 0) out.push({ actor, fromMs: window.startMs, toMs, counts: window.counts, total: window.total });
    }
    return out;
  }

  /** True while some open window holds refusals not yet journaled. */
  hasOpenSuppressed(): boolean {
    for (const window of this.windows.values()) if (window.total > 0) return true;
    return false;
  }
}
