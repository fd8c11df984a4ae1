import type http from "node:http";
import { can, type Order } from "@fillmore/shared";
import type { Logger } from "pino";
import type { Namespace, Socket, Server as SocketServer } from "socket.io";
import type { Principal } from "./auth";
import type { LiveItem } from "./live-orders";
import type { EntryError, EntryResult, OrderEntry } from "./order-entry";
import { credentialOf } from "./principal-cache";
import { AccountScope } from "./scope";

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

/** A request's answer through its socket.io acknowledgement (order-entry.ts). */
export type DoorAck = EntryResult;
export type DoorError = EntryError;

export interface TradingDoorOptions {
  io: SocketServer;
  entry: OrderEntry;
  log: Logger;
  principalOf: (headers: http.IncomingHttpHeaders) => Promise<Principal | null>;
  /** Resolves once the console follows the engine's stream, so a new connection misses no report. */
  ready: () => Promise<void>;
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
  private connecting = 0;

  /** Whether a program is connected or connecting: execution reports need the engine's stream. */
  get wantsStream(): boolean {
    return this.connecting > 0 || this.nsp.sockets.size > 0;
  }

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
      this.connecting += 1;
      try {
        await options.ready();
      } catch (error) {
        return next(new Error(`unavailable: ${(error as Error).message}; try again`));
      } finally {
        this.connecting -= 1;
      }
      next();
    });
    const { entry } = options;
    this.nsp.on("connection", (socket) => {
      this.joinRooms(socket, socket.data.principal as Principal);
      for (const [event, operation] of [
        ["order:submit", "submit"],
        ["order:modify", "modify"],
        ["order:cancel", "cancel"],
      ] as const) {
        socket.on(event, (payload: unknown, ack: unknown) => {
          void entry.run(operation, (socket.data.principal as Principal | undefined) ?? null, payload).then((answer) => {
            if (typeof ack === "function") ack(answer);
            else socket.emit("error:request", answer);
          });
        });
      }
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
}
