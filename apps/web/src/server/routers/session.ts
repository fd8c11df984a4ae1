import { permissionsOf } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { requires, signedIn, toTrpcError } from "../trpc";

export const sessionRouter = {
  /** Who is calling: a signed-in user or an API key. `accountIds` empty = every account. */
  me: signedIn.query(({ ctx }) => {
    const p = ctx.principal;
    return {
      kind: p.kind,
      id: p.id,
      email: p.kind === "user" ? p.email : null,
      name: p.name,
      role: p.role,
      accountIds: p.kind === "apiKey" ? p.accountIds : [],
      permissions: permissionsOf(p.role),
    };
  }),
} satisfies TRPCRouterRecord;

export const referenceRouter = {
  /** Instruments, venues and quotes are shared; a bound key sees only its own accounts. */
  get: requires("orders:read").query(async ({ ctx }) => ctx.scope.filterReference(await ctx.engine.reference().catch(toTrpcError))),
} satisfies TRPCRouterRecord;
