import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * Backpressure for the console: past a clear limit a request is refused at once with 503 and
 * `Retry-After: 1` (reason OVERLOADED) instead of waiting in a queue for seconds. Two limits:
 * - a concurrency gate on calls to the engine: at most `limit` in flight, then a short queue of
 *   `queue` callers who wait at most `maxWaitMs` each;
 * - the console's own event-loop delay: when its recent p99 is above `maxLoopDelayMs` the console is
 *   already behind, and new API requests are refused until it catches up.
 */

export const RETRY_AFTER_S = 1;

export class OverloadedError extends Error {
  readonly code = "OVERLOADED";
  readonly retryAfterMs = RETRY_AFTER_S * 1000;
  constructor(message: string) {
    super(message);
    this.name = "OverloadedError";
  }
}

export interface GateOptions {
  /** Calls in flight at once. */
  limit: number;
  /** Callers that may wait for a free slot; beyond them, refused at once. */
  queue: number;
  /** How long a queued caller waits before it is refused. */
  maxWaitMs: number;
}

export const DEFAULT_GATE: GateOptions = { limit: 64, queue: 256, maxWaitMs: 50 };

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

export class ConcurrencyGate {
  inFlight = 0;
  refused = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly options: GateOptions = DEFAULT_GATE) {}

  get queued(): number {
    return this.waiters.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> | undefined {
    if (this.inFlight < this.options.limit && this.waiters.length === 0) {
      this.inFlight += 1;
      return undefined;
    }
    if (this.waiters.length >= this.options.queue) {
      this.refused += 1;
      return Promise.reject(
        new OverloadedError(`console overloaded: ${this.inFlight} engine calls in flight and ${this.waiters.length} queued; retry shortly`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          this.refused += 1;
          reject(new OverloadedError(`console overloaded: no engine slot free within ${this.options.maxWaitMs} ms; retry shortly`));
        }, this.options.maxWaitMs),
      };
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) {
      // The slot passes straight to the next waiter: inFlight stays the same.
      clearTimeout(next.timer);
      next.resolve();
      return;
    }
    this.inFlight -= 1;
  }
}

/**
 * Watches this process's event-loop delay (perf_hooks.monitorEventLoopDelay) in windows of
 * `windowMs`;  `overloaded` is true while the p99 delay of the last two windows was above `maxDelayMs`.
 */
export class LoopDelayShedder {
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;
  lastP99Ms = 0;
  private previousP99Ms = 0;
  shed = 0;

  constructor(
    readonly maxDelayMs = 500,
    private readonly windowMs = 250,
  ) {}

  start(): this {
    if (this.timer) return this;
    this.histogram.enable();
    this.timer = setInterval(() => {
      // Two windows in a row: a single stall (a GC pause, a slow tick) does not shed, sustained lag does.
      const p99 = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
      this.lastP99Ms = Math.min(p99, this.previousP99Ms);
      this.previousP99Ms = p99;
      this.histogram.reset();
    }, this.windowMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
  }

  get overloaded(): boolean {
    return this.maxDelayMs > 0 && this.lastP99Ms > this.maxDelayMs;
  }

  /** Throws OVERLOADED while the event loop is behind. */
  check(): void {
    if (!this.overloaded) return;
    this.shed += 1;
    throw new OverloadedError(
      `console overloaded: event-loop delay p99 ${this.lastP99Ms.toFixed(0)} ms above ${this.maxDelayMs} ms; retry shortly`,
    );
  }
}

/** Limits from the environment (all optional): CONSOLE_ENGINE_CONCURRENCY, CONSOLE_ENGINE_QUEUE, CONSOLE_ENGINE_QUEUE_WAIT_MS, CONSOLE_MAX_LOOP_DELAY_MS. */
export function backpressureFromEnv(env: NodeJS.ProcessEnv = process.env): { gate: GateOptions; maxLoopDelayMs: number } {
  const int = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`invalid web configuration: ${name} must be an integer ≥ ${min}`);
    return value;
  };
  return {
    gate: {
      limit: int("CONSOLE_ENGINE_CONCURRENCY", DEFAULT_GATE.limit, 1),
      queue: int("CONSOLE_ENGINE_QUEUE", DEFAULT_GATE.queue, 0),
      maxWaitMs: int("CONSOLE_ENGINE_QUEUE_WAIT_MS", DEFAULT_GATE.maxWaitMs, 1),
    },
    maxLoopDelayMs: int("CONSOLE_MAX_LOOP_DELAY_MS", 500, 0),
  };
}

/** The tRPC-shaped JSON body of an overload refusal (HTTP 503, `Retry-After: 1`). */
export function overloadedBody(error: OverloadedError): string {
  return JSON.stringify({
    error: {
      message: error.message,
      code: -32603,
      data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503, reason: "OVERLOADED", retryAfterMs: error.retryAfterMs },
    },
  });
}
