import type http from "node:http";
import { z } from "zod";
import { CommandError } from "../orders/errors";
import type { AlertCentre } from "./alert-centre";
import { ALERT_STATES, SEVERITIES } from "./types";

/** The engine API's alert endpoints (routed in api/http-server.ts). */
const actor = z.string().min(1).max(128);
const ackBody = z.object({ actor, note: z.string().trim().max(1000).default("") }).strict();
const resolveBody = z.object({ actor, note: z.string().trim().min(1, "a note saying why is required").max(1000) }).strict();
const listQuery = z.object({
  state: z.enum([...ALERT_STATES, "all", "unresolved"]).default("all"),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

async function body(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new CommandError("INVALID_INPUT", "request body exceeds 65536 bytes");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new CommandError("INVALID_INPUT", "request body is not valid JSON");
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new CommandError("INVALID_INPUT", r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return r.data;
}

function need(alerts: AlertCentre | undefined): AlertCentre {
  if (!alerts) throw new CommandError("ENGINE_UNAVAILABLE", "the alert centre is not running in this engine");
  return alerts;
}

export const alertsApi = {
  /** GET /v1/alerts?state=open|acknowledged|resolved|unresolved|all&severity=critical&accountId=A&accountId=B&limit=500 */
  list(alerts: AlertCentre | undefined, url: URL) {
    const q = parse(listQuery, {
      state: url.searchParams.get("state") ?? undefined,
      severity: url.searchParams.get("severity") ?? undefined,
      limit: url.searchParams.get("limit") ?? undefined,
    });
    const accountIds = url.searchParams.getAll("accountId");
    return need(alerts).list({ ...q, accountIds: accountIds.length > 0 ? accountIds : undefined });
  },
  /** POST /v1/alerts/:id/acknowledge {actor, note?} */
  async acknowledge(alerts: AlertCentre | undefined, req: http.IncomingMessage, alertId: string) {
    const input = parse(ackBody, await body(req));
    return { alert: await need(alerts).acknowledge(alertId, input.actor, input.note) };
  },
  /** POST /v1/alerts/:id/resolve {actor, note} */
  async resolve(alerts: AlertCentre | undefined, req: http.IncomingMessage, alertId: string) {
    const input = parse(resolveBody, await body(req));
    return { alert: await need(alerts).resolve(alertId, input.actor, input.note) };
  },
};
