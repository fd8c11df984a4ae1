import { loadServerEnv } from "../../env";
import { EngineClient } from "../engine-client";

/**
 * Administrative actions go to the journal as audit events (the engine's POST /v1/audit/events,
 * apps/engine/src/audit/admin-events.ts): API keys created and revoked, sign-ins and failed
 * sign-ins, role changes, quality alert rules. Exports journal through their own job (exports/jobs.ts).
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
