import type { PrismaClient } from "@fillmore/db";
import { can, type Permission } from "@fillmore/shared";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Principal } from "./auth";
import { type EngineClient, EngineError } from "./engine-client";
import type { PrincipalCache } from "./principal-cache";
import { AccountScope } from "./scope";
import type { SystemHealth } from "./system-health";

export interface Context {
  principal: Principal | null;
  engine: EngineClient;
  prisma: PrismaClient;
  /** The server's cache of who holds a credential, told when a key is revoked. */
  principals?: PrincipalCache;
  /** Every process's health, as /healthz answers it (system-health.ts); without it, system.health asks the engine and the database itself. */
  systemHealth?: () => Promise<SystemHealth>;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const message =
      cause instanceof ZodError ? cause.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ") : shape.message;
    return {
      ...shape,
      message,
      data: {
        ...shape.data,
        issues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : undefined,
        engineCode: cause instanceof EngineError ? cause.code : undefined,
        // Backpressure: the console or the engine is past its limit; the answer carries `Retry-After: 1`.
        ...(isOverloaded(cause) ? { reason: "OVERLOADED", retryAfterMs: 1000 } : {}),
      },
    };
  },
});

export const router = t.router;

/** An engine call refused by backpressure, in the console's gate or by the engine itself. */
export function isOverloaded(error: unknown): boolean {
  return error instanceof EngineError && error.status === 503 && error.code === "OVERLOADED";
}

/** Every authenticated procedure gets the caller's account scope (scope.ts), and must use it. */
const authenticated = t.procedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send an API key" });
  return next({ ctx: { ...ctx, principal: ctx.principal, scope: AccountScope.of(ctx.principal) } });
});

/** Every procedure names the permission it needs; the check runs here, on the server. */
export function requires(permission: Permission) {
  return authenticated.use(({ ctx, next }) => {
    if (!can(ctx.principal.role, permission))
      throw new TRPCError({ code: "FORBIDDEN", message: `role ${ctx.principal.role} lacks permission ${permission}` });
    return next();
  });
}

export const signedIn = authenticated;

const ENGINE_TO_TRPC: Record<number, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  404: "NOT_FOUND",
  409: "CONFLICT",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

/** Engine refusals become typed tRPC errors carrying the engine's code and message. */
export function toTrpcError(error: unknown): never {
  if (error instanceof EngineError) {
    throw new TRPCError({ code: ENGINE_TO_TRPC[error.status] ?? "INTERNAL_SERVER_ERROR", message: error.message, cause: error });
  }
  throw error;
}

/** Who acted, as the journal records it: `user:<email>` or `key:<key id>` (ids are unique, names need not be). */
export function actorOf(principal: Principal): string {
  return principal.kind === "user" ? `user:${principal.email}` : `key:${principal.id}`;
}
