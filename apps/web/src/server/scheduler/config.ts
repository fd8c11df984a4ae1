import path from "node:path";
import { z } from "zod";
import { SCHEDULED_DIR } from "./scheduled-store";

/**
 * The scheduler's settings, from the environment the launcher gives the console (the same pattern as
 * backpressureFromEnv): the session end the engine uses (SESSION_END_UTC, where daily P&L restarts
 * and DAY orders expire), where the digest's Ed25519 key lives, and whether to run at all.
 */
const schema = z.object({
  SESSION_END_UTC: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "SESSION_END_UTC must be HH:MM" })
    .default("21:00"),
  /** The data directory (`npm start` uses .data); the digest key is made there unless DIGEST_KEY_FILE says otherwise. */
  FILLMORE_DATA_DIR: z.string().min(1).default(".data"),
  DIGEST_KEY_FILE: z.string().min(1).optional(),
  /** 0: no scheduled reports or digests from this console. */
  SCHEDULED_REPORTS: z.enum(["0", "1"]).default("1"),
  /** Boundaries missed while the console was down that are made up at start (the newest ones). */
  SCHEDULED_CATCH_UP_DAYS: z.coerce.number().int().min(1).max(366).default(31),
});

export interface SchedulerConfig {
  enabled: boolean;
  /** Minutes after midnight UTC the trading day ends. */
  sessionEndMinutes: number;
  keyFile: string;
  /** Where scheduled reports and digests are kept (not swept like on-demand exports). */
  dir: string;
  catchUpDays: number;
}

/** The digest key's path: DIGEST_KEY_FILE, else digest-ed25519.pem in the data directory (used by audit:verify too). */
export function digestKeyFile(env: Record<string, string | undefined>): string {
  return path.resolve(env.DIGEST_KEY_FILE || path.join(env.FILLMORE_DATA_DIR || ".data", "digest-ed25519.pem"));
}

export function schedulerConfig(env: Record<string, string | undefined>): SchedulerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw new Error(`invalid web configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const e = parsed.data;
  const [h, m] = e.SESSION_END_UTC.split(":").map(Number);
  return {
    enabled: e.SCHEDULED_REPORTS === "1",
    sessionEndMinutes: (h ?? 0) * 60 + (m ?? 0),
    keyFile: digestKeyFile(env),
    dir: SCHEDULED_DIR,
    catchUpDays: e.SCHEDULED_CATCH_UP_DAYS,
  };
}
