// The body of `npm start`: the whole system on this machine, supervised, until Ctrl-C.
import path from "node:path";
import { takeOverSignals } from "./lib/signals";
import { root, type Stack, startStack } from "./lib/stack";

const started = Date.now();
const env = process.env;
const stamp = () => new Date().toISOString().slice(11, 23);
const log = (line: string) => console.log(`[launcher ${stamp()}] ${line}`);

let stack: Stack | undefined;
let stopping = false;
const cancelStart = new AbortController();

/** Stops everything in order (lib/stack.ts) and exits with `code`. */
async function shutdown(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${why}: stopping console, engine, then the database…`);
  cancelStart.abort();
  try {
    await stack?.stop();
  } catch (error) {
    log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
    code ||= 1;
  }
  log(`stopped${code ? ` (exit code ${code})` : ""}`);
  process.exit(code);
}

// Installed before anything starts: a Ctrl-C during start-up stops what was started, in order.
takeOverSignals((signal) => void shutdown(signal, 0));

try {
  stack = await startStack({
    dataDir: path.resolve(root, env.FILLMORE_DATA_DIR ?? ".data"),
    databaseUrl: env.DATABASE_URL,
    engineDatabaseUrl: env.ENGINE_DATABASE_URL,
    consoleDatabaseUrl: env.CONSOLE_DATABASE_URL,
    journalKeyFile: env.JOURNAL_KEY_FILE,
    journalCheckpointFile: env.JOURNAL_CHECKPOINT_FILE,
    webPort: Number(env.PORT ?? 3000),
    enginePort: Number(env.ENGINE_PORT ?? 4100),
    demo: env.FILLMORE_DEMO !== "0",
    demoStrategy: env.FILLMORE_DEMO !== "0",
    fixDemoVenue: env.FILLMORE_DEMO !== "0",
    log,
    signal: cancelStart.signal,
    // A supervisor set to restart on failure (systemd, Docker) sees a non-zero exit.
    onGiveUp: (name) => void shutdown(`${name} keeps exiting`, 1),
    onStopped: (name, ms) => log(`${name} stopped (${ms} ms)`),
  });
} catch (error) {
  if (!stopping) {
    console.error(`\nFillmore did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  await new Promise(() => undefined); // shutdown() exits
}

if (stack) {
  const width = Math.max(...stack.logins.map((l) => l.email.length));
  console.log(`
  Fillmore is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Console   ${stack.webUrl}   (health: ${stack.webUrl}/healthz)
  Engine    ${stack.engineUrl}/health  (internal, loopback only)
  Database  ${env.DATABASE_URL ? "DATABASE_URL" : "embedded Postgres"}, engine as ${new URL(stack.engineDatabaseUrl).username}, console as ${new URL(stack.consoleDatabaseUrl).username}
${stack.logins.length ? "\n  Demo logins\n" : ""}${stack.logins.map((l) => `    ${l.role.padEnd(11)} ${l.email.padEnd(width)}  ${l.password}`).join("\n")}

  The engine and the console are restarted if they exit. Ctrl-C stops everything.
`);
}
