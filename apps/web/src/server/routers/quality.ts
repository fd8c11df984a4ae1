import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { EngineError } from "../engine-client";
import { orderNotFound } from "../scope";
import { requires, toTrpcError } from "../trpc";

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "an ISO-8601 date");

export const orderMetricsInput = z.object({ orderId: z.string().min(1).max(64) }).strict();
export const qualitySummaryInput = z
  .object({
    venue: z.string().max(64).optional(),
    symbol: z.string().max(32).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .strict()
  .default({});

export const qualityRouter = {
  /**
   * One order's execution metrics (arrival, slippage, markouts, hop latencies), from the journal.
   * Another account's order answers the same NOT_FOUND as an unknown id, as orders.get does.
   */
  orderMetrics: requires("orders:read")
    .input(orderMetricsInput)
    .query(async ({ ctx, input }) => {
      const { metrics } = await ctx.engine.orderMetrics(input.orderId).catch((error: unknown): never => {
        if (error instanceof EngineError && error.status === 404) throw orderNotFound(input.orderId);
        return toTrpcError(error);
      });
      ctx.scope.assertOrderVisible(input.orderId, metrics.accountId);
      return metrics;
    }),

  /** Aggregates by venue; a key bound to accounts gets the aggregates of its accounts' orders only. */
  summary: requires("orders:read")
    .input(qualitySummaryInput)
    .query(({ ctx, input }) => {
      const accountIds = ctx.scope.accountIds ?? undefined;
      return ctx.engine.qualitySummary({ ...input, ...(accountIds ? { accountIds } : {}) }).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;
