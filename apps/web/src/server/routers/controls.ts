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

export const controlsRouter = {
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
