import http from "node:http";
import type { PrismaClient } from "@fillmore/db";
import { can } from "@fillmore/shared";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { fromNodeHeaders, toNodeHandler } from "better-auth/node";
import type { Logger } from "pino";
import { type Socket, Server as SocketServer } from "socket.io";
import { bearerToken, principalFromApiKey } from "./api-keys";
import { type Auth, type Principal, principalFromHeaders } from "./auth";
import { type LoopDelayShedder, OverloadedError, overloadedBody, RETRY_AFTER_S } from "./backpressure";
import type { EngineClient } from "./engine-client";
import { applySecurityHeaders, checkOrigin, isBearerRequest, isMutation, SECURITY_HEADERS } from "./http-security";
import { LiveOrders, ORDERS_ROOM, type SubscribeLimit } from "./live-orders";
import { LivePositions } from "./live-positions";
import { OrderEntry } from "./order-entry";
import { credentialOf, type ForgetNotice, PrincipalCache } from "./principal-cache";
import { REST_PREFIX, RestDoor } from "./rest-door";
import { appRouter } from "./routers/root";
import { checkSystemHealth, databaseProbe, type SystemHealthDeps, watchEngineState } from "./system-health";
import { TradingDoor } from "./trading-door";
import { isOverloaded } from "./trpc";

/** Whether a tRPC call adds risk (a batch path lists every procedure in it): only those are shed on a lagging event loop. */
export function isNewRiskCall(url: string): boolean {
  return /^\/api\/trpc\/[^?]*\borders\.(submit|modify)\b/.test(url);
}

