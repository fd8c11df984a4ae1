import type { TRPCRouterRecord } from "@trpc/server";
import { tradeReport, tradeReportInput } from "../reports/trade-report";
import { requires } from "../trpc";

// Reports for compliance (audit:read): figures from the fill projection, read only.
export const reportsRouter = {
  /** The customer's TradeReport: metrics over every booked fill of the period, and its first `limit` trades. */
  trades: requires("audit:read")
    .input(tradeReportInput)
    .query(({ ctx, input }) => {
      if (input.filters.accountId) ctx.scope.assertAccount(input.filters.accountId);
      return tradeReport(ctx.prisma, input, ctx.scope.accountIds, input.limit ?? 200);
    }),
} satisfies TRPCRouterRecord;
