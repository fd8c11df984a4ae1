import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { type EngineClient, EngineError, type ReconciliationRun, type ReconciliationView } from "../engine-client";
import { type AccountScope, orderNotFound } from "../scope";
import { actorOf, requires, toTrpcError } from "../trpc";

const id = z.string().min(1).max(64);
/** A column header of the broker's CSV (matched case-insensitively by the engine). */
const column = z.string().trim().min(1).max(64);

export const resolveBreakInput = z
  .object({
    breakId: id,
    action: z.enum(["adopt", "investigated"]),
    /** Why: required; adopting the broker's view changes our books, so it needs a real sentence (10 characters or more). */
    note: z.string().trim().min(1, "a note saying why is required").max(1000),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.action === "adopt" && input.note.length < 10)
      ctx.addIssue({ code: "custom", path: ["note"], message: "adopting the broker's view needs a reason of at least 10 characters" });
  });

export const importStatementInput = z
  .object({
    /** Names the source: its breaks are "statement:<source>"; a new import under the same name replaces the old one. */
    source: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, dot, dash and underscore, up to 64"),
    /** The positions CSV, header row first (the console's request body is bounded at 64 KB). */
    csv: z.string().min(1, "the statement is empty").max(60_000, "statements over 60,000 characters: split them by account"),
    /** Which header holds what; absent fields take the defaults (account, symbol, quantity). */
    mapping: z.object({ account: column, symbol: column, qty: column, side: column.optional() }).partial().strict().optional(),
    delimiter: z.string().length(1).optional(),
  })
  .strict();

export const settleOrderInput = z
  .object({
    orderId: id,
    /** cancelled: done, with the reason; venue: whatever the venue answers now. */
    outcome: z.enum(["cancelled", "venue"]),
    reason: z.string().trim().min(1, "a reason is required").max(1000),
  })
  .strict();

/** The view a caller may see: a bound key sees only its accounts' breaks (never an account-less one) and unknown-fate orders. */
export async function breaksFor(scope: AccountScope, engine: Pick<EngineClient, "reconciliationBreaks">): Promise<ReconciliationView> {
  const view = await engine.reconciliationBreaks({ accountIds: scope.accountIds ?? undefined }).catch(toTrpcError);
  if (!scope.confined) return view;
  const breaks = view.breaks.filter((b) => b.accountId !== null && scope.allows(b.accountId));
  const visible = new Set(breaks.map((b) => b.breakId));
  const run = (r: ReconciliationRun | null) =>
    r && { ...r, found: r.found.filter((b) => visible.has(b)), cleared: r.cleared.filter((b) => visible.has(b)) };
  return {
    ...view,
    breaks,
    lastRun: run(view.lastRun),
    unknownFate: view.unknownFate.filter((u) => scope.allows(u.order.accountId)),
  };
}

/** The one answer for a break id that does not exist or lies outside the caller's accounts. */
export function breakNotFound(breakId: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `no break ${breakId}` });
}

export const reconciliationRouter = {
  /** Breaks (open first, then resolved), the sources and their state, the last run, and orders whose fate is unknown. */
  breaks: requires("risk:read").query(({ ctx }) => breaksFor(ctx.scope, ctx.engine)),

  /** Compares every source with our books now. Its breaks reach every account: not for a key bound to accounts. */
  run: requires("risk:write").mutation(async ({ ctx }) => {
    ctx.scope.assertUnconfined("run reconciliation, which compares every account");
    return ctx.engine.runReconciliation(actorOf(ctx.principal)).catch(toTrpcError);
  }),

  /** Adopt the broker's view (a journaled adjusting entry with who and why) or mark the break investigated with a note. */
  resolve: requires("risk:write")
    .input(resolveBreakInput)
    .mutation(async ({ ctx, input }) => {
      if (ctx.scope.confined) {
        const view = await breaksFor(ctx.scope, ctx.engine);
        if (!view.breaks.some((b) => b.breakId === input.breakId)) throw breakNotFound(input.breakId);
      }
      return ctx.engine
        .resolveBreak(input.breakId, { action: input.action, note: input.note }, actorOf(ctx.principal))
        .catch((error: unknown): never => {
          if (error instanceof EngineError && error.status === 404 && error.code === "NOT_FOUND") throw breakNotFound(input.breakId);
          return toTrpcError(error);
        });
    }),

  /** A broker statement of positions (CSV) under a source name, compared at once. A statement names any account: not for a bound key. */
  importStatement: requires("risk:write")
    .input(importStatementInput)
    .mutation(async ({ ctx, input }) => {
      ctx.scope.assertUnconfined("import a broker statement, which may name any account");
      const mapping = input.mapping && Object.keys(input.mapping).length > 0 ? { positions: input.mapping } : undefined;
      return ctx.engine
        .importStatement(
          {
            name: input.source,
            positions: input.csv,
            ...(mapping ? { mapping } : {}),
            ...(input.delimiter ? { delimiter: input.delimiter } : {}),
          },
          actorOf(ctx.principal),
        )
        .catch(toTrpcError);
    }),

  /** Settles an order whose fate is unknown; another account's order answers like an order that does not exist. */
  settleOrder: requires("risk:write")
    .input(settleOrderInput)
    .mutation(async ({ ctx, input }) => {
      const notFound = (error: unknown): never => {
        if (error instanceof EngineError && error.status === 404) throw orderNotFound(input.orderId);
        return toTrpcError(error);
      };
      if (ctx.scope.confined) {
        const { order } = await ctx.engine.order(input.orderId).catch(notFound);
        ctx.scope.assertOrderVisible(input.orderId, order.accountId);
      }
      return ctx.engine
        .settleOrder(input.orderId, { outcome: input.outcome, reason: input.reason }, actorOf(ctx.principal))
        .catch(notFound);
    }),
} satisfies TRPCRouterRecord;
