import type http from "node:http";
import type { Clock } from "@fillmore/shared";
import { z } from "zod";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import { CommandError } from "../orders/errors";
import type { OrderManager } from "../orders/order-manager";
import { CorporateActions } from "../positions/corporate-actions";
import type { LivePositions } from "../positions/live-positions";
import type { Positions } from "../positions/positions";
import type { ReferenceData } from "../reference";

/**
 * Corporate actions: created before replay (it rebuilds its list and risk's quantities from the journal and
 * subscribes to the order book's applied events); `start()` after replay applies what is due, then each minute.
 */
export function wireCorporateActions(deps: {
  journal: Journal;
  clock: Clock;
  log: Logger;
  orders: OrderManager;
  positions: Positions;
  live: LivePositions;
  reference: ReferenceData;
}): CorporateActions {
  return new CorporateActions({ ...deps, instruments: deps.reference.instruments });
}

const actor = z.string().min(1).max(128);
const scheduleBody = z.object({ actor }).passthrough();
const reverseBody = z.object({ actor, reason: z.string().min(1).max(500) }).strict();

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

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new CommandError("INVALID_INPUT", r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return r.data;
}

function need(ca: CorporateActions | undefined): CorporateActions {
  if (!ca) throw new CommandError("ENGINE_UNAVAILABLE", "corporate actions are not running in this engine");
  return ca;
}

/** The internal API's corporate-action endpoints (docs/POSITIONS.md, Corporate actions). */
export const corporateActionsApi = {
  /** GET /v1/corporate-actions */
  list(ca: CorporateActions | undefined) {
    return { actions: need(ca).list() };
  },
  /** POST /v1/corporate-actions {actor, kind, symbol, effectiveDate, ratioNew?, ratioOld?, cashInLieuPx?, perShare?, newSymbol?, reason, id?} */
  async schedule(ca: CorporateActions | undefined, req: http.IncomingMessage) {
    const { actor: who, ...input } = parse(scheduleBody, await body(req));
    return { action: await need(ca).schedule(input, who) };
  },
  /** POST /v1/corporate-actions/:id/reverse {actor, reason} */
  async reverse(ca: CorporateActions | undefined, req: http.IncomingMessage, id: string) {
    const input = parse(reverseBody, await body(req));
    return { action: await need(ca).reverse(id, input.reason, input.actor) };
  },
};
