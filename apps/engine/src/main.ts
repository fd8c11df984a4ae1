import { loadConfig } from "./config";
import { startEngine } from "./engine";
import { createLogger } from "./log";

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const engine = await startEngine(config, log);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "engine stopping");
  await engine.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
