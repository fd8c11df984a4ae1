import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { CorporateActionView } from "../engine-client";
import type { AccountScope } from "../scope";
import { actorOf, requires, toTrpcError } from "../trpc";

const wholeNumber = z.string().regex(/^[1-9]\d{0,8}$/, "a positive whole number");
const decimal = z.string().regex(/^\d+(\.\d+)?$/, "a non-negative decimal");
const symbol = z.string().trim().min(1).max(32);

/** The console's form; the engine validates again (known symbols, ratios, the date not in the past). */
export const scheduleCorporateActionInput = z
  .object({
    kind: z.enum(["split", "reverseSplit", "cashDividend", "symbolChange"]),
    symbol,
    /** YYYY-MM-DD (UTC); a dividend's pay date. */
    effectiveDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD"),
    ratioNew: wholeNumber.optional(),
    ratioOld: wholeNumber.optional(),
    cashInLieuPx: decimal.optional(),
    perShare: decimal.optional(),
    newSymbol: symbol.optional(),
    reason: z.string().trim().min(1, "a reason is required").max(500),
  })
  .strict();

export const reverseCorporateActionInput = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "a corporate action id"),
    reason: z.string().trim().min(1, "a reason is required").max(500),
  })
  .strict();

/** A key bound to accounts sees the actions (they are per instrument) but only its accounts' results. */
function confine(scope: AccountScope, a: CorporateActionView): CorporateActionView {
  if (!scope.confined) return a;
  const cut = (r: CorporateActionView["results"]) =>
    r && {
      positions: r.positions.filter((p) => scope.allows(p.accountId)),
      accounts: r.accounts.filter((p) => scope.allows(p.accountId)),
      orders: [],
    };
  return { ...a, results: cut(a.results), reversal: cut(a.reversal) };
}

export const corporateActionsRouter = {
  /** Every action (scheduled, applied, reversed, dropped), newest first, with what each did. */
  list: requires("risk:read").query(async ({ ctx }) => {
    const { actions } = await ctx.engine.corporateActions().catch(toTrpcError);
    return { actions: actions.map((a) => confine(ctx.scope, a)) };
  }),

  /** Risk and admin: schedule a split, reverse split, cash dividend or symbol change. Reaches every account: not for a bound key. */
  schedule: requires("risk:write")
    .input(scheduleCorporateActionInput)
    .mutation(async ({ ctx, input }) => {
      ctx.scope.assertUnconfined("schedule a corporate action, which reaches every account holding the symbol");
      return ctx.engine.scheduleCorporateAction(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  /** Risk and admin: reverse an applied action (a compensating action) or drop a scheduled one. */
  reverse: requires("risk:write")
    .input(reverseCorporateActionInput)
    .mutation(async ({ ctx, input }) => {
      ctx.scope.assertUnconfined("reverse a corporate action, which reaches every account holding the symbol");
      return ctx.engine.reverseCorporateAction(input.id, input.reason, actorOf(ctx.principal)).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;
