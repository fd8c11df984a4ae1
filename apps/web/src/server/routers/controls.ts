import {
  type ApproveResetInput,
  approveResetInput,
  type ControlsPreview,
  type ControlsState,
  can,
  parseScope,
  type ResetInput,
  resetInput,
  type TradingStateEntry,
  type TripInput,
  tradingStateScope,
  tripInput,
} from "@fillmore/shared";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { Principal } from "../auth";
import { type EngineClient, EngineError } from "../engine-client";
import type { AccountScope } from "../scope";
import { actorOf, requires, signedIn, toTrpcError } from "../trpc";

/** The engine's kill-switch door (/v1/controls/*, docs/API.md). */
export interface ControlsClient {
  state(): Promise<ControlsState>;
  preview(scope: string): Promise<ControlsPreview>;
  trip(input: TripInput, actor: string): Promise<unknown>;
  reset(input: ResetInput, actor: string): Promise<unknown>;
  approveReset(input: ApproveResetInput, actor: string): Promise<unknown>;
  /** Circuit breakers and dead-man's switches (/v1/controls/breakers, /v1/controls/deadman). */
  breakers(): Promise<{ asOf: string; breakers: BreakerRow[] }>;
  setBreaker(name: string, config: Record<string, unknown>, actor: string): Promise<unknown>;
  deadman(): Promise<{ asOf: string; switches: DeadmanRow[] }>;
  setDeadman(id: string, config: Record<string, unknown>, actor: string): Promise<unknown>;
  heartbeat(id: string, actor: string): Promise<unknown>;
}

/** A breaker as the engine lists it (apps/engine/src/controls/breakers/breakers.ts BreakerView). */
export interface BreakerRow {
  name: string;
  config: { condition: string; scope: string; enabled: boolean; threshold: number; [key: string]: unknown };
  [key: string]: unknown;
}
/** A dead-man's switch as the engine lists it (apps/engine/src/controls/deadman.ts DeadmanView). */
export interface DeadmanRow {
  id: string;
  scope: string;
  [key: string]: unknown;
}

