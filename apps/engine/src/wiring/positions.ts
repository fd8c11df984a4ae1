import type { AnyEvent, Clock } from "@fillmore/shared";
import type pg from "pg";
import { z } from "zod";
import type { JournalEntry } from "../journal/journal";
import type { Logger } from "../log";
import type { RandomWalkFeed } from "../marketdata/quotes";
import { parseSessionEnd } from "../orders/expiry";
import type { OrderManager } from "../orders/order-manager";
import { type FeeSchedule, feeScheduleOf, useFeeSchedules } from "../positions/fees";
import { LivePositions } from "../positions/live-positions";
import { PositionsProjection } from "../positions/positions-projection";
import type { ReferenceData } from "../reference";

/** Settings of the positions component, from the environment (or the engine config object, which wins). */
const positionsEnv = z.object({
  /** Which mark values unrealized P&L: the quote's mid, its last trade, or a manual mark. */
  POSITIONS_MARK_SOURCE: z.enum(["mid", "last", "manual"]).default("mid"),
  /** A mark (or FX rate) older than this many seconds is shown as stale. */
  POSITIONS_MARK_STALE_S: z.coerce.number().min(0.1).max(86_400).default(30),
  /** Per-account P&L method: "ACC-BETA=fifo,ACC-GAMMA=avgCost"; others use average cost. */
  POSITIONS_METHODS: z
    .string()
    .default("")
    .transform((s, ctx) => {
      const out: Record<string, "avgCost" | "fifo"> = {};
      for (const part of s.split(",").filter(Boolean)) {
        const [account, method] = part.split("=").map((x) => x.trim());
        if (!account || (method !== "avgCost" && method !== "fifo")) {
          ctx.addIssue({ code: "custom", message: `POSITIONS_METHODS: "${part}" is not ACCOUNT=avgCost|fifo` });
          return z.NEVER;
        }
        out[account] = method;
      }
      return out;
    }),
  /** Instruments whose quotes are FX rates for the USD roll-up. */
  POSITIONS_FX_SYMBOLS: z
    .string()
    .default("EURUSD")
    .transform((s) => s.split(",").filter(Boolean)),
  /** Intraday P&L is sampled this often (seconds), keeping at most this many points per account. */
  POSITIONS_PNL_SAMPLE_S: z.coerce.number().min(0.05).max(3600).default(10),
  POSITIONS_PNL_MAX_POINTS: z.coerce.number().int().min(10).max(100_000).default(8640),
  /** Mark moves are published to stream subscribers at most this often per position (ms). */
  POSITIONS_MARK_PUBLISH_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** How often mark moves are written to the position table (ms); fills are written after each commit. */
  POSITIONS_MARK_FLUSH_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
});

export interface PositionsWiring {
  live: LivePositions;
  projection: PositionsProjection;
  /** Phase 3, after replay: the position table rewritten from the replayed book; then kept up after each commit. */
  afterReplay(onCommit: (listener: (entries: readonly JournalEntry[]) => void) => void): Promise<void>;
  /** Phase 4: marks from the feed, timers. */
  start(): void;
  stop(): Promise<void>;
}

const FILL_TYPES = new Set<AnyEvent["type"]>(["OrderFilled", "OrderPartiallyFilled", "OrderTradeBusted", "OrderTradeCorrected"]);

/**
 * Phase 2: fee schedules for the venue-report path, and the live positions component subscribed to
 * the order book (before replay, so replay builds it).
 */
export function setUpPositions(deps: {
  config: object;
  orders: OrderManager;
  reference: ReferenceData;
  feed: RandomWalkFeed;
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  sessionEndUtc: string;
}): PositionsWiring {
  const env = positionsEnv.parse({ ...process.env, ...(deps.config as Record<string, unknown>) });
  const schedules = new Map<string, FeeSchedule>();
  for (const v of deps.reference.venues) {
    try {
      const s = feeScheduleOf(v.config);
      if (s) schedules.set(v.id, s);
    } catch (error) {
      deps.log.error({ venue: v.id, err: String(error) }, "venue fee schedule is malformed; its fills carry no scheduled fees");
    }
  }
  useFeeSchedules(deps.orders.book, (venueId) => schedules.get(venueId));

  const live = new LivePositions(deps.clock, {
    markSource: env.POSITIONS_MARK_SOURCE,
    markMaxAgeMs: env.POSITIONS_MARK_STALE_S * 1000,
    sessionEndMinutes: parseSessionEnd(deps.sessionEndUtc),
    accountMethods: env.POSITIONS_METHODS,
    fxSymbols: env.POSITIONS_FX_SYMBOLS,
    pnlSampleMs: env.POSITIONS_PNL_SAMPLE_S * 1000,
    pnlMaxPoints: env.POSITIONS_PNL_MAX_POINTS,
    markPublishMs: env.POSITIONS_MARK_PUBLISH_MS,
  });
  deps.orders.book.onApplied((event, order) => live.onApplied(event, order));
  for (const q of deps.feed.all()) live.onQuote(q);
  const projection = new PositionsProjection(deps.pool, live, deps.clock, deps.log, env.POSITIONS_MARK_FLUSH_MS);

  return {
    live,
    projection,
    async afterReplay(onCommit) {
      await projection.rewrite();
      onCommit((entries) => {
        if (entries.some((e) => FILL_TYPES.has(e.event.type))) projection.flush();
      });
    },
    start() {
      deps.feed.onQuote((q) => live.onQuote(q));
      live.start();
      projection.start();
    },
    async stop() {
      live.stop();
      projection.stop();
      projection.flush();
      await projection.idle();
    },
  };
}
