import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { actorOf, requires, toTrpcError } from "../trpc";

export const venuesRouter = {
  /** Every venue's health: state, connection, acknowledgement latency, reject rate, fees. */
  list: requires("orders:read").query(({ ctx }) => ctx.engine.venues().catch(toTrpcError)),
  /** Takes a simulated venue down or brings it back, to see routing and failover at work. It reaches every account. */
  setOutage: requires("venues:manage")
    .input(z.object({ venueId: z.string().min(1).max(64), down: z.boolean() }).strict())
    .mutation(({ ctx, input }) => {
      ctx.scope.assertUnconfined("take venues down or up, which reaches every account");
      return ctx.engine.setOutage(input.venueId, input.down, actorOf(ctx.principal)).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;
