import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { EngineError } from "../engine-client";
import { journalAdminAction } from "../reports/admin-audit";
import { orderNotFound } from "../scope";
import { actorOf, requires, toTrpcError } from "../trpc";
import {
  aggregates,
  comparison,
  GROUP_BY,
  matchingOrders,
  qualityFilter,
  type Run,
  slippageDistribution,
  timeseries,
} from "./quality-aggregates";

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

export const qualityAggregatesInput = z.object({ filter: qualityFilter.default({}), groupBy: z.enum(GROUP_BY).default("venue") }).strict();
export const qualityFilterInput = z
  .object({ filter: qualityFilter.default({}) })
  .strict()
  .default({ filter: {} });
export const qualityDistributionInput = z
  .object({
    filter: qualityFilter.default({}),
    binBps: z.number().positive().max(100).default(1),
    clampBps: z.number().positive().max(1000).default(20),
  })
  .strict()
  .refine((v) => v.clampBps / v.binBps <= 400, "at most 800 bins");
export const qualityOrdersInput = z
  .object({ filter: qualityFilter.default({}), limit: z.number().int().min(1).max(500).default(100) })
  .strict();

/** The metrics an alert rule may watch (the engine's quality/alert-rules.ts; the table's CHECK holds the same list). */
export const QUALITY_ALERT_METRICS = ["ackLatencyP99Ms", "rejectRatePct", "slippageBps"] as const;
export const qualityAlertRuleInput = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and dashes, at most 40"),
    metric: z.enum(QUALITY_ALERT_METRICS),
    /** One venue, or null for each venue. */
    venue: z.string().min(1).max(64).nullable().default(null),
    threshold: z.number().finite().min(0).max(1_000_000),
    /** Clears at or below this; default 80 % of the threshold. */
    clearBelow: z.number().finite().min(0).optional(),
    windowMs: z.number().int().min(1_000).max(86_400_000).default(60_000),
    minOrders: z.number().int().min(1).max(1_000_000).default(10),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.clearBelow === undefined || r.clearBelow <= r.threshold, {
    message: "clearBelow must not exceed threshold",
    path: ["clearBelow"],
  });
export const qualityAlertRuleIdInput = z.object({ id: z.string().min(1).max(40) }).strict();

interface AlertRuleRow {
  id: string;
  metric: string;
  venue: string | null;
  threshold: number;
  clear_below: number;
  window_ms: number;
  min_orders: number;
  enabled: boolean;
  updated_by: string;
  updated_at: Date;
}

const ruleView = (r: AlertRuleRow) => ({
  id: r.id,
  metric: r.metric as (typeof QUALITY_ALERT_METRICS)[number],
  venue: r.venue,
  threshold: r.threshold,
  clearBelow: r.clear_below,
  windowMs: r.window_ms,
  minOrders: r.min_orders,
  enabled: r.enabled,
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at).toISOString(),
});

const RULE_COLUMNS = "id, metric, venue, threshold, clear_below, window_ms, min_orders, enabled, updated_by, updated_at";

