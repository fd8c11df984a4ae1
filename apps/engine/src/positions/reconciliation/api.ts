import type http from "node:http";
import { z } from "zod";
import { CommandError } from "../../orders/errors";
import type { Reconciliation } from "./reconciliation";

/** The engine API's reconciliation endpoints (wired in api/http-server.ts). Bodies are JSON; a statement may be up to 4 MB. */
const actor = z.string().min(1).max(128);
const note = z.string().trim().min(1, "a note saying why is required").max(1000);
const resolveBody = z.object({ action: z.enum(["adopt", "investigated"]), note, actor }).strict();
const settleBody = z.object({ outcome: z.enum(["cancelled", "venue"]), reason: note, actor }).strict();
const runBody = z.object({ actor }).strict();
const statementBody = z.object({ actor }).passthrough();

async function body(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new CommandError("INVALID_INPUT", `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new CommandError("INVALID_INPUT", "request body is not valid JSON");
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new CommandError("INVALID_INPUT", r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return r.data;
}

function need(recon: Reconciliation | undefined): Reconciliation {
  if (!recon) throw new CommandError("NOT_FOUND", "reconciliation is not running in this engine");
  return recon;
}

export const reconciliationApi = {
  /** GET /v1/reconciliation/breaks?status=open&accountId=A&accountId=B */
  list(recon: Reconciliation | undefined, url: URL) {
    const accountIds = url.searchParams.getAll("accountId");
    const status = url.searchParams.get("status") === "open" ? "open" : "all";
    return need(recon).list({ status, accountIds: accountIds.length > 0 ? accountIds : undefined });
  },
  /** POST /v1/reconciliation/run {actor} */
  async run(recon: Reconciliation | undefined, req: http.IncomingMessage) {
    const { actor: who } = parse(runBody, await body(req, 64 * 1024));
    return need(recon).run(who);
  },
  /** POST /v1/reconciliation/breaks/:id/resolve {action, note, actor} */
  async resolve(recon: Reconciliation | undefined, req: http.IncomingMessage, breakId: string) {
    const input = parse(resolveBody, await body(req, 64 * 1024));
    return { break: await need(recon).resolve(breakId, input.action, input.note, input.actor) };
  },
  /** POST /v1/reconciliation/statements {actor, name, positions (CSV), trades? (CSV), mapping?, delimiter?} */
  async statement(recon: Reconciliation | undefined, req: http.IncomingMessage) {
    const { actor: who, ...input } = parse(statementBody, await body(req, 4 * 1024 * 1024));
    return need(recon).importStatement(input, who);
  },
  /** POST /v1/orders/:id/settle {outcome, reason, actor} */
  async settle(recon: Reconciliation | undefined, req: http.IncomingMessage, orderId: string) {
    const input = parse(settleBody, await body(req, 64 * 1024));
    return { order: await need(recon).settle(orderId, input.outcome, input.reason, input.actor) };
  },
};
