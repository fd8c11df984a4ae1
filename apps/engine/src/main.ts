import { loadConfig } from "./config";
import { startEngine } from "./engine";
import { installLastResort } from "./last-resort";
import { createLogger } from "./log";

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const engine = await startEngine(config, log).catch((error: unknown) => {
  // Said on stderr and exit at once: the launcher quotes these lines and stops waiting (docs/OPERATIONS.md, "Supervision").
  log.fatal({ err: error instanceof Error ? error.message : String(error) }, "engine failed to start");
  console.error(`engine failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
// From here a fault nothing caught is journaled and halts new orders instead of killing the engine silently.
installLastResort(process, engine, log);

const STOP_TIMEOUT_MS = 10_000;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "engine stopping");
  // A journal that cannot commit (database gone) would hold the stop forever. Nothing uncommitted was
  // acknowledged to anyone, and orders already at venues are recovered from them at the next start.
  const gaveUp = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS).unref());
  const outcome = await Promise.race([engine.stop().then(() => "stopped" as const), gaveUp]);
  if (outcome === "timeout") {
    const { lastSeq, committedSeq } = engine.journal.stats();
    log.error({ uncommitted: lastSeq - committedSeq }, "journal could not commit within the stop timeout; exiting without it");
    process.exit(1);
  }
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
// Started by the launcher: stop, draining as on SIGTERM, if the launcher is gone (an orphan would hold the port).
const launcher = Number(process.env.FILLMORE_LAUNCHER_PID ?? "");
if (Number.isSafeInteger(launcher) && launcher > 0)
  setInterval(() => {
    if (process.ppid !== launcher) void shutdown("launcher exited");
  }, 1000).unref();
