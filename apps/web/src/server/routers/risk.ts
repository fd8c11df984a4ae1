import { setRiskLimitsInput, setTradingStateInput } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { actorOf, requires, toTrpcError } from "../trpc";

export const riskRouter = {
  /** Defaults, overrides per scope and trading states; every change is journaled by the engine. */
  limits: {
    get: requires("risk:read").query(({ ctx }) => ctx.engine.risk().catch(toTrpcError)),
    set: requires("risk:write")
      .input(setRiskLimitsInput)
      .mutation(({ ctx, input }) => ctx.engine.setRiskLimits(input, actorOf(ctx.principal)).catch(toTrpcError)),
  },
  tradingState: {
    set: requires("controls:halt")
      .input(setTradingStateInput)
      .mutation(({ ctx, input }) => ctx.engine.setTradingState(input, actorOf(ctx.principal)).catch(toTrpcError)),
  },
  positions: requires("orders:read").query(({ ctx }) => ctx.engine.positions().catch(toTrpcError)),
} satisfies TRPCRouterRecord;
