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
  get: requires("orders:read").query(({ ctx }) => ctx.engine.reference().catch(toTrpcError)),
} satisfies TRPCRouterRecord;
