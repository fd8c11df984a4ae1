import { z } from "zod";
import { CommandError } from "../../orders/errors";
import type { Deadman } from "../deadman";
import type { Breakers } from "./breakers";

/** What a breaker/dead-man route gets from the HTTP server: the parsed body on demand, path params. */
export interface BreakerRouteContext {
  body: () => Promise<unknown>;
  params: string[];
  breakers?: Breakers;
  deadman?: Deadman;
}

export type BreakerRoute = [method: string, pattern: RegExp, handler: (ctx: BreakerRouteContext) => Promise<unknown> | unknown];

const withActor = z.object({ actor: z.string().min(1).max(128) }).passthrough();

async function actorAndRest(ctx: BreakerRouteContext): Promise<{ actor: string; rest: Record<string, unknown> }> {
  const body = await ctx.body();
  const parsed = withActor.safeParse(body);
  if (!parsed.success) throw new CommandError("INVALID_INPUT", "actor: give the user or key the change is made for");
  const { actor, ...rest } = parsed.data;
  return { actor, rest };
}

const breakersOf = (ctx: BreakerRouteContext): Breakers => {
  if (!ctx.breakers) throw new CommandError("ENGINE_UNAVAILABLE", "circuit breakers are not wired in this engine");
  return ctx.breakers;
};
const deadmanOf = (ctx: BreakerRouteContext): Deadman => {
  if (!ctx.deadman) throw new CommandError("ENGINE_UNAVAILABLE", "dead-man's switches are not wired in this engine");
  return ctx.deadman;
};

/** /v1/controls/breakers and /v1/controls/deadman (docs/API.md, docs/OPERATIONS.md "Circuit breakers"). */
export const breakerRoutes: BreakerRoute[] = [
  ["GET", /^\/v1\/controls\/breakers$/, (ctx) => ({ asOf: new Date().toISOString(), breakers: breakersOf(ctx).list() })],
  [
    "PUT",
    /^\/v1\/controls\/breakers\/([^/]+)$/,
    async (ctx) => {
      const breakers = breakersOf(ctx);
      const { actor, rest } = await actorAndRest(ctx);
      return { breaker: await breakers.set(ctx.params[0] ?? "", rest, actor) };
    },
  ],
  ["GET", /^\/v1\/controls\/deadman$/, (ctx) => ({ asOf: new Date().toISOString(), switches: deadmanOf(ctx).list() })],
  [
    "PUT",
    /^\/v1\/controls\/deadman\/([^/]+)$/,
    async (ctx) => {
      const deadman = deadmanOf(ctx);
      const { actor, rest } = await actorAndRest(ctx);
      return { switch: await deadman.set(ctx.params[0] ?? "", rest, actor) };
    },
  ],
  [
    "POST",
    /^\/v1\/controls\/deadman\/([^/]+)\/heartbeat$/,
    async (ctx) => {
      const deadman = deadmanOf(ctx);
      await actorAndRest(ctx);
      return deadman.heartbeat(ctx.params[0] ?? "");
    },
  ],
];