export interface ConsoleServerOptions {
  auth: Auth;
  prisma: PrismaClient;
  engine: EngineClient;
  log: Logger;
  /** Origins allowed to send cookie-authenticated mutations and open the live stream (http-security.ts). */
  allowedOrigins: readonly string[];
  /** Pages: Next's request handler (a stub in tests). */
  handlePages: (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
  principals?: PrincipalCache;
  /** How often live connections re-check their credential (revocation, sign-out, role or account change). */
  revalidateMs?: number;
  subscribeLimit?: SubscribeLimit;
  /** Refuses API requests with 503 OVERLOADED while this process's event loop is behind (backpressure.ts). */
  shedder?: LoopDelayShedder;
  /**
   * Several console processes: the socket.io adapter that links them (the Postgres adapter), and
   * websocket-only transport, since HTTP long-polling needs sticky sessions (docs/OPERATIONS.md, "Scaling out").
   */
  scaleOut?: { adapter: NonNullable<ConstructorParameters<typeof SocketServer>[1]>["adapter"] };
  /** The launcher's state file (scripts/lib/supervisor-state.ts): "engine restarting", restarts, for /healthz and the System page. */
  supervisorFile?: string;
}

export interface ConsoleServer {
  server: http.Server;
  io: SocketServer;
  live: LiveOrders;
  /** Live positions and P&L (`positions:subscribe`); follows the engine once someone subscribes. */
  positions: LivePositions;
  trading: TradingDoor;
  principals: PrincipalCache;
  close(): Promise<void>;
}

/** Why a principal may not hold a live-stream connection, or null if it may. */
function streamRefusal(principal: Principal): string | null {
  // The live stream carries every account's orders; a key bound to accounts reads them with orders.list instead.
  if (principal.kind === "apiKey" && principal.accountIds.length > 0)
    return "forbidden: an account-scoped API key cannot subscribe to the live order stream";
  return null;
}

/**
 * The console's HTTP server: security headers on every answer, the Origin check on
 * cookie-authenticated mutations, better-auth, the tRPC API, the pages, and the socket.io live
 * stream whose connections are re-checked while they last.
 */
export function createConsoleServer(options: ConsoleServerOptions): ConsoleServer {
  const { auth, prisma, engine, log, allowedOrigins } = options;
  const principals = options.principals ?? new PrincipalCache();

  /** An `Authorization: Bearer` API key decides alone (a bad key is refused, not replaced by a cookie); else the session cookie. */
  function principalOf(headers: http.IncomingHttpHeaders): Promise<Principal | null> {
    return principals.get(credentialOf(headers.authorization, headers.cookie), () => {
      if (bearerToken(headers.authorization) !== null) return principalFromApiKey(prisma, headers.authorization);
      return principalFromHeaders(auth, fromNodeHeaders(headers));
    });
  }

  // /healthz and system.health: one answer (system-health.ts); `live` is assigned below, before any request.
  const systemDeps: SystemHealthDeps = {
    engineUrl: engine.baseUrl,
    queryDatabase: databaseProbe(prisma),
    streamState: () => live.streamState,
    supervisorFile: options.supervisorFile,
  };
  const handleAuth = toNodeHandler(auth);
  const handleTrpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    maxBodySize: 64 * 1024,
    createContext: async ({ req }) => ({
      principal: await principalOf(req.headers),
      engine,
      prisma,
      principals,
      systemHealth: () => checkSystemHealth(systemDeps),
    }),
    // Backpressure (the engine gate or the engine itself refused): tell the client when to come back.
    responseMeta: ({ errors }) => (errors.some((e) => isOverloaded(e.cause)) ? { headers: { "Retry-After": String(RETRY_AFTER_S) } } : {}),
  });

  const entry = new OrderEntry(engine, options.shedder, (error) => log.error({ err: String(error) }, "order entry: request failed"));
  const restDoor = new RestDoor(entry, principalOf);

  function refuse(res: http.ServerResponse, message: string): void {
    res.writeHead(403, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message, data: { code: "FORBIDDEN", httpStatus: 403 } } }));
  }

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    applySecurityHeaders(url, res);
    if (url.startsWith("/api/") && isMutation(req.method) && !isBearerRequest(req.headers)) {
      // A browser sends the session cookie to us whichever site made it send the request: only our own pages may change things with it.
      const verdict = checkOrigin(req.headers, allowedOrigins);
      if (!verdict.allowed) {
        log.warn({ url: url.slice(0, 200), origin: req.headers.origin, ip: req.socket.remoteAddress }, "cross-origin request refused");
        return refuse(res, `cross-origin request refused: ${verdict.reason}`);
      }
    }
    if (url.startsWith("/api/auth/")) {
      // This server is the edge: the peer address, not a client-sent header, keys the sign-in limits.
      req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "unknown";
      if (url.startsWith("/api/auth/sign-out")) {
        const credential = credentialOf(undefined, req.headers.cookie);
        principals.forget(credential);
        // Once the session is gone from the database, live connections holding it are cut.
        res.once("finish", () => principals.forget(credential));
      }
      return void handleAuth(req, res);
    }
    if (url.startsWith(REST_PREFIX)) return void restDoor.handle(req, res);
    if (url.startsWith("/api/trpc/")) {
      // Only new risk is shed on a lagging event loop: reads and cancels always go through.
      if (options.shedder?.overloaded && isNewRiskCall(url)) {
        try {
          options.shedder.check();
        } catch (error) {
          if (error instanceof OverloadedError) {
            res.writeHead(503, { "content-type": "application/json", "retry-after": String(RETRY_AFTER_S) });
            return void res.end(overloadedBody(error));
          }
        }
      }
      return void handleTrpc(req, res);
    }
    if (url === "/healthz") {
      // 200 when healthy, 503 when not; the body says what is wrong (docs/OPERATIONS.md, "Health").
      void checkSystemHealth(systemDeps).then((health) => {
        res.writeHead(health.status === "ok" ? 200 : 503, { "content-type": "application/json" });
        res.end(JSON.stringify(health));
      });
      return;
    }
    void options.handlePages(req, res);
  });
  // Longer than any client's or load balancer's idle timeout: a kept-alive connection the server closes
  // just as a client reuses it answers ECONNRESET (Node's default is 5 s, shorter than most clients').
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const io = new SocketServer(server, {
    serveClient: false,
    ...(options.scaleOut ? { adapter: options.scaleOut.adapter, transports: ["websocket" as const] } : {}),
    // Cross-site WebSocket hijacking: a page elsewhere must not open the stream with our user's cookie.
    allowRequest: (req, callback) => {
      const verdict = checkOrigin(req.headers, allowedOrigins);
      if (!verdict.allowed) log.warn({ origin: req.headers.origin, ip: req.socket.remoteAddress }, "live stream: origin refused");
      callback(verdict.allowed ? null : verdict.reason, verdict.allowed);
    },
  });
  const securityHeaders = (headers: Record<string, string>) => Object.assign(headers, SECURITY_HEADERS, { "Cache-Control": "no-store" });
  io.engine.on("initial_headers", securityHeaders);
  io.engine.on("headers", securityHeaders);

  const live = new LiveOrders(engine, io, log, options.subscribeLimit);
  io.use(async (socket, nextMiddleware) => {
    const principal = await principalOf(socket.request.headers).catch(() => null);
    if (!principal) return nextMiddleware(new Error("unauthorized: sign in or send an API key"));
    const refusal = streamRefusal(principal);
    if (refusal) return nextMiddleware(new Error(refusal));
    socket.data.principal = principal;
    socket.data.credential = credentialOf(socket.request.headers.authorization, socket.request.headers.cookie);
    nextMiddleware();
  });
  const positions = new LivePositions(engine, log, options.subscribeLimit);
  io.on("connection", (socket) => {
    live.attach(socket);
    positions.attach(socket);
  });

  const trading = new TradingDoor({ io, entry, log, principalOf, ready: () => live.ready() });
  // Execution reports need the engine's stream while a program is connected.
  live.addDemand(() => trading.wantsStream);
  const stopPublishing = live.onOrder((item) => trading.publish(item));
  // The launcher restarting the engine: live pages say "engine restarting" rather than "unreachable".
  const stopWatchingEngine = options.supervisorFile
    ? watchEngineState(
        options.supervisorFile,
        () => !live.connected,
        (state) => io.local.to(ORDERS_ROOM).emit("engine:status", { connected: false, state }),
      )
    : () => {};

  // Scale-out: a sign-out or a revoked key on this process ends the credential on the others at once.
  let stopNotices = () => {};
  if (options.scaleOut) {
    stopNotices = principals.onNotice((notice) => io.serverSideEmit("principals:forget", notice));
    io.on("principals:forget", (notice: ForgetNotice) => {
      if (notice && typeof notice === "object")
        principals.applyNotice({
          keyId: typeof notice.keyId === "string" ? notice.keyId : undefined,
          credentialHash: typeof notice.credentialHash === "string" ? notice.credentialHash : undefined,
          userId: typeof notice.userId === "string" ? notice.userId : undefined,
        });
    });
  }

  /** Re-checks one connection's credential: cut it when it ended, follow a role change. */
  async function recheck(socket: Socket): Promise<void> {
    let principal: Principal | null;
    try {
      principal = await principalOf(socket.request.headers);
    } catch (error) {
      // The database is unreachable: keep the connection; the next pass decides.
      log.warn({ err: String(error) }, "live stream: could not re-check a connection's credential");
      return;
    }
    const refusal = principal === null ? "signed out, session expired or API key revoked" : streamRefusal(principal);
    if (refusal || principal === null) {
      socket.emit("session:ended", { message: refusal });
      socket.disconnect(true);
      return;
    }
    socket.data.principal = principal;
    if (!can(principal.role, "orders:read") && socket.rooms.has(ORDERS_ROOM)) {
      void socket.leave(ORDERS_ROOM);
      socket.emit("error:forbidden", { channel: ORDERS_ROOM, message: `role ${principal.role} may not read orders` });
    }
  }

  let checking = false;
  let again = false;
  async function recheckAll(): Promise<void> {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        await Promise.all([...[...io.of("/").sockets.values()].map(recheck), ...trading.sockets.map((s) => trading.recheck(s))]);
      } while (again);
    } finally {
      checking = false;
    }
  }
  const timer = setInterval(() => void recheckAll(), options.revalidateMs ?? 500);
  timer.unref();
  const stopListening = principals.onForget(() => void recheckAll());

  return {
    server,
    io,
    live,
    positions,
    trading,
    principals,
    async close() {
      clearInterval(timer);
      stopListening();
      stopPublishing();
      stopWatchingEngine();
      stopNotices();
      live.stop();
      positions.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
