import { DEFAULT_GTD_MAX_HORIZON_DAYS, GTD_STATIC_MAX_YEARS, ROUTING_POLICIES } from "@fillmore/shared";
import { z } from "zod";
import { DEFAULT_COMMAND_THROTTLE, DEFAULT_REFUSAL_JOURNAL } from "./risk/command-throttle";

const booleanFlag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");

const configSchema = z.object({
  DATABASE_URL: z.string().url({ message: "DATABASE_URL must be a postgres:// URL" }),
  ENGINE_HOST: z.string().default("127.0.0.1"),
  ENGINE_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  ENGINE_SERVICE_TOKEN: z.string().min(24, { message: "ENGINE_SERVICE_TOKEN must be at least 24 characters" }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DEMO_STRATEGY: booleanFlag.default(false),
  DEMO_STRATEGY_ORDERS_PER_S: z.coerce.number().min(0).max(1000).default(1),
  SIM_LATENCY_MS: z.coerce.number().min(0).max(10_000).default(5),
  SIM_TICK_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Held stops trigger on the last trade price or on the mid. */
  STOP_TRIGGER_PRICE: z.enum(["last", "mid"]).default("last"),
  /** DAY orders expire at this UTC time (HH:MM). */
  SESSION_END_UTC: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "SESSION_END_UTC must be HH:MM" })
    .default("21:00"),
  /** How the smart order router picks a venue when the order names none. */
  ROUTING_POLICY: z.enum(ROUTING_POLICIES).default("lowestCost"),
  JOURNAL_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  /**
   * Group commit: the least time between the starts of two journal commits, ms (0: a commit starts as
   * soon as the one before it ends). Under load, events that arrive meanwhile share one commit.
   */
  JOURNAL_COMMIT_INTERVAL_MS: z.coerce.number().min(0).max(50).default(0),
  /**
   * Committed events the engine's stream keeps for a follower that reconnects (`/v1/stream?after=`);
   * one that was away longer gets `reset` and takes a snapshot. Held events outlive the young
   * generation's collections, so a larger backlog is old-generation garbage (docs/PERFORMANCE.md).
   */
  STREAM_BACKLOG_EVENTS: z.coerce.number().int().min(100).max(100_000).default(1000),
  /** The journal chain's HMAC key (0600 file, made at first start); unset: unkeyed chain, no checkpoints. */
  JOURNAL_KEY_FILE: z.string().min(1).optional(),
  /** Signed checkpoints of the chain's head, JSON lines; default journal-checkpoints.jsonl next to the key. */
  JOURNAL_CHECKPOINT_FILE: z.string().min(1).optional(),
  JOURNAL_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  /** Cancels and modifies each principal may send per second, and its burst (docs/RISK.md). */
  COMMAND_RATE_PER_S: z.coerce.number().min(0.1).max(100_000).default(DEFAULT_COMMAND_THROTTLE.perSecond),
  COMMAND_BURST: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_COMMAND_THROTTLE.burst),
  /** Refused commands journaled one by one per principal and window; the rest become one summary alert per window. */
  REFUSAL_JOURNAL_PER_WINDOW: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_REFUSAL_JOURNAL.perWindow),
  REFUSAL_JOURNAL_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_REFUSAL_JOURNAL.windowMs),
  /** A GTD order may expire at most this many days ahead (checkExpireTime); never more than the schema's 10 years. */
  GTD_MAX_HORIZON_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(GTD_STATIC_MAX_YEARS * 365)
    .default(DEFAULT_GTD_MAX_HORIZON_DAYS),
  /** Alerts (apps/engine/src/alerts, docs/OPERATIONS.md "Alerts"): a repeat of the same code and subject within this window counts on the open alert. */
  ALERT_DEDUPE_WINDOW_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /** Where alert notifications are POSTed (JSON, signed); unset: the log and the console only. */
  ALERT_WEBHOOK_URL: z.string().url({ message: "ALERT_WEBHOOK_URL must be an http(s) URL" }).optional(),
  /** The HMAC-SHA256 key of X-Fillmore-Signature; required with ALERT_WEBHOOK_URL. */
  ALERT_WEBHOOK_SECRET: z.string().min(16, { message: "ALERT_WEBHOOK_SECRET must be at least 16 characters" }).optional(),
  ALERT_WEBHOOK_MIN_SEVERITY: z.enum(["critical", "warning", "info"]).default("warning"),
  ALERT_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  ALERT_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  ALERT_WEBHOOK_MAX_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(60_000),
  ALERT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5000),
  ALERT_WEBHOOK_QUEUE_MAX: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** REJECT_RATE: venue rejects above this % of orders sent within the window (0: off), with at least the minimum orders. */
  ALERT_REJECT_RATE_PCT: z.coerce.number().min(0).max(100).default(20),
  ALERT_REJECT_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  ALERT_REJECT_MIN_ORDERS: z.coerce.number().int().min(1).max(1_000_000).default(20),
});

export type EngineConfig = z.output<typeof configSchema>;

/** The only place the engine reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): EngineConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid engine configuration: ${problems}`);
  }
  return parsed.data;
}
