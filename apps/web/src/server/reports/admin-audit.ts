import { TRPCError } from "@trpc/server";
import { loadServerEnv } from "../../env";
import { EngineClient } from "../engine-client";

/**
 * Administrative actions go to the journal as audit events (the engine's POST /v1/audit/events,
 * apps/engine/src/audit/admin-events.ts): API keys created and revoked, sign-ins and failed
 * sign-ins, users created, disabled and their roles changed, quality alert rules. Exports journal through their own job (exports/jobs.ts).
 *
 * The sink is the engine named by the console's configuration (the same ENGINE_URL and service token
 * the console uses). A process without that configuration (unit tests, the create-admin CLI before
 * the engine exists) has no sink and journals nothing; tests set one with setAdminAuditSink.
 */
export interface AdminEvent {
  type:
    | "ApiKeyCreated"
    | "ApiKeyRevoked"
    | "UserSignedIn"
    | "SignInFailed"
    | "UserRoleChanged"
    | "UserCreated"
    | "UserDisabled"
    | "QualityAlertRuleSet"
    | "QualityAlertRuleDeleted";
  actor: string;
  data: Record<string, unknown>;
}
export type AdminAuditSink = (event: AdminEvent) => Promise<unknown>;

let sink: AdminAuditSink | null | undefined;

function defaultSink(): AdminAuditSink | null {
  try {
    const env = loadServerEnv();
    const engine = new EngineClient(env.ENGINE_URL, env.ENGINE_SERVICE_TOKEN);
    return (event) => engine.journalAdminEvent({ ...event, accountId: null });
  } catch {
    return null;
  }
}

/** Replaces the sink (tests); null: journal nothing. */
export function setAdminAuditSink(next: AdminAuditSink | null): void {
  sink = next;
}

/** Journals an administrative action; resolves once durable (or at once without a sink). */
export async function journalAdminAction(event: AdminEvent): Promise<void> {
  if (sink === undefined) sink = defaultSink();
  if (sink) await sink(event);
}

/**
 * An administrative change refused because its event could not be journaled: nothing was changed
 * (the change and its event are all-or-nothing), and trying again is safe.
 */
export class NotJournaledError extends TRPCError {
  constructor(event: AdminEvent["type"], cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super({ code: "SERVICE_UNAVAILABLE", message: `${event} could not be journaled (${why}): nothing was changed, try again`, cause });
  }
}

/**
 * Journals an action that must not happen unjournaled. Call it inside the transaction that makes the
 * change: a failure throws NotJournaledError, the transaction rolls back, and the caller sees why.
 */
export async function journalOrRefuse(event: AdminEvent): Promise<void> {
  try {
    await journalAdminAction(event);
  } catch (error) {
    throw new NotJournaledError(event.type, error);
  }
}

/**
 * Whether the journal holds an event of this type whose data has `field` = `value` (the console's role
 * reads the journal): a retried change whose event is missing journals it, once.
 */
export async function isJournaled(
  db: { $queryRaw<T>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T> },
  type: AdminEvent["type"],
  field: string,
  value: string,
): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM journal WHERE type = ${type} AND payload->'data'->>${field} = ${value} LIMIT 1`;
  return rows.length > 0;
}
