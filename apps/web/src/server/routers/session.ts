import { permissionsOf } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { requires, signedIn, toTrpcError } from "../trpc";

export const sessionRouter = {
  me: signedIn.query(({ ctx }) => ({
    email: ctx.principal.email,
    name: ctx.principal.name,
    role: ctx.principal.role,
    permissions: permissionsOf(ctx.principal.role),
  })),
} satisfies TRPCRouterRecord;

export const referenceRouter = {
  get: requires("orders:read").query(({ ctx }) => ctx.engine.reference().catch(toTrpcError)),
} satisfies TRPCRouterRecord;
