// A console process for integration tests: the real console server (console-node.ts) with a stub
// for the pages (no Next build needed). Configured by the same environment as server.ts.
import pino from "pino";
import { loadServerEnv } from "../../env";
import { scaleOutEnabled, startConsoleNode } from "../console-node";

const env = loadServerEnv();
const node = await startConsoleNode({
  env,
  log: pino({ name: `web:${env.PORT}`, level: env.LOG_LEVEL }),
  handlePages: (_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>console</title>");
  },
  scaleOut: scaleOutEnabled(),
});
console.log(`console-node ready ${node.url}`);
const stop = () => void node.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
