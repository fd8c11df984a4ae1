// How the launcher restarts a child that exits unexpectedly: backoff, and a limit per window.
import { z } from "zod";

export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more and the launcher gives up (exits non-zero). */
  maxRestarts: number;
  windowMs: number;
  /** The first restart waits this long, each further one in the window twice the one before, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

const intFrom = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const policyEnv = z.object({
  FILLMORE_RESTART_MAX: intFrom(0, 1000, 5),
  FILLMORE_RESTART_WINDOW_S: intFrom(1, 86_400, 300),
  FILLMORE_RESTART_BACKOFF_MS: intFrom(0, 600_000, 500),
  FILLMORE_RESTART_BACKOFF_MAX_MS: intFrom(0, 3_600_000, 30_000),
});

/** The policy from FILLMORE_RESTART_* (docs/OPERATIONS.md, "Supervision"); a bad value throws naming it. */
export function restartPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RestartPolicy {
  const raw = Object.fromEntries(Object.keys(policyEnv.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const parsed = policyEnv.safeParse(raw);
  if (!parsed.success)
    throw new Error(`invalid launcher configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const p = parsed.data;
  return {
    maxRestarts: p.FILLMORE_RESTART_MAX,
    windowMs: p.FILLMORE_RESTART_WINDOW_S * 1000,
    backoffMs: p.FILLMORE_RESTART_BACKOFF_MS,
    maxBackoffMs: Math.max(p.FILLMORE_RESTART_BACKOFF_MS, p.FILLMORE_RESTART_BACKOFF_MAX_MS),
  };
}

/** The wait before the n-th restart within the window (n from 1). */
export function backoffFor(policy: RestartPolicy, n: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, n - 1));
}

/** Counts restarts in a sliding window: whether one more is allowed, and how long to wait before it. */
export class RestartBudget {
  private readonly times: number[] = [];

  constructor(
    private readonly policy: RestartPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one restart: `{ delayMs }` when allowed, or null when the limit in the window is reached. */
  take(): { n: number; delayMs: number } | null {
    const now = this.now();
    while (this.times.length > 0 && (this.times[0] ?? 0) <= now - this.policy.windowMs) this.times.shift();
    if (this.times.length >= this.policy.maxRestarts) return null;
    this.times.push(now);
    return { n: this.times.length, delayMs: backoffFor(this.policy, this.times.length) };
  }
}
