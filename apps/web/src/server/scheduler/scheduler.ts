import fs from "node:fs/promises";
import type { PrismaClient } from "@fillmore/db";
import type { Logger } from "pino";
import type { EngineClient } from "../engine-client";
import { dueBoundaries, nextBoundaryAfter, tradingDay } from "./boundaries";
import type { SchedulerConfig } from "./config";
import { runBoundary } from "./daily-run";
import { loadOrCreateDigestKey } from "./digest";
import { lastDoneBoundary, type ScheduledDay, scheduledPaths } from "./scheduled-store";

/** Time for the scheduler: real in the console, fake in tests. */
export interface SchedulerClock {
  nowMs(): number;
  /** Calls `fn` after `ms`; answers a cancel. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: SchedulerClock = {
  nowMs: () => Date.now(),
  after(ms, fn) {
    // setTimeout holds at most 2^31 − 1 ms; a boundary is at most a day away.
    const timer = setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** How soon a failed run is tried again. */
const RETRY_MS = 5 * 60_000;

/** A lock older than this is a console that died mid-run: taken over. */
const STALE_LOCK_MS = 30 * 60_000;

export interface SchedulerDeps {
  prisma: PrismaClient;
  engine: Pick<EngineClient, "journalAdminEvent">;
  config: SchedulerConfig;
  log: Pick<Logger, "info" | "warn" | "error">;
  clock?: SchedulerClock;
}

/**
 * Runs the day's scheduled work at every session boundary, in the console: at start the boundaries
 * missed while it was down (since the newest finished day, at most catchUpDays), then a timer for the
 * next boundary. Console processes on one machine share the directory; a per-day lock file lets one
 * of them do each day. A failed day is logged and tried again five minutes later.
 */
export class DailyScheduler {
  private readonly clock: SchedulerClock;
  private cancel: (() => void) | null = null;
  private running: Promise<ScheduledDay[]> | null = null;
  private stopped = false;
  /** The last run failed (engine or database unreachable): try again soon rather than at the next boundary. */
  private failed = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.clock = deps.clock ?? realClock;
  }

  start(): this {
    void this.runDue().finally(() => this.arm());
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  /** Every boundary due now, oldest first; answers the days made by this call. */
  runDue(): Promise<ScheduledDay[]> {
    this.running ??= this.runAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.clock.nowMs();
    const next = nextBoundaryAfter(now, this.deps.config.sessionEndMinutes);
    // A second after the boundary: events stamped at the boundary's millisecond are in the journal.
    const wait = Math.min(next - now + 1000, this.failed ? RETRY_MS : Number.POSITIVE_INFINITY);
    this.cancel = this.clock.after(wait, () => void this.runDue().finally(() => this.arm()));
  }

  private async runAll(): Promise<ScheduledDay[]> {
    const { config, log } = this.deps;
    const done: ScheduledDay[] = [];
    this.failed = false;
    try {
      await fs.mkdir(config.dir, { recursive: true });
      const key = loadOrCreateDigestKey(config.keyFile);
      const last = await lastDoneBoundary(config.dir);
      for (const boundary of dueBoundaries(this.clock.nowMs(), config.sessionEndMinutes, last, config.catchUpDays)) {
        if (this.stopped) break;
        const day = await this.withLock(boundary, () =>
          runBoundary(
            { prisma: this.deps.prisma, engine: this.deps.engine, dir: config.dir, key, now: () => new Date(this.clock.nowMs()) },
            boundary,
          ),
        );
        if (day) {
          done.push(day);
          log.info(
            { day: day.day, files: day.files.map((f) => f.fileName), digestSeq: day.digest?.seq ?? null },
            "scheduled daily reports written",
          );
        }
      }
    } catch (error) {
      this.failed = true;
      log.error(
        { err: error instanceof Error ? error.message : String(error) },
        "scheduled daily reports failed; trying again in 5 minutes",
      );
    }
    return done;
  }

  /** Runs `fn` if this process gets the day's lock (another console process may hold it). */
  private async withLock<T>(boundary: number, fn: () => Promise<T>): Promise<T | null> {
    const { lock, manifest } = scheduledPaths(this.deps.config.dir, tradingDay(boundary).day);
    const stat = await fs.stat(lock).catch(() => null);
    if (stat && this.clock.nowMs() - stat.mtimeMs > STALE_LOCK_MS) await fs.rm(lock, { force: true });
    const handle = await fs.open(lock, "wx").catch(() => null);
    if (!handle) return null;
    try {
      await handle.write(String(process.pid));
      // Another process may have finished the day between our listing and the lock.
      if (await fs.stat(manifest).catch(() => null)) return null;
      return await fn();
    } finally {
      await handle.close();
      await fs.rm(lock, { force: true });
    }
  }
}
