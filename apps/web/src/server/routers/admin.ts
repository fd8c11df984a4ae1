import { ROLES } from "@fillmore/shared";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys";
import { actorOf, requires, router } from "../trpc";
import { adminReferenceRouters } from "./admin-reference";

const createInput = z
  .object({
    name: z.string().trim().min(1).max(64),
    role: z.enum(ROLES),
    /** Trading accounts the key may act on; empty = every account. */
    accountIds: z.array(z.string().min(1).max(64)).max(100).default([]),
  })
  .strict();

/**
 * API keys: admins create and revoke, compliance reads the list. Who created or revoked a key, and
 * when, is kept on the key's row (created_by, revoked_by) and journaled by the engine as
 * ApiKeyCreated / ApiKeyRevoked in the same all-or-nothing step (api-keys.ts).
 */
const apiKeysRouter = {
  create: requires("admin:apikeys")
    .input(createInput)
    .mutation(async ({ ctx, input }) => {
      const accountIds = [...new Set(input.accountIds)];
      ctx.scope.assertMayMint(input.role, accountIds);
      if (accountIds.length > 0) {
        const known = await ctx.prisma.tradingAccount.findMany({ where: { id: { in: accountIds } }, select: { id: true } });
        const knownIds = new Set(known.map((a) => a.id));
        const unknown = accountIds.filter((id) => !knownIds.has(id));
        if (unknown.length > 0) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: `unknown trading account${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`,
          });
        }
      }
      return createApiKey(ctx.prisma, { name: input.name, role: input.role, accountIds }, actorOf(ctx.principal));
    }),

  /** Admins and compliance (read only); a bound key lists only keys confined within its own accounts. */
  list: requires("apikeys:read").query(async ({ ctx }) => ({ keys: (await listApiKeys(ctx.prisma)).filter((k) => ctx.scope.seesKey(k)) })),

  revoke: requires("admin:apikeys")
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .mutation(async ({ ctx, input }) => {
      // A key a bound key may not see is answered like a key that does not exist.
      if (ctx.scope.confined) {
        const target = await ctx.prisma.apiKey.findUnique({ where: { id: input.id }, select: { accountIds: true } });
        if (!target || !ctx.scope.seesKey(target)) throw new TRPCError({ code: "NOT_FOUND", message: `no API key ${input.id}` });
      }
      const key = await revokeApiKey(ctx.prisma, input.id, actorOf(ctx.principal));
      if (!key) throw new TRPCError({ code: "NOT_FOUND", message: `no API key ${input.id}` });
      ctx.principals?.forgetApiKey(input.id);
      return { key };
    }),
} satisfies TRPCRouterRecord;

export const adminRouter = router({ apiKeys: apiKeysRouter, ...adminReferenceRouters });
