import { cancelAllInput, cancelOrderInput, listOrdersInput, modifyOrderInput, submitOrderInput } from "@fillmore/shared";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { type EngineClient, EngineError } from "../engine-client";
import { type AccountScope, orderNotFound } from "../scope";
import { actorOf, requires, toTrpcError } from "../trpc";

/** Engine refusals, except that an unknown order id gets the same answer as an order outside the caller's accounts. */
function orderError(orderId: string) {
  return (error: unknown): never => {
    if (error instanceof EngineError && error.status === 404) throw orderNotFound(orderId);
    return toTrpcError(error);
  };
}

/** The order with its events, if it exists and lies within the caller's accounts; else NOT_FOUND. */
async function visibleOrder(scope: AccountScope, engine: EngineClient, orderId: string) {
  const result = await engine.order(orderId).catch(orderError(orderId));
  scope.assertOrderVisible(orderId, result.order.accountId);
  return result;
}

export const ordersRouter = {
  submit: requires("orders:submit")
    .input(submitOrderInput)
    .mutation(({ ctx, input }) => {
      ctx.scope.assertAccount(input.accountId);
      return ctx.engine.submit(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  cancel: requires("orders:cancel")
    .input(cancelOrderInput)
    .mutation(async ({ ctx, input }) => {
      if (ctx.scope.confined) await visibleOrder(ctx.scope, ctx.engine, input.orderId);
      return ctx.engine.cancel(input.orderId, actorOf(ctx.principal)).catch(orderError(input.orderId));
    }),

  /** Cancel/replace of quantity, limit price or stop price; the engine re-runs the risk checks. */
  modify: requires("orders:submit")
    .input(modifyOrderInput)
    .mutation(async ({ ctx, input }) => {
      if (ctx.scope.confined) await visibleOrder(ctx.scope, ctx.engine, input.orderId);
      return ctx.engine.modify(input, actorOf(ctx.principal)).catch(orderError(input.orderId));
    }),

  /** Cancels every working order matching the filters; a scoped key must name one of its accounts. */
  cancelAll: requires("orders:cancel")
    .input(cancelAllInput)
    .mutation(({ ctx, input }) => {
      if (ctx.scope.confined && input.accountId === undefined)
        throw new TRPCError({ code: "FORBIDDEN", message: "an account-scoped API key must name the accountId to cancel in" });
      if (input.accountId !== undefined) ctx.scope.assertAccount(input.accountId);
      return ctx.engine.cancelAll(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  /** An order outside a bound key's accounts answers the same NOT_FOUND as an id that does not exist. */
  get: requires("orders:read")
    .input(z.object({ orderId: z.string().min(1).max(64) }).strict())
    .query(({ ctx, input }) => visibleOrder(ctx.scope, ctx.engine, input.orderId)),

  /** Newest first, from the orders projection; `nextCursor` is the last order id of the page. */
  list: requires("orders:read")
    .input(listOrdersInput)
    .query(async ({ ctx, input }) => {
      // An account-scoped key sees only its accounts; asking for another one is refused, not answered empty.
      const scope = ctx.scope.accountIds;
      if (input.accountId !== undefined) ctx.scope.assertAccount(input.accountId);
      const accountId = input.accountId ?? (scope ? { in: scope } : undefined);
      if (input.cursor && scope) {
        // A cursor from another account pages like an unknown one: an empty page, not a view of where that order sits.
        const cursor = await ctx.prisma.order.findUnique({ where: { id: input.cursor }, select: { accountId: true } });
        if (!cursor || !ctx.scope.allows(cursor.accountId)) return { orders: [], nextCursor: null };
      }
      const rows = await ctx.prisma.order.findMany({
        where: { symbol: input.symbol, ordStatus: input.ordStatus, accountId },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      });
      const page = rows.slice(0, input.limit);
      return {
        orders: page.map((r) => ({
          orderId: r.id,
          clOrdId: r.clOrdId,
          accountId: r.accountId,
          symbol: r.symbol,
          side: r.side,
          ordType: r.ordType,
          timeInForce: r.timeInForce,
          orderQty: r.orderQty.toString(),
          price: r.price?.toString() ?? null,
          stopPx: r.stopPx?.toString() ?? null,
          ordStatus: r.ordStatus,
          cumQty: r.cumQty.toString(),
          leavesQty: r.leavesQty.toString(),
          avgPx: r.avgPx.toString(),
          venueId: r.venueId,
          strategy: r.strategy,
          createdBy: r.createdBy,
          createdAt: r.createdAt.toISOString(),
          updatedAt: r.updatedAt.toISOString(),
        })),
        nextCursor: rows.length > input.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    }),
} satisfies TRPCRouterRecord;
