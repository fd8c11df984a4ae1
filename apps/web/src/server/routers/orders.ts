import { cancelOrderInput, listOrdersInput, submitOrderInput } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { actorOf, requires, toTrpcError } from "../trpc";

export const ordersRouter = {
  submit: requires("orders:submit")
    .input(submitOrderInput)
    .mutation(({ ctx, input }) => ctx.engine.submit(input, actorOf(ctx.principal)).catch(toTrpcError)),

  cancel: requires("orders:cancel")
    .input(cancelOrderInput)
    .mutation(({ ctx, input }) => ctx.engine.cancel(input.orderId, actorOf(ctx.principal)).catch(toTrpcError)),

  get: requires("orders:read")
    .input(z.object({ orderId: z.string().min(1).max(64) }).strict())
    .query(({ ctx, input }) => ctx.engine.order(input.orderId).catch(toTrpcError)),

  /** Newest first, from the orders projection; `nextCursor` is the last order id of the page. */
  list: requires("orders:read")
    .input(listOrdersInput)
    .query(async ({ ctx, input }) => {
      const rows = await ctx.prisma.order.findMany({
        where: { symbol: input.symbol, ordStatus: input.ordStatus, accountId: input.accountId },
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
