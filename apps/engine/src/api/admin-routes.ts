import { z } from "zod";
import { CommandError } from "../orders/errors";
import type { ReferenceService } from "../reference/service";

/**
 * The engine API's reference-data endpoints (docs/API.md "Reference data"), behind the service token
 * like every other: the console's admin.venues/instruments/accounts procedures call them with the
 * signed-in person as `actor`. Bodies are checked by the service with the shared schemas.
 */
export interface AdminRouteContext {
  body: () => Promise<unknown>;
  params: string[];
  service: ReferenceService | undefined;
}
export type AdminRoute = [method: string, pattern: RegExp, handler: (ctx: AdminRouteContext) => Promise<unknown>];

const actorOnly = z.object({ actor: z.string().min(1).max(128) }).passthrough();

function need(service: ReferenceService | undefined): ReferenceService {
  if (!service) throw new CommandError("ENGINE_UNAVAILABLE", "reference data cannot be administered in this engine");
  return service;
}

async function actorAnd(ctx: AdminRouteContext): Promise<{ actor: string; rest: Record<string, unknown> }> {
  const raw = await ctx.body();
  const r = actorOnly.safeParse(raw);
  if (!r.success) throw new CommandError("INVALID_INPUT", "actor: required (who makes the change)");
  const { actor, ...rest } = r.data;
  return { actor, rest };
}

export const adminRoutes: AdminRoute[] = [
  ["GET", /^\/v1\/admin\/reference$/, async (ctx) => need(ctx.service).list()],
  [
    "POST",
    /^\/v1\/admin\/venues$/,
    async (ctx) => {
      const { actor, rest } = await actorAnd(ctx);
      return need(ctx.service).upsertVenue(rest, actor);
    },
  ],
  [
    "POST",
    /^\/v1\/admin\/venues\/([^/]+)\/enabled$/,
    async (ctx) => {
      const { actor, rest } = await actorAnd(ctx);
      return need(ctx.service).setVenueEnabled({ ...rest, id: ctx.params[0] }, actor);
    },
  ],
  ["POST", /^\/v1\/admin\/venues\/test$/, async (ctx) => need(ctx.service).testVenue((await actorAnd(ctx)).rest)],
  [
    "POST",
    /^\/v1\/admin\/instruments$/,
    async (ctx) => {
      const { actor, rest } = await actorAnd(ctx);
      return need(ctx.service).upsertInstrument(rest, actor);
    },
  ],
  [
    "POST",
    /^\/v1\/admin\/accounts$/,
    async (ctx) => {
      const { actor, rest } = await actorAnd(ctx);
      return need(ctx.service).upsertAccount(rest, actor);
    },
  ],
];
