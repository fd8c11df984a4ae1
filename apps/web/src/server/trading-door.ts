import type http from "node:http";
import { can, cancelOrderInput, modifyOrderInput, type Order, type Permission, submitOrderInput } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import type { Logger } from "pino";
import type { Namespace, Socket, Server as SocketServer } from "socket.io";
import type { z } from "zod";
import type { Principal } from "./auth";
import type { LoopDelayShedder } from "./backpressure";
import { OverloadedError } from "./backpressure";
import { type EngineClient, EngineError } from "./engine-client";
import type { LiveItem } from "./live-orders";
import { credentialOf } from "./principal-cache";
import { AccountScope, orderNotFound } from "./scope";
import { actorOf } from "./trpc";

/**
 * The streaming door for programs: order entry and execution reports over one authenticated
 * socket.io connection on the namespace `/trading` (docs/API.md, "Streaming door").
 *
 * - Authentication: an API key in the handshake's auth payload (`{ apiKey }`) or an
 *   `Authorization: Bearer` header, else the session cookie; re-checked every `revalidateMs` like the
 *   live stream (a revoked key or an ended session is disconnected).
 * - Requests `order:submit`, `order:modify`, `order:cancel` carry the same input as the tRPC
 *   procedures, validated by the same zod schemas, checked against the same permissions and the same
 *   account scope (scope.ts). Each is answered through its socket.io acknowledgement:
 *   `{ ok: true, clOrdId, order, duplicate? }` or `{ ok: false, clOrdId, error: { code, message, … } }`.
 * - Execution reports (`execution`) are pushed for every order event in the principal's accounts
 *   (a bound key: its accounts; a person or an unbound key: every account).
 */
export const TRADING_NAMESPACE = "/trading";
const ALL_ACCOUNTS_ROOM = "acct:*";
const accountRoom = (accountId: string) => `acct:${accountId}`;

export interface ExecutionReport {
  /** The engine's journal sequence number of the event: rises across reports (not by one: other accounts' events interleave). */
  seq: number;
  /** The event, e.g. OrderAccepted, OrderPartiallyFilled, OrderFilled, OrderCancelled, OrderRejected, OrderReplaced. */
  type: string;
  clOrdId: string;
  orderId: string;
  accountId: string;
  ordStatus: string;
  cumQty: string;
  leavesQty: string;
  avgPx: string;
  /** On fills: this execution's quantity and price. */
  lastQty?: string;
  lastPx?: string;
  order: Order;
}

export type DoorErrorCode =
  | "INVALID_INPUT"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "OVERLOADED"
  | "ENGINE_UNAVAILABLE"
  | "INTERNAL"
  // Engine refusals keep the engine's code (e.g. RISK_…, CONFLICT, DUPLICATE…).
  | (string & {});

export interface DoorError {
  code: DoorErrorCode;
  message: string;
  httpStatus: number;
  issues?: { path: string; message: string }[];
  retryAfterMs?: number;
  details?: unknown;
}

export type DoorAck =
  | { ok: true; clOrdId: string | null; order: Order; duplicate?: boolean }
  | { ok: false; clOrdId: string | null; error: DoorError };

export interface TradingDoorOptions {
  io: SocketServer;
  engine: EngineClient;
  log: Logger;
  principalOf: (headers: http.IncomingHttpHeaders) => Promise<Principal | null>;
  shedder?: LoopDelayShedder;
}

class DoorRefusal extends Error {
  constructor(readonly error: DoorError) {
    super(error.message);
  }
}

const TRPC_STATUS: Record<string, [DoorErrorCode, number]> = {
  FORBIDDEN: ["FORBIDDEN", 403],
  NOT_FOUND: ["NOT_FOUND", 404],
  UNAUTHORIZED: ["UNAUTHORIZED", 401],
  BAD_REQUEST: ["INVALID_INPUT", 400],
};