/** Over the engine client's address and service token; a test engine may bring its own `controls`. */
export function controlsOf(engine: EngineClient): ControlsClient {
  const own = (engine as unknown as { controls?: ControlsClient }).controls;
  if (own) return own;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${engine.baseUrl}${path}`, {
        method,
        headers: { authorization: engine.authHeader, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new EngineError(503, "ENGINE_UNAVAILABLE", `engine is not reachable: ${String(error)}`);
    }
    const json = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string; details?: unknown } };
    if (!res.ok)
      throw new EngineError(
        res.status,
        json.error?.code ?? "ENGINE_ERROR",
        json.error?.message ?? `HTTP ${res.status}`,
        json.error?.details,
      );
    return json;
  };
  return {
    state: () => call("GET", "/v1/controls/state"),
    preview: (scope) => call("GET", `/v1/controls/preview?scope=${encodeURIComponent(scope)}`),
    trip: (input, actor) => call("POST", "/v1/controls/trip", { actor, ...input }),
    reset: (input, actor) => call("POST", "/v1/controls/reset", { actor, ...input }),
    approveReset: (input, actor) => call("POST", "/v1/controls/approve-reset", { actor, ...input }),
    breakers: () => call("GET", "/v1/controls/breakers"),
    setBreaker: (name, config, actor) => call("PUT", `/v1/controls/breakers/${encodeURIComponent(name)}`, { ...config, actor }),
    deadman: () => call("GET", "/v1/controls/deadman"),
    setDeadman: (id, config, actor) => call("PUT", `/v1/controls/deadman/${encodeURIComponent(id)}`, { ...config, actor }),
    heartbeat: (id, actor) => call("POST", `/v1/controls/deadman/${encodeURIComponent(id)}/heartbeat`, { actor }),
  };
}

/**
 * Who may act on a scope:
 * - risk and admin (controls:halt) any scope; a key bound to accounts only scopes naming one of its accounts;
 * - a trader only their own strategies (preview and trip, not reset): a `strategy:S` or
 *   `account:A/strategy:S` scope, where S is theirs: the console's order records carry S, and every
 *   one of them was sent by this trader (person or key). A strategy nobody has traded yet is nobody's.
 *   A key bound to accounts must name one of its accounts.
 * Anyone else is refused as lacking controls:halt.
 */
async function assertMayControl(
  ctx: { principal: Principal; scope: AccountScope; prisma: import("@fillmore/db").PrismaClient },
  scope: string,
  op: "preview" | "trip" | "reset",
): Promise<void> {
  const parts = parseScope(scope);
  if (!parts) throw new TRPCError({ code: "BAD_REQUEST", message: `scope ${scope} is not a trading-state scope` });
  const bound = () => {
    if (!ctx.scope.confined) return;
    if (parts.account === undefined)
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `API key ${ctx.principal.name} is bound to accounts and may not act on ${scope}, which reaches accounts beyond its own`,
      });
    ctx.scope.assertAccount(parts.account);
  };
  if (can(ctx.principal.role, "controls:halt")) return bound();
  const lacks = new TRPCError({ code: "FORBIDDEN", message: `role ${ctx.principal.role} lacks permission controls:halt` });
  if (ctx.principal.role !== "trader" || op === "reset") throw lacks;
  const strategy = parts.strategy;
  if (strategy === undefined || parts.symbol !== undefined || parts.venue !== undefined)
    throw new TRPCError({ ...lacks, message: `${lacks.message}: a trader may halt only their own strategies (strategy:<name>)` });
  bound();
  const actor = actorOf(ctx.principal);
  const [mine, others] = await Promise.all([
    ctx.prisma.order.count({ where: { strategy, createdBy: actor } }),
    ctx.prisma.order.count({ where: { strategy, createdBy: { not: actor } } }),
  ]);
  if (mine === 0 || others > 0)
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `strategy ${strategy} is not yours: ${mine === 0 ? "you have sent no orders with it" : "others send orders with it too"}; ask risk to halt it`,
    });
}

const visible = (scope: AccountScope, s: string) => {
  const account = parseScope(s)?.account;
  return account === undefined || scope.allows(account);
};

const breakerNameInput = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const deadmanIdInput = z.string().regex(/^(strategy|key):[A-Za-z0-9._:-]{1,64}$/, {
  message: "a dead-man's switch id is strategy:<name> or key:<api key id>",
});
/** Config fields are validated by the engine (controls/breakers/config.ts); its 400 names the field. */
const configInput = z.record(z.string(), z.unknown()).refine((c) => !("actor" in c), { message: "actor is set by the console" });

/**
 * Circuit breakers and dead-man's switches. Reading: risk:read (a bound key sees the ones whose scope is
 * global or one of its accounts). Setting: controls:halt, never by a key bound to accounts (a breaker or
 * switch may halt scopes beyond them). Heartbeat: orders:submit, for a strategy, or for the calling key
 * itself (key:<its id>); nobody keeps another key's switch alive.
 */
const breakersRouter = {
  list: requires("risk:read").query(async ({ ctx }) => {
    const result = await controlsOf(ctx.engine).breakers().catch(toTrpcError);
    if (!ctx.scope.confined) return result;
    return { ...result, breakers: result.breakers.filter((b) => visible(ctx.scope, b.config.scope)) };
  }),
  set: requires("controls:halt")
    .input(z.object({ name: breakerNameInput, config: configInput }).strict())
    .mutation(async ({ ctx, input }) => {
      ctx.scope.assertUnconfined("configure circuit breakers, which may halt scopes beyond its accounts");
      return controlsOf(ctx.engine).setBreaker(input.name, input.config, actorOf(ctx.principal)).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;

const deadmanRouter = {
  list: requires("risk:read").query(async ({ ctx }) => {
    const result = await controlsOf(ctx.engine).deadman().catch(toTrpcError);
    if (!ctx.scope.confined) return result;
    return { ...result, switches: result.switches.filter((s) => visible(ctx.scope, s.scope)) };
  }),
  set: requires("controls:halt")
    .input(z.object({ id: deadmanIdInput, config: configInput }).strict())
    .mutation(async ({ ctx, input }) => {
      ctx.scope.assertUnconfined("configure dead-man's switches, which may halt scopes beyond its accounts");
      return controlsOf(ctx.engine).setDeadman(input.id, input.config, actorOf(ctx.principal)).catch(toTrpcError);
    }),
  /** `id` omitted: the calling key's own switch (key:<its id>). */
  heartbeat: requires("orders:submit")
    .input(z.object({ id: deadmanIdInput.optional() }).strict().optional())
    .mutation(async ({ ctx, input }) => {
      const actor = actorOf(ctx.principal);
      const id = input?.id ?? (ctx.principal.kind === "apiKey" ? actor : undefined);
      if (id === undefined)
        throw new TRPCError({ code: "BAD_REQUEST", message: "give the id: strategy:<name> (only an API key has a switch of its own)" });
      if (id.startsWith("key:") && id !== actor)
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `${actor} may not send heartbeats for ${id}: a key keeps only its own switch alive`,
        });
      return controlsOf(ctx.engine).heartbeat(id, actor).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;

export const controlsRouter = {
  breakers: breakersRouter,
  deadman: deadmanRouter,
  /** Every halted or reducing scope with who/when/why, pending resets and history; a bound key sees shared scopes and its own accounts'. */
  state: requires("risk:read").query(async ({ ctx }) => {
    const state = await controlsOf(ctx.engine).state().catch(toTrpcError);
    if (!ctx.scope.confined) return state;
    return {
      ...state,
      states: state.states.filter((s: TradingStateEntry) => visible(ctx.scope, s.scope)),
      pendingResets: state.pendingResets.filter((p) => visible(ctx.scope, p.scope)),
      history: state.history.filter((e) => visible(ctx.scope, e.scope)),
    };
  }),
  /** What a trip would touch: open orders and notional, positions, per account. */
  preview: signedIn.input(z.object({ scope: tradingStateScope }).strict()).query(async ({ ctx, input }) => {
    await assertMayControl(ctx, input.scope, "preview");
    return controlsOf(ctx.engine).preview(input.scope).catch(toTrpcError);
  }),
  trip: signedIn.input(tripInput).mutation(async ({ ctx, input }) => {
    await assertMayControl(ctx, input.scope, "trip");
    return controlsOf(ctx.engine).trip(input, actorOf(ctx.principal)).catch(toTrpcError);
  }),
  reset: requires("controls:halt")
    .input(resetInput)
    .mutation(async ({ ctx, input }) => {
      await assertMayControl(ctx, input.scope, "reset");
      return controlsOf(ctx.engine).reset(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),
  /** A second risk user approves a pending global reset (the engine refuses the one who asked). */
  approveReset: requires("controls:halt")
    .input(approveResetInput)
    .mutation(async ({ ctx, input }) => {
      await assertMayControl(ctx, input.scope, "reset");
      return controlsOf(ctx.engine).approveReset(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;
