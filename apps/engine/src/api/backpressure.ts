import type http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * Backpressure at the engine's internal API: past a clear limit a request is answered at once with
 * 503 `Retry-After: 1` and code OVERLOADED, instead of joining a queue that takes seconds.
 * - at most ENGINE_MAX_IN_FLIGHT requests (default 1024) in flight at once; the event stream,
 *   /health and /metrics are not counted and never refused;
 * - while the event loop's p99 delay over two 250 ms windows in a row is above ENGINE_MAX_LOOP_DELAY_MS (default 500; 0 turns
 *   it off), new orders and modifications are refused; reads, cancels, halts and every other command still pass, so a stalled engine
 *   can still be seen and risk taken off (fail closed for new risk, not for visibility).
 * The console's own gate (apps/web/src/server/backpressure.ts) normally keeps far below this limit;
 * this one protects the engine from any caller.
 */

/** New orders and modifications: the only commands shed on a lagging loop (never cancels, halts or resets). */
export function isNewRisk(url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return path === "/v1/orders" || /^\/v1\/orders\/[^/]+\/modify$/.test(path);
}

export interface AdmissionOptions {
  maxInFlight: number;
  maxLoopDelayMs: number;
  windowMs: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

export class Admission {
  inFlight = 0;
  refused = 0;
  lastLoopDelayP99Ms = 0;
  private previousP99Ms = 0;
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly options: AdmissionOptions) {}

  /** Whether the request may proceed; if not, it has been answered (503 OVERLOADED). */
  admit(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = req.url ?? "/";
    if (url === "/health" || url === "/metrics" || url.startsWith("/v1/stream")) return true;
    const refusal = this.enter(req.method === "POST" && isNewRisk(url));
    if (refusal !== null) {
      const body = JSON.stringify(refusal.body);
      res.writeHead(503, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "retry-after": "1" });
      res.end(body);
      req.resume();
      return false;
    }
    res.once("close", () => this.leave());
    return true;
  }

  /**
   * Takes a place for one request (`newRisk`: a new order or a modification), or answers why not: the
   * 503 body to send. A place taken is given back with `leave()` once the request is answered.
   */
  enter(newRisk: boolean): { body: { error: { code: "OVERLOADED"; message: string } } } | null {
    this.startMonitor();
    let reason: string | null = null;
    if (this.inFlight >= this.options.maxInFlight) reason = `${this.inFlight} requests in flight (limit ${this.options.maxInFlight})`;
    else if (newRisk && this.options.maxLoopDelayMs > 0 && this.lastLoopDelayP99Ms > this.options.maxLoopDelayMs)
      reason = `event-loop delay p99 ${this.lastLoopDelayP99Ms.toFixed(0)} ms above ${this.options.maxLoopDelayMs} ms`;
    if (reason === null) {
      this.inFlight += 1;
      return null;
    }
    this.refused += 1;
    return { body: { error: { code: "OVERLOADED", message: `engine overloaded: ${reason}; retry shortly` } } };
  }

  leave(): void {
    this.inFlight -= 1;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
  }

  private startMonitor(): void {
    if (this.timer) return;
    this.histogram.enable();
    this.timer = setInterval(() => {
      // Two windows in a row: a single stall (a GC pause, a slow tick) does not shed, sustained lag does.
      const p99 = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
      this.lastLoopDelayP99Ms = Math.min(p99, this.previousP99Ms);
      this.previousP99Ms = p99;
      this.histogram.reset();
    }, this.options.windowMs);
    this.timer.unref();
  }
}

/** The engine process's admission control, configured from the environment on first use. */
let shared: Admission | undefined;
export function admission(): Admission {
  shared ??= new Admission({
    maxInFlight: intFromEnv("ENGINE_MAX_IN_FLIGHT", 1024),
    maxLoopDelayMs: intFromEnv("ENGINE_MAX_LOOP_DELAY_MS", 500),
    windowMs: 250,
  });
  return shared;
}

/** The one-line hook in http-server.ts: `if (!admit(req, res)) return;`. */
export function admit(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  return admission().admit(req, res);
}