/** Raw SQL through the console's Prisma client (the projection is read-only for the console). */
const runner =
  (prisma: { $queryRawUnsafe<T>(text: string, ...values: unknown[]): Promise<T> }): Run =>
  <T>(text: string, values: unknown[]) =>
    prisma.$queryRawUnsafe<T[]>(text, ...values);

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

  /** Aggregates by venue, symbol, strategy, order type, side or size bucket over a filter (the execution_metrics projection). */
  aggregates: requires("risk:read")
    .input(qualityAggregatesInput)
    .query(({ ctx, input }) => aggregates(runner(ctx.prisma), input.filter, ctx.scope.accountIds, input.groupBy)),

  /** Broker comparison, Rule 605 shaped: venue × order type × size bucket, sample counts, ranked by all-in cost. */
  comparison: requires("risk:read")
    .input(qualityFilterInput)
    .query(({ ctx, input }) => comparison(runner(ctx.prisma), input.filter, ctx.scope.accountIds)),

  /** Latency percentiles, fill and reject rates and slippage per venue over time (bucket chosen from the range). */
  timeseries: requires("risk:read")
    .input(qualityFilterInput)
    .query(({ ctx, input }) => timeseries(runner(ctx.prisma), input.filter, ctx.scope.accountIds)),

  /** Histogram of per-order arrival slippage (bps) per venue. */
  slippageDistribution: requires("risk:read")
    .input(qualityDistributionInput)
    .query(({ ctx, input }) => slippageDistribution(runner(ctx.prisma), input.filter, ctx.scope.accountIds, input.binBps, input.clampBps)),

  /** The orders behind a filter (a brushed time range), newest first, with the total. */
  orders: requires("risk:read")
    .input(qualityOrdersInput)
    .query(({ ctx, input }) => matchingOrders(runner(ctx.prisma), input.filter, ctx.scope.accountIds, input.limit)),

  /** The alert rules over quality aggregates (evaluated by the engine every second). */
  alertRules: requires("risk:read").query(async ({ ctx }) => ({
    rules: (await ctx.prisma.$queryRawUnsafe<AlertRuleRow[]>(`SELECT ${RULE_COLUMNS} FROM console_quality_alert_rule ORDER BY id`)).map(
      ruleView,
    ),
  })),

  /**
   * Creates or replaces an alert rule (risk role). Rules span every account, so a key bound to
   * accounts may not set them.
   */
  setAlertRule: requires("risk:write")
    .input(qualityAlertRuleInput)
    .mutation(async ({ ctx, input }) => {
      if (ctx.scope.confined)
        throw new TRPCError({ code: "FORBIDDEN", message: "a key bound to accounts may not set alert rules (they watch every account)" });
      const clearBelow = input.clearBelow ?? input.threshold * 0.8;
      const actor = actorOf(ctx.principal);
      // Saved and journaled together: a rule that cannot be journaled is not saved.
      const row = await ctx.prisma.$transaction(async (tx) => {
        const [saved] = await tx.$queryRawUnsafe<AlertRuleRow[]>(
          `INSERT INTO console_quality_alert_rule (id, metric, venue, threshold, clear_below, window_ms, min_orders, enabled, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
           ON CONFLICT (id) DO UPDATE SET metric = excluded.metric, venue = excluded.venue, threshold = excluded.threshold,
             clear_below = excluded.clear_below, window_ms = excluded.window_ms, min_orders = excluded.min_orders,
             enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = excluded.updated_at
           RETURNING ${RULE_COLUMNS}`,
          input.id,
          input.metric,
          input.venue,
          input.threshold,
          clearBelow,
          input.windowMs,
          input.minOrders,
          input.enabled,
          actor,
        );
        if (saved) {
          const v = ruleView(saved);
          await journalAdminAction({
            type: "QualityAlertRuleSet",
            actor,
            data: {
              ruleId: v.id,
              metric: v.metric,
              venue: v.venue,
              threshold: v.threshold,
              clearBelow: v.clearBelow,
              windowMs: v.windowMs,
              minOrders: v.minOrders,
              enabled: v.enabled,
            },
          });
        }
        return saved;
      });
      if (!row) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "rule not saved" });
      return { rule: ruleView(row) };
    }),

  /** Removes an alert rule; its open alerts clear on the engine's next evaluation. */
  deleteAlertRule: requires("risk:write")
    .input(qualityAlertRuleIdInput)
    .mutation(async ({ ctx, input }) => {
      if (ctx.scope.confined) throw new TRPCError({ code: "FORBIDDEN", message: "a key bound to accounts may not remove alert rules" });
      await ctx.prisma.$transaction(async (tx) => {
        const n = await tx.$executeRawUnsafe("DELETE FROM console_quality_alert_rule WHERE id = $1", input.id);
        if (n === 0) throw new TRPCError({ code: "NOT_FOUND", message: `no alert rule ${input.id}` });
        await journalAdminAction({ type: "QualityAlertRuleDeleted", actor: actorOf(ctx.principal), data: { ruleId: input.id } });
      });
      return { deleted: input.id };
    }),
} satisfies TRPCRouterRecord;
