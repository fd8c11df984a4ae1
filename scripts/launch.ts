// The body of `npm start`: the whole system on this machine, until Ctrl-C.
import path from "node:path";
import { root, startStack } from "./lib/stack";

const started = Date.now();
const env = process.env;
const stack = await startStack({
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
  log: (line) => console.log(line),
});

const width = Math.max(...stack.logins.map((l) => l.email.length));
console.log(`
  Fillmore is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Console   ${stack.webUrl}
  Engine    ${stack.engineUrl}/health  (internal, loopback only)
  Database  ${env.DATABASE_URL ? "DATABASE_URL" : "embedded Postgres"}, engine as ${new URL(stack.engineDatabaseUrl).username}, console as ${new URL(stack.consoleDatabaseUrl).username}
${stack.logins.length ? "\n  Demo logins\n" : ""}${stack.logins.map((l) => `    ${l.role.padEnd(11)} ${l.email.padEnd(width)}  ${l.password}`).join("\n")}

  Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping console, engine and database…`);
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
stack.engine.on("exit", (code) => {
  if (!stopping) {
    console.error(`engine exited unexpectedly (code ${code}); stopping`);
    void shutdown("engine-exit");
  }
});
