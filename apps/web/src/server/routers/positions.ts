import type { PnlSeries, PositionFill, PositionsSnapshot } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { EngineClient } from "../engine-client";
import type { AccountScope } from "../scope";
import { requires, toTrpcError } from "../trpc";

const id = z.string().min(1).max(64);
/** A strategy name, or null for the books without a strategy. */
const strategy = z.string().min(1).max(64).nullable();
export const pnlMethod = z.enum(["avgCost", "fifo"]);

export const positionsSnapshotInput = z
  .object({
    /** Only these accounts; absent: every account the caller may see. */
    accountIds: z.array(id).min(1).max(100).optional(),
    /** Only this strategy's books (null: those without a strategy); absent: every book. */
    strategy: strategy.optional(),
    /** Which split of realized/unrealized the figures show; absent: each account's own method. */
    method: pnlMethod.optional(),
  })
  .strict();

export const positionFillsInput = z.object({ accountId: id, symbol: z.string().min(1).max(32), strategy: strategy.default(null) }).strict();

export const pnlSeriesInput = z
  .object({ /** Absent: firm-wide (not for an account-bound key). */ accountId: id.optional() })
  .strict()
  .optional();

/**
 * The snapshot for a caller: the accounts it names (each must be within its scope), else its
 * accounts (a bound key), else every account. The engine computes the roll-ups over exactly those
 * accounts, so a bound key's totals never include another account; rows are filtered again here.
 */
export async function snapshotFor(
  scope: AccountScope,
  engine: Pick<EngineClient, "positionBook">,
  input: z.infer<typeof positionsSnapshotInput> = {},
): Promise<PositionsSnapshot> {
  for (const accountId of input.accountIds ?? []) scope.assertAccount(accountId);
  const accountIds = input.accountIds ?? scope.accountIds ?? undefined;
  const answer = await engine.positionBook({ accountIds, strategy: input.strategy, method: input.method }).catch(toTrpcError);
  const visible = (accountId: string | undefined) => accountId === undefined || scope.allows(accountId);
  return {
    method: answer.method,
    rows: answer.rows.filter((r) => scope.allows(r.accountId)),
    byAccount: answer.byAccount.filter((r) => visible(r.group.accountId)),
    byStrategy: answer.byStrategy,
    firm: answer.firm,
    asOf: answer.asOf,
    seq: answer.seq,
  };
}

export const positionsRouter = {
  /** Positions per account × strategy × instrument, with roll-ups per account, per strategy and firm-wide (USD). */
  snapshot: requires("risk:read")
    .input(positionsSnapshotInput.optional())
    .query(({ ctx, input }): Promise<PositionsSnapshot> => snapshotFor(ctx.scope, ctx.engine, input)),

  /** The fills behind one position, oldest first (busted ones included and marked). */
  fills: requires("risk:read")
    .input(positionFillsInput)
    .query(async ({ ctx, input }): Promise<{ fills: PositionFill[] }> => {
      ctx.scope.assertAccount(input.accountId);
      return ctx.engine.positionFills(input).catch(toTrpcError);
    }),

  /** Intraday P&L of one account, or firm-wide, sampled by the engine. */
  pnlSeries: requires("risk:read")
    .input(pnlSeriesInput)
    .query(async ({ ctx, input }): Promise<PnlSeries> => {
      if (input?.accountId === undefined) ctx.scope.assertUnconfined("read the firm-wide P&L, which includes other accounts");
      else ctx.scope.assertAccount(input.accountId);
      return ctx.engine.pnlSeries(input?.accountId).catch(toTrpcError);
    }),
} satisfies TRPCRouterRecord;
