import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrisma } from "@fillmore/db";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { fromNodeHeaders, toNodeHandler } from "better-auth/node";
import next from "next";
import pg from "pg";
import pino from "pino";
import { Server as SocketServer } from "socket.io";
import { loadServerEnv } from "./src/env";
import { bearerToken, principalFromApiKey } from "./src/server/api-keys";
import { createAuth, type Principal, principalFromHeaders } from "./src/server/auth";
import { EngineClient } from "./src/server/engine-client";
import { LiveOrders } from "./src/server/live-orders";
import { credentialOf, PrincipalCache } from "./src/server/principal-cache";
import { appRouter } from "./src/server/routers/root";

const env = loadServerEnv();
const log = pino({ name: "web", level: env.LOG_LEVEL });
const dir = path.dirname(fileURLToPath(import.meta.url));
const baseURL = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;

const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection lost"));
const prisma = createPrisma(env.DATABASE_URL);
const auth = createAuth({ pool, secret: env.AUTH_SECRET, baseURL });
const engine = new EngineClient(env.ENGINE_URL, env.ENGINE_SERVICE_TOKEN);

const nextApp = next({ dev: false, dir, hostname: env.HOST, port: env.PORT });
await nextApp.prepare();
const handleNext = nextApp.getRequestHandler();

const principals = new PrincipalCache();

/** An `Authorization: Bearer` API key decides alone (a bad key is refused, not replaced by a cookie); else the session cookie. */
function principalOf(headers: http.IncomingHttpHeaders): Promise<Principal | null> {
  return principals.get(credentialOf(headers.authorization, headers.cookie), () => {
    if (bearerToken(headers.authorization) !== null) return principalFromApiKey(prisma, headers.authorization);
    return principalFromHeaders(auth, fromNodeHeaders(headers));
  });
}

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
  }),
});

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  if (url.startsWith("/api/auth/")) {
    // This server is the edge: the peer address, not a client-sent header, keys the sign-in rate limit.
    req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "unknown";
    if (url.startsWith("/api/auth/sign-out")) principals.forget(credentialOf(undefined, req.headers.cookie));
    return void handleAuth(req, res);
  }
  if (url.startsWith("/api/trpc/")) return void handleTrpc(req, res);
  if (url === "/healthz") {
    res.writeHead(live.connected ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: live.connected ? "ok" : "engine-disconnected" }));
    return;
  }
  void handleNext(req, res);
});

const io = new SocketServer(server, { serveClient: false });
const live = new LiveOrders(engine, io, log);
io.use(async (socket, nextMiddleware) => {
  const principal = await principalOf(socket.request.headers).catch(() => null);
  if (!principal) return nextMiddleware(new Error("unauthorized: sign in or send an API key"));
  // The live stream carries every account's orders; a key bound to accounts reads them with orders.list instead.
  if (principal.kind === "apiKey" && principal.accountIds.length > 0) {
    return nextMiddleware(new Error("forbidden: an account-scoped API key cannot subscribe to the live order stream"));
  }
  socket.data.principal = principal;
  nextMiddleware();
});
io.on("connection", (socket) => live.attach(socket, socket.data.principal));
live.start();

server.listen(env.PORT, env.HOST, () => log.info({ url: baseURL }, "console ready"));

async function shutdown(): Promise<void> {
  live.stop();
  io.close();
  server.closeAllConnections();
  await Promise.allSettled([pool.end(), prisma.$disconnect(), nextApp.close()]);
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
