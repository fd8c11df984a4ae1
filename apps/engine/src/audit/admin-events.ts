import { z } from "zod";
import type { EventDraft, Journal } from "../journal/journal";
import { CommandError } from "../orders/errors";

/**
 * Administrative actions journaled as audit events (POST /v1/audit/events, routed in
 * api/http-server.ts): exports produced, API keys created and revoked, sign-ins and failed
 * sign-ins, users created, disabled and their role changes, execution-quality alert rules set and removed. The console says who acted; the engine stamps, chains and commits the
 * event like any other and answers once it is durable, with its seq and hash. Only these types are
 * accepted, each with a closed shape: nothing else can be written to the journal through this door.
 * Their types are in packages/shared/src/events.ts; replay passes them by (no engine state depends on them).
 */
const text = (max: number) => z.string().min(1).max(max);
const actor = text(128);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lower-case hex");

export const ADMIN_EVENTS = {
  /** A file exported from the console: what, for whom, which filters, how many rows, and its SHA-256. */
  ExportProduced: z
    .object({
      exportId: text(64),
      source: text(64),
      format: z.enum(["csv", "xlsx", "pdf", "json", "psv", "xml", "ndjson", "bz2", "meta.json"]),
      fileName: text(255),
      filters: z.record(z.string(), z.unknown()),
      rows: z.number().int().min(0),
      bytes: z.number().int().min(0),
      sha256,
    })
    .strict(),
  ApiKeyCreated: z.object({ keyId: text(64), name: text(128), role: text(32), accountIds: z.array(text(128)).max(1000) }).strict(),
  ApiKeyRevoked: z.object({ keyId: text(64), name: text(128) }).strict(),
  UserSignedIn: z.object({ userId: text(128), email: text(320), ip: text(64) }).strict(),
  SignInFailed: z
    .object({ email: z.string().max(320), ip: text(64), outcome: z.enum(["bad-password", "unknown-account", "blocked", "disabled"]) })
    .strict(),
  UserRoleChanged: z.object({ userId: text(128), email: text(320), old: text(32), new: text(32) }).strict(),
  UserCreated: z.object({ userId: text(128), email: text(320), name: text(128), role: text(32) }).strict(),
  UserDisabled: z.object({ userId: text(128), email: text(320), role: text(32), sessionsRevoked: z.number().int().min(0) }).strict(),
  QualityAlertRuleSet: z
    .object({
      ruleId: text(64),
      metric: text(64),
      venue: text(64).nullable(),
      threshold: z.number().finite(),
      clearBelow: z.number().finite(),
      windowMs: z.number().int().positive(),
      minOrders: z.number().int().min(0),
      enabled: z.boolean(),
    })
    .strict(),
  QualityAlertRuleDeleted: z.object({ ruleId: text(64) }).strict(),
} as const;
export type AdminEventType = keyof typeof ADMIN_EVENTS;

const body = z
  .object({
    type: z.enum(Object.keys(ADMIN_EVENTS) as [AdminEventType, ...AdminEventType[]]),
    actor,
    /** The trading account the action concerns, if any (an account-bound key's export). */
    accountId: text(128).nullable().default(null),
    data: z.unknown(),
  })
  .strict();

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new CommandError("INVALID_INPUT", r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return r.data;
}

/** Validates, journals and waits until durable; answers the event's seq, ts and hash. */
export async function journalAdminEvent(journal: Journal, raw: unknown): Promise<{ seq: number; ts: string; type: AdminEventType }> {
  const { type, actor: who, accountId, data: rawData } = parse(body, raw);
  const data = parse(ADMIN_EVENTS[type], rawData);
  // Checked above against the shape of its own type (ADMIN_EVENTS); TypeScript cannot pair a union of types with their data.
  const draft = { type, orderId: null, accountId, actor: who, data } as EventDraft;
  const { event } = journal.append(draft);
  await journal.durable(event.seq);
  return { seq: event.seq, ts: event.ts, type };
}