function toDoorError(error: unknown): DoorError {
  if (error instanceof DoorRefusal) return error.error;
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
  throw new DoorRefusal({
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

/** Who may hold a trading connection: anyone who may read orders (they receive execution reports). */
export function tradingRefusal(principal: Principal | null): string | null {
  if (!principal) return "unauthorized: signed out, session expired or API key revoked";
  if (!can(principal.role, "orders:read")) return `forbidden: role ${principal.role} may not read orders`;
  return null;
}

/** The credential a trading socket authenticates with: `auth.apiKey` (or `auth.token`) as a bearer key, else its headers. */
export function tradingHeaders(socket: Socket): http.IncomingHttpHeaders {
  const auth = socket.handshake.auth as { apiKey?: unknown; token?: unknown } | undefined;
  const key = typeof auth?.apiKey === "string" ? auth.apiKey : typeof auth?.token === "string" ? auth.token : undefined;
  if (key !== undefined) return { authorization: `Bearer ${key.replace(/^Bearer\s+/i, "")}` };
  return socket.request.headers;
}

export class TradingDoor {
  readonly nsp: Namespace;

  constructor(private readonly options: TradingDoorOptions) {
    const { io, log } = options;
    this.nsp = io.of(TRADING_NAMESPACE);
    this.nsp.use(async (socket, next) => {
      const headers = tradingHeaders(socket);
      const principal = await options.principalOf(headers).catch(() => null);
      const refusal = tradingRefusal(principal);
      if (refusal || !principal) return next(new Error(refusal ?? "unauthorized"));
      socket.data.principal = principal;
      socket.data.headers = headers;
      socket.data.credential = credentialOf(headers.authorization, headers.cookie);
      next();
    });
    this.nsp.on("connection", (socket) => {
      this.joinRooms(socket, socket.data.principal as Principal);
      socket.on("order:submit", (payload: unknown, ack: unknown) =>
        this.handle(socket, ack, payload, "orders:submit", async (principal, scope) => {
          const input = parse(submitOrderInput, payload);
          scope.assertAccount(input.accountId);
          const result = await options.engine.submit(input, actorOf(principal));
          return { order: result.order, duplicate: result.duplicate };
        }),
      );
      socket.on("order:modify", (payload: unknown, ack: unknown) =>
        this.handle(socket, ack, payload, "orders:submit", async (principal, scope) => {
          const input = parse(modifyOrderInput, payload);
          if (scope.confined) await this.assertVisible(scope, input.orderId);
          return { order: (await options.engine.modify(input, actorOf(principal)).catch(notFoundAs(input.orderId))).order };
        }),
      );
      socket.on("order:cancel", (payload: unknown, ack: unknown) =>
        this.handle(socket, ack, payload, "orders:cancel", async (principal, scope) => {
          const input = parse(cancelOrderInput, payload);
          if (scope.confined) await this.assertVisible(scope, input.orderId);
          return { order: (await options.engine.cancel(input.orderId, actorOf(principal)).catch(notFoundAs(input.orderId))).order };
        }),
      );
    });
    log.debug({ namespace: TRADING_NAMESPACE }, "streaming door open");
  }

  /** One engine event from the live mirror: an execution report to the sockets of its account. */
  publish(item: LiveItem): void {
    const order = item.order;
    const data = item.event?.data as { lastQty?: string; lastPx?: string } | undefined;
    const report: ExecutionReport = {
      seq: item.seq,
      type: item.event?.type ?? "OrderUpdated",
      clOrdId: order.clOrdId,
      orderId: order.orderId,
      accountId: order.accountId,
      ordStatus: order.ordStatus,
      cumQty: order.cumQty,
      leavesQty: order.leavesQty,
      avgPx: order.avgPx,
      ...(data?.lastQty !== undefined && data.lastPx !== undefined ? { lastQty: data.lastQty, lastPx: data.lastPx } : {}),
      order,
    };
    // Local only: every console process follows the engine's stream itself (docs/OPERATIONS.md, "Scaling out").
    this.nsp.local.to(accountRoom(order.accountId)).to(ALL_ACCOUNTS_ROOM).emit("execution", report);
  }

  /** Re-checks every trading socket's credential: cut it when it ended, follow a changed binding. */
  async recheck(socket: Socket): Promise<void> {
    let principal: Principal | null;
    try {
      principal = await this.options.principalOf(socket.data.headers as http.IncomingHttpHeaders);
    } catch (error) {
      this.options.log.warn({ err: String(error) }, "trading door: could not re-check a connection's credential");
      return;
    }
    const refusal = tradingRefusal(principal);
    if (refusal || !principal) {
      socket.emit("session:ended", { message: refusal });
      socket.disconnect(true);
      return;
    }
    socket.data.principal = principal;
    this.joinRooms(socket, principal);
  }

  get sockets(): Socket[] {
    return [...this.nsp.sockets.values()];
  }

  private joinRooms(socket: Socket, principal: Principal): void {
    const scope = AccountScope.of(principal);
    const wanted = new Set(scope.accountIds?.map(accountRoom) ?? [ALL_ACCOUNTS_ROOM]);
    for (const room of socket.rooms) if (room.startsWith("acct:") && !wanted.has(room)) void socket.leave(room);
    for (const room of wanted) if (!socket.rooms.has(room)) void socket.join(room);
  }

  private async assertVisible(scope: AccountScope, orderId: string): Promise<void> {
    const { order } = await this.options.engine.order(orderId).catch(notFoundAs(orderId));
    scope.assertOrderVisible(orderId, order.accountId);
  }

  private async handle(
    socket: Socket,
    ack: unknown,
    payload: unknown,
    permission: Permission,
    run: (principal: Principal, scope: AccountScope) => Promise<{ order: Order; duplicate?: boolean }>,
  ): Promise<void> {
    const clOrdId = clOrdIdOf(payload);
    const reply = (answer: DoorAck) => {
      if (typeof ack === "function") ack(answer);
      else socket.emit("error:request", answer);
    };
    try {
      if (permission === "orders:submit") this.options.shedder?.check(); // cancels are never shed
      const principal = socket.data.principal as Principal | undefined;
      if (!principal) throw new DoorRefusal({ code: "UNAUTHORIZED", message: "not authenticated", httpStatus: 401 });
      if (!can(principal.role, permission))
        throw new DoorRefusal({ code: "FORBIDDEN", message: `role ${principal.role} lacks permission ${permission}`, httpStatus: 403 });
      const result = await run(principal, AccountScope.of(principal));
      reply({ ok: true, clOrdId: result.order.clOrdId ?? clOrdId, order: result.order, duplicate: result.duplicate });
    } catch (error) {
      const doorError = toDoorError(error);
      if (doorError.code === "INTERNAL") this.options.log.error({ err: String(error) }, "trading door: request failed");
      reply({ ok: false, clOrdId, error: doorError });
    }
  }
}

/** An unknown order id answers like an order outside the caller's accounts (scope.ts). */
function notFoundAs(orderId: string) {
  return (error: unknown): never => {
    if (error instanceof EngineError && error.status === 404) throw orderNotFound(orderId);
    throw error;
  };
}
