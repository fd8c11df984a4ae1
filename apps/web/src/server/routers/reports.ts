import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { exportStatus, recentExports, startExport } from "../exports/jobs";
import { EXPORT_SOURCES } from "../exports/sources";
import { EXPORT_ID } from "../exports/store";
import { EXPORT_FORMATS } from "../exports/writers";
import { orderHistoryInput, orderHistoryPage } from "../reports/order-history";
import { tradeReport, tradeReportInput } from "../reports/trade-report";
import { requires } from "../trpc";

// Reports and exports, read only. Trade reports need audit:read; the order history (the blotter's
// past) orders:read; an export needs its source's permission (exports/jobs.ts SOURCE_PERMISSION).
export const reportsRouter = {
  /** The customer's TradeReport: metrics over every booked fill of the period, and its first `limit` trades. */
  trades: requires("audit:read")
    .input(tradeReportInput)
    .query(({ ctx, input }) => {
      if (input.filters.accountId) ctx.scope.assertAccount(input.filters.accountId);
      return tradeReport(ctx.prisma, input, ctx.scope.accountIds, input.limit ?? 200);
    }),

  /** Every order ever received, filtered, sorted and paged on the server (keyset). */
  orderHistory: requires("orders:read")
    .input(orderHistoryInput)
    .query(({ ctx, input }) => {
      if (input.filters.accountId) ctx.scope.assertAccount(input.filters.accountId);
      return orderHistoryPage(ctx.prisma, input, ctx.scope.accountIds);
    }),

  /** Starts writing an export (trades report, audit search or order history) in a format; poll exportStatus. */
  exportStart: requires("orders:read")
    .input(z.object({ source: z.enum(EXPORT_SOURCES), format: z.enum(EXPORT_FORMATS), input: z.unknown() }).strict())
    .mutation(({ ctx, input }) => startExport(ctx, input)),

  /** An export's progress (rows written) and, when done, its SHA-256 and journal seq; its owner only. */
  exportStatus: requires("orders:read")
    .input(z.object({ id: z.string().regex(EXPORT_ID, "an export id") }).strict())
    .query(({ ctx, input }) => exportStatus(ctx.principal, input.id)),

  /** The caller's own exports, newest first (running, done, failed), while the store keeps them (24 hours). */
  exportList: requires("orders:read")
    .input(
      z
        .object({ limit: z.number().int().min(1).max(100).default(20) })
        .strict()
        .default({ limit: 20 }),
    )
    .query(({ ctx, input }) => recentExports(ctx.principal, input.limit)),
} satisfies TRPCRouterRecord;
