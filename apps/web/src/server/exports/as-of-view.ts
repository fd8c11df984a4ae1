import type { z } from "zod";
import type { EngineClient } from "../engine-client";
import type { HistoryOrder } from "../reports/order-history";
import type { asOfExportInput } from "../routers/audit";
import type { AccountScope } from "../scope";

/** Orders asked of the engine's audit worker at a time (it keeps the rebuilt book between pages). */
const PAGE = 500;

/**
 * The book as of T's orders as an export: every page of the engine's rebuilt book for that moment and
 * those filters (the Audit page's view, all of it). A bound key is asked for its own accounts only,
 * and naming another account is refused.
 */
export function asOfOrders(ctx: AsOfContext, input: z.output<typeof asOfExportInput>): AsyncGenerator<HistoryOrder[]> {
  // Checked now, before the export starts (a generator's body would run only once it is read).
  if (input.accountId !== undefined) ctx.scope.assertAccount(input.accountId);
  if (!ctx.engine) throw new Error("the book as of T needs the engine");
  return pages({ ...ctx, engine: ctx.engine }, input);
}

type AsOfContext = { engine?: Pick<EngineClient, "bookAsOf">; scope: Pick<AccountScope, "accountIds" | "assertAccount"> };

async function* pages(
  ctx: AsOfContext & { engine: Pick<EngineClient, "bookAsOf"> },
  input: z.output<typeof asOfExportInput>,
): AsyncGenerator<HistoryOrder[]> {
  const { accountId, status, ...at } = input;
  const accountIds = accountId !== undefined ? [accountId] : (ctx.scope.accountIds ?? undefined);
  const allowed = ctx.scope.accountIds === null ? null : new Set(ctx.scope.accountIds);
  for (let offset = 0; ; offset += PAGE) {
    const book = await ctx.engine.bookAsOf({ ...at, offset, limit: PAGE, accountIds, statuses: status });
    const orders = allowed ? book.orders.filter((o) => allowed.has(o.accountId)) : book.orders;
    if (orders.length > 0) yield orders;
    if (offset + PAGE >= book.matched || book.orders.length === 0) return;
  }
}
