import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { type AlertListView, type EngineClient, EngineError } from "../engine-client";
import type { AccountScope } from "../scope";
import { actorOf, requires, toTrpcError } from "../trpc";

const alertId = z.string().regex(/^AL-\d{1,18}$/, "an alert id looks like AL-123");

export const listAlertsInput = z
  .object({
    state: z.enum(["open", "acknowledged", "resolved", "unresolved", "all"]).default("unresolved"),
    severity: z.enum(["critical", "warning", "info"]).optional(),
    limit: z.number().int().min(1).max(2000).default(500),
  })
  .strict()
  .default({ state: "unresolved", limit: 500 });

export const acknowledgeAlertInput = z.object({ alertId, note: z.string().trim().max(1000).default("") }).strict();
export const resolveAlertInput = z.object({ alertId, note: z.string().trim().min(1, "a note saying why is required").max(1000) }).strict();

/**
 * What a caller may see. People and unbound keys see every alert (a trader too: a venue down or
 * an over-fill concerns whoever trades); a key bound to accounts sees only its accounts' alerts,
 * never one of no account (venues, the journal), and its counts are of those only.
 */
export function alertsFor(
  scope: AccountScope,
  engine: Pick<EngineClient, "alerts">,
  query: z.output<typeof listAlertsInput> = { state: "unresolved", limit: 500 },
): Promise<AlertListView> {
  return engine.alerts({ ...query, ...(scope.confined ? { accountIds: scope.accountIds ?? [] } : {}) }).catch(toTrpcError);
}

/** The one answer for an alert id that does not exist or lies outside the caller's accounts. */
export function alertNotFound(id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `no alert ${id}` });
}

async function assertVisible(scope: AccountScope, engine: Pick<EngineClient, "alerts">, id: string): Promise<void> {
  if (!scope.confined) return;
  const view = await alertsFor(scope, engine, { state: "all", limit: 2000 });
  if (!view.alerts.some((a) => a.alertId === id)) throw alertNotFound(id);
}

const notFound =
  (id: string) =>
  (error: unknown): never => {
    if (error instanceof EngineError && error.status === 404) throw alertNotFound(id);
    if (error instanceof EngineError && error.status === 409) throw new TRPCError({ code: "CONFLICT", message: error.message });
    return toTrpcError(error);
  };

export const alertsRouter = {
  /** Alerts by state (default unresolved) and severity, worst and newest first, with counts for the bell. */
  list: requires("risk:read")
    .input(listAlertsInput)
    .query(({ ctx, input }) => alertsFor(ctx.scope, ctx.engine, input)),

  /** Unacknowledged (open) alerts the caller may see, by severity: the bell on every page. */
  count: requires("risk:read").query(async ({ ctx }) => {
    const view = await alertsFor(ctx.scope, ctx.engine, { state: "open", limit: 1 });
    return { open: view.counts.open, critical: view.counts.openCritical, warning: view.counts.openWarning, info: view.counts.openInfo };
  }),

  /** "I have it": who and when are recorded, with an optional note. */
  acknowledge: requires("risk:write")
    .input(acknowledgeAlertInput)
    .mutation(async ({ ctx, input }) => {
      await assertVisible(ctx.scope, ctx.engine, input.alertId);
      return ctx.engine.acknowledgeAlert(input.alertId, input.note, actorOf(ctx.principal)).catch(notFound(input.alertId));
    }),

  /** Closes the alert with a note saying why (alerts whose condition clears also resolve themselves). */
  resolve: requires("risk:write")
    .input(resolveAlertInput)
    .mutation(async ({ ctx, input }) => {
      await assertVisible(ctx.scope, ctx.engine, input.alertId);
      return ctx.engine.resolveAlert(input.alertId, input.note, actorOf(ctx.principal)).catch(notFound(input.alertId));
    }),
} satisfies TRPCRouterRecord;
