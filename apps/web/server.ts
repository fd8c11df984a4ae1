import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrisma } from "@fillmore/db";
import next from "next";
import pg from "pg";
import pino from "pino";
import { loadServerEnv } from "./src/env";
import { createAuth } from "./src/server/auth";
import { createConsoleServer } from "./src/server/console-server";
import { EngineClient } from "./src/server/engine-client";
import { allowedOrigins } from "./src/server/http-security";
import { SignInLimits } from "./src/server/sign-in-limits";

const env = loadServerEnv();
const log = pino({ name: "web", level: env.LOG_LEVEL });
const dir = path.dirname(fileURLToPath(import.meta.url));
const baseURL = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
const origins = allowedOrigins(baseURL, env.ALLOWED_ORIGINS);

const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection lost"));
const prisma = createPrisma(env.DATABASE_URL);
const auth = createAuth({
  pool,
  secret: env.AUTH_SECRET,
  baseURL,
  trustedOrigins: origins,
  signIn: {
    limits: new SignInLimits(),
    async failed(attempt) {
      log.warn({ email: attempt.email, ip: attempt.ip, outcome: attempt.outcome, retryAfterMs: attempt.retryAfterMs }, "sign-in failed");
      await prisma.signInAttempt
        .create({ data: attempt })
        .catch((error) => log.error({ err: String(error) }, "could not record a failed sign-in"));
    },
  },
});
const engine = new EngineClient(env.ENGINE_URL, env.ENGINE_SERVICE_TOKEN);

const nextApp = next({ dev: false, dir, hostname: env.HOST, port: env.PORT });
await nextApp.prepare();
const handlePages = nextApp.getRequestHandler();

const consoleServer = createConsoleServer({ auth, prisma, engine, log, allowedOrigins: origins, handlePages });
consoleServer.live.start();
consoleServer.server.listen(env.PORT, env.HOST, () => log.info({ url: baseURL, allowedOrigins: origins }, "console ready"));

async function shutdown(): Promise<void> {
  await consoleServer.close();
  await Promise.allSettled([pool.end(), prisma.$disconnect(), nextApp.close()]);
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
