import { can, cancelOrderInput, modifyOrderInput, type Order, type Permission, submitOrderInput } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import type { Principal } from "./auth";
import { type LoopDelayShedder, OverloadedError } from "./backpressure";
import { type EngineClient, EngineError } from "./engine-client";
import { AccountScope, orderNotFound } from "./scope";
import { actorOf } from "./trpc";

/**
 * Order entry for programs, whatever the door (the REST door, rest-door.ts; the streaming door,
 * trading-door.ts): the same zod schemas as the tRPC procedures, the same permissions, the same
 * account scope (scope.ts), and one error shape with the HTTP status it maps to.
 */
export type EntryErrorCode =
  | "INVALID_INPUT"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "OVERLOADED"
  | "ENGINE_UNAVAILABLE"
  | "INTERNAL"
  // Engine refusals keep the engine's code (e.g. RISK_…, CONFLICT, DUPLICATE…).
  | (string & {});

export interface EntryError {
  code: EntryErrorCode;
  message: string;
  httpStatus: number;
  issues?: { path: string; message: string }[];
  retryAfterMs?: number;
  details?: unknown;
}

export type EntryResult =
  | { ok: true; clOrdId: string | null; order: Order; duplicate?: boolean }
  | { ok: false; clOrdId: string | null; error: EntryError };

export type EntryOperation = "submit" | "modify" | "cancel";

class EntryRefusal extends Error {
  constructor(readonly error: EntryError) {
    super(error.message);
  }
}

const TRPC_STATUS: Record<string, [EntryErrorCode, number]> = {
  FORBIDDEN: ["FORBIDDEN", 403],
  NOT_FOUND: ["NOT_FOUND", 404],
  UNAUTHORIZED: ["UNAUTHORIZED", 401],
  BAD_REQUEST: ["INVALID_INPUT", 400],
};

function toEntryError(error: unknown): EntryError {
  if (error instanceof EntryRefusal) return error.error;
  if (error instanceof OverloadedError)
    return { code: "OVERLOADED", message: error.message, httpStatus: 503, retryAfterMs: error.retryAfterMs };
  if (error instanceof EngineError) {
    if (error.code === "OVERLOADED") return { code: "OVERLOADED", message: error.message, httpStatus: 503, retryAfterMs: 1000 };
    return { code: error.code, message: error.message, httpStatus: error.status, details: error.details };
  }
  if (error instanceof TRPCError) {
    const [code, httpStatus] = TRPC_STATUS[error.code] ?? ["INTERNAL", 500];
    return { code, message: error.message, httpStatus };
  }
  return { code: "INTERNAL", message: "internal console error", httpStatus: 500 };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  throw new EntryRefusal({
    code: "INVALID_INPUT",
    message: issues.map((i) => `${i.path || "input"}: ${i.message}`).join("; "),
    httpStatus: 400,
    issues,
  });
}

function clOrdIdOf(payload: unknown): string | null {
  if (payload && typeof payload === "object" && "clOrdId" in payload) {
    const value = (payload as { clOrdId: unknown }).clOrdId;
    if (typeof value === "string") return value.slice(0, 64);
  }
  return null;
}

/** An unknown order id answers like an order outside the caller's accounts (scope.ts). */
function notFoundAs(orderId: string) {
  return (error: unknown): never => {
    if (error instanceof EngineError && error.status === 404) throw orderNotFound(orderId);
    throw error;
  };
}

const PERMISSION: Record<EntryOperation, Permission> = { submit: "orders:submit", modify: "orders:submit", cancel: "orders:cancel" };

export class OrderEntry {
  constructor(
    private readonly engine: EngineClient,
    /** Sheds new risk (submit, modify) while the console's event loop is behind; cancels are never shed. */
    private readonly shedder?: LoopDelayShedder,
    private readonly onInternalError: (error: unknown) => void = () => {},
  ) {}

  /** Runs one request for `principal` (null: not authenticated); never throws. */
  async run(operation: EntryOperation, principal: Principal | null, payload: unknown): Promise<EntryResult> {
    const clOrdId = clOrdIdOf(payload);
    try {
      if (operation !== "cancel") this.shedder?.check();
      if (!principal) throw new EntryRefusal({ code: "UNAUTHORIZED", message: "sign in or send an API key", httpStatus: 401 });
      const permission = PERMISSION[operation];
      if (!can(principal.role, permission))
        throw new EntryRefusal({ code: "FORBIDDEN", message: `role ${principal.role} lacks permission ${permission}`, httpStatus: 403 });
      const result: { order: Order; duplicate?: boolean } = await this[operation](principal, AccountScope.of(principal), payload);
      return { ok: true, clOrdId: result.order.clOrdId ?? clOrdId, order: result.order, duplicate: result.duplicate };
    } catch (error) {
      const entryError = toEntryError(error);
      if (entryError.code === "INTERNAL") this.onInternalError(error);
      return { ok: false, clOrdId, error: entryError };
    }
  }

  private async submit(principal: Principal, scope: AccountScope, payload: unknown): Promise<{ order: Order; duplicate?: boolean }> {
    const input = parse(submitOrderInput, payload);
    scope.assertAccount(input.accountId);
    const result = await this.engine.submit(input, actorOf(principal));
    return { order: result.order, duplicate: result.duplicate };
  }

  private async modify(principal: Principal, scope: AccountScope, payload: unknown): Promise<{ order: Order }> {
    const input = parse(modifyOrderInput, payload);
    if (scope.confined) await this.assertVisible(scope, input.orderId);
    return { order: (await this.engine.modify(input, actorOf(principal)).catch(notFoundAs(input.orderId))).order };
  }

  private async cancel(principal: Principal, scope: AccountScope, payload: unknown): Promise<{ order: Order }> {
    const input = parse(cancelOrderInput, payload);
    if (scope.confined) await this.assertVisible(scope, input.orderId);
    return { order: (await this.engine.cancel(input.orderId, actorOf(principal)).catch(notFoundAs(input.orderId))).order };
  }

  private async assertVisible(scope: AccountScope, orderId: string): Promise<void> {
    const { order } = await this.engine.order(orderId).catch(notFoundAs(orderId));
    scope.assertOrderVisible(orderId, order.accountId);
  }
}
