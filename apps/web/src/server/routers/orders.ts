import { cancelAllInput, cancelOrderInput, listOrdersInput, modifyOrderInput, submitOrderInput } from "@fillmore/shared";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { accountScope, assertAccountAllowed } from "../api-keys";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { actorOf, requires, toTrpcError } from "../trpc";

/** For an account-scoped API key, looks the order up and refuses it if its account is outside the key's scope. */
async function assertOrderAllowed(principal: Principal, engine: EngineClient, orderId: string): Promise<void> {
  if (!accountScope(principal)) return;
  const { order } = await engine.order(orderId).catch(toTrpcError);
  assertAccountAllowed(principal, order.accountId);
}

export const ordersRouter = {
  submit: requires("orders:submit")
    .input(submitOrderInput)
    .mutation(({ ctx, input }) => {
      assertAccountAllowed(ctx.principal, input.accountId);
      return ctx.engine.submit(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  cancel: requires("orders:cancel")
    .input(cancelOrderInput)
    .mutation(async ({ ctx, input }) => {
      await assertOrderAllowed(ctx.principal, ctx.engine, input.orderId);
      return ctx.engine.cancel(input.orderId, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  /** Cancel/replace of quantity, limit price or stop price; the engine re-runs the risk checks. */
  modify: requires("orders:submit")
    .input(modifyOrderInput)
    .mutation(async ({ ctx, input }) => {
      await assertOrderAllowed(ctx.principal, ctx.engine, input.orderId);
      return ctx.engine.modify(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  /** Cancels every working order matching the filters; a scoped key must name one of its accounts. */
  cancelAll: requires("orders:cancel")
    .input(cancelAllInput)
    .mutation(({ ctx, input }) => {
      if (accountScope(ctx.principal) && input.accountId === undefined)
        throw new TRPCError({ code: "FORBIDDEN", message: "an account-scoped API key must name the accountId to cancel in" });
      if (input.accountId !== undefined) assertAccountAllowed(ctx.principal, input.accountId);
      return ctx.engine.cancelAll(input, actorOf(ctx.principal)).catch(toTrpcError);
    }),

  get: requires("orders:read")
    .input(z.object({ orderId: z.string().min(1).max(64) }).strict())
    .query(async ({ ctx, input }) => {
      const result = await ctx.engine.order(input.orderId).catch(toTrpcError);
      assertAccountAllowed(ctx.principal, result.order.accountId);
      return result;
    }),

  /** Newest first, from the orders projection; `nextCursor` is the last order id of the page. */
  list: requires("orders:read")
    .input(listOrdersInput)
    .query(async ({ ctx, input }) => {
      // An account-scoped key sees only its accounts; asking for another one is refused, not answered empty.
      const scope = accountScope(ctx.principal);
      if (input.accountId !== undefined) assertAccountAllowed(ctx.principal, input.accountId);
      const accountId = input.accountId ?? (scope ? { in: scope } : undefined);
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
