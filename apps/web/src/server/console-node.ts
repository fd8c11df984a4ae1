import type http from "node:http";
import { createPrisma } from "@fillmore/db";
import { warmPool } from "@fillmore/db/warm-pool";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import type { Logger } from "pino";
import type { ServerEnv } from "../env";
import { createAuth } from "./auth";
import { backpressureFromEnv, ConcurrencyGate, LoopDelayShedder } from "./backpressure";
import { type ConsoleServer, createConsoleServer } from "./console-server";
import { EngineClient } from "./engine-client";
import { allowedOrigins } from "./http-security";
import { schedulerConfig } from "./scheduler/config";
import { DailyScheduler } from "./scheduler/scheduler";
import { SignInLimits } from "./sign-in-limits";

/**
 * One console process, wired: database pools, better-auth, the engine client behind its
 * concurrency gate, the event-loop shedder and, when several console processes serve one address,
 * the socket.io Postgres adapter. server.ts runs one of these per process (Node cluster); tests run
 * them with a stub for the pages.
 */
export interface ConsoleNodeOptions {
  env: ServerEnv;
  log: Logger;
  handlePages: (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
  /** Link this process to the other console processes through Postgres (LISTEN/NOTIFY). */
  scaleOut: boolean;
  rawEnv?: NodeJS.ProcessEnv;
  /** Run the scheduled daily reports and chain digest (scheduler/scheduler.ts): the real console only, not test consoles. */
  scheduledReports?: boolean;
}

export interface ConsoleNode {
  consoleServer: ConsoleServer;
  url: string;
  close(): Promise<void>;
}

/** How many console processes to run (CONSOLE_PROCESSES, default 1). */
export function consoleProcesses(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CONSOLE_PROCESSES;
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64)
    throw new Error("invalid web configuration: CONSOLE_PROCESSES must be an integer from 1 to 64");
  return n;
}

/** Whether this process is one of several (CONSOLE_PROCESSES > 1, or CONSOLE_SCALE_OUT=1 for nodes on several machines). */
export function scaleOutEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return consoleProcesses(env) > 1 || env.CONSOLE_SCALE_OUT === "1";
}

const CONSOLE_POOL_SIZE = 5;
/** What every authenticated request reads: its session and user, or its API key. */
const SIGN_IN_TABLE_PROBES = ["auth_session", "auth_user", "api_key"].map((table) => `SELECT 1 FROM ${table} WHERE false`);

export async function startConsoleNode(options: ConsoleNodeOptions): Promise<ConsoleNode> {
  const { env, log } = options;
  const baseURL = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
  const origins = allowedOrigins(baseURL, env.ALLOWED_ORIGINS);
  const limits = backpressureFromEnv(options.rawEnv ?? process.env);

  // Every connection kept once open (min = max) and warmed before serving: see warmPool.
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: CONSOLE_POOL_SIZE, min: CONSOLE_POOL_SIZE });
  pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection lost"));
  // Not fatal: a console whose database is away starts anyway and answers what it can.
  await warmPool(pool, CONSOLE_POOL_SIZE, SIGN_IN_TABLE_PROBES).catch((error: unknown) =>
    log.warn({ err: String(error) }, "could not open the database connections ahead of the first requests"),
  );
  const prisma = createPrisma(env.DATABASE_URL);
  const auth = createAuth({
    pool,
    secret: env.AUTH_SECRET,
    baseURL,
    trustedOrigins: origins,
    signIn: {
      // Per process: with N console processes an address gets up to N times the free failures (docs/OPERATIONS.md, "Scaling out").
      limits: new SignInLimits(),
      async failed(attempt) {
        log.warn({ email: attempt.email, ip: attempt.ip, outcome: attempt.outcome, retryAfterMs: attempt.retryAfterMs }, "sign-in failed");
        await prisma.signInAttempt
          .create({ data: attempt })
          .catch((error) => log.error({ err: String(error) }, "could not record a failed sign-in"));
      },
    },
  });
  // Submit, cancel and modify over the engine's order channel (engine-channel.ts); CONSOLE_ENGINE_CHANNEL=0: HTTP only.
  const orderChannel = (options.rawEnv ?? process.env).CONSOLE_ENGINE_CHANNEL !== "0";
  const engine = new EngineClient(env.ENGINE_URL, env.ENGINE_SERVICE_TOKEN, new ConcurrencyGate(limits.gate), { orderChannel });
  const shedder = new LoopDelayShedder(limits.maxLoopDelayMs).start();

  // The adapter holds one connection for LISTEN: its own small pool, so it never starves requests.
  let adapterPool: pg.Pool | undefined;
  let scaleOut: Parameters<typeof createConsoleServer>[0]["scaleOut"];
  if (options.scaleOut) {
    adapterPool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
    adapterPool.on("error", (error) => log.warn({ err: error.message }, "socket.io adapter: idle database connection lost"));
    let missingTableLogged = false;
    scaleOut = {
      adapter: createAdapter(adapterPool, {
        errorHandler: (error: Error) => {
          // Attachments (messages over 8 kB) need the socket_io_attachments table; our cross-process messages are small.
          if ((error as { code?: string }).code === "42P01") {
            if (!missingTableLogged)
              log.info("socket.io adapter: no socket_io_attachments table; messages over 8 kB cannot cross processes");
            missingTableLogged = true;
            return;
          }
          log.warn({ err: String(error) }, "socket.io adapter error");
        },
      }),
    };
  }

  const consoleServer = createConsoleServer({
    auth,
    prisma,
    engine,
    log,
    allowedOrigins: origins,
    handlePages: options.handlePages,
    shedder,
    scaleOut,
    supervisorFile: env.FILLMORE_SUPERVISOR_FILE,
  });
  consoleServer.live.start();
  await new Promise<void>((resolve) => consoleServer.server.listen(env.PORT, env.HOST, resolve));
  const schedule = schedulerConfig(options.rawEnv ?? process.env);
  const scheduler =
    options.scheduledReports && schedule.enabled ? new DailyScheduler({ prisma, engine, config: schedule, log }).start() : null;
  log.info(
    { url: baseURL, allowedOrigins: origins, scaleOut: options.scaleOut, engineGate: limits.gate, maxLoopDelayMs: limits.maxLoopDelayMs },
    "console ready",
  );

  return {
    consoleServer,
    url: baseURL,
    async close() {
      shedder.stop();
      scheduler?.stop();
      await consoleServer.close();
      engine.close();
      await Promise.allSettled([pool.end(), prisma.$disconnect(), adapterPool?.end()]);
    },
  };
}
