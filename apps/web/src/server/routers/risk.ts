import { setRiskLimitsInput, setTradingStateInput } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { actorOf, requires, toTrpcError } from "../trpc";

export const riskRouter = {
  /** Defaults, overrides per scope and trading states; every change is journaled by the engine. */
  limits: {
    /** A bound key sees the shared scopes and its own accounts' overrides, not other accounts'. */
    get: requires("risk:read").query(async ({ ctx }) => ctx.scope.filterRisk(await ctx.engine.risk().catch(toTrpcError))),
    /** A bound key may change its own accounts' limits only, not the defaults. */
    set: requires("risk:write")
      .input(setRiskLimitsInput)
      .mutation(async ({ ctx, input }) => {
        ctx.scope.assertRiskScope(input.scope);
        return ctx.scope.filterRisk(await ctx.engine.setRiskLimits(input, actorOf(ctx.principal)).catch(toTrpcError));
      }),
  },
  tradingState: {
    /** A bound key may halt its own accounts only, not everything nor a symbol. */
    set: requires("controls:halt")
      .input(setTradingStateInput)
      .mutation(async ({ ctx, input }) => {
        ctx.scope.assertRiskScope(input.scope);
        return ctx.scope.filterRisk(await ctx.engine.setTradingState(input, actorOf(ctx.principal)).catch(toTrpcError));
      }),
  },
  positions: requires("orders:read").query(async ({ ctx }) => ctx.scope.filterPositions(await ctx.engine.positions().catch(toTrpcError))),
} satisfies TRPCRouterRecord;
