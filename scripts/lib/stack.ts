// Starts the whole system: Postgres (embedded unless DATABASE_URL), migrations, seed, engine, console.
import { type ChildProcess, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  CONSOLE_ROLE,
  type EmbeddedPostgresHandle,
  ENGINE_ROLE,
  ensureLoginRole,
  findFreePort,
  grantRoles,
  LEGACY_SUPERUSER_PASSWORD,
  migrate,
  seedReference,
  startEmbeddedPostgres,
  urlForRole,
  userOf,
} from "@fillmore/db";
import pg from "pg";
import { loadOrCreateJournalKey } from "../../apps/engine/src/journal/keys";
import { createAuth } from "../../apps/web/src/server/auth";
import { type DemoLogin, seedDemoUsers } from "../../apps/web/src/server/seed";
import { type FixDemoVenue, startFixDemoVenue } from "./fix-demo";
import { readWriteback, writebackAdvice } from "./host-writeback.mjs";
import { type RestartPolicy, restartPolicyFromEnv } from "./restart-policy";
import { consoleRuntimeFlags, engineRuntimeFlags } from "./runtime-flags.mjs";
import { type ProcessStatus, SupervisedProcess } from "./supervisor";
import { type SupervisorState, writeSupervisorState } from "./supervisor-state";

export const root = path.resolve(import.meta.dirname, "../..");
/**
 * Runs a TypeScript entry point as a single node process (tsx's loader), so signals reach it directly,
 * with V8 flags of its own (scripts/lib/runtime-flags.mjs).
 * With FILLMORE_CPU_PROF_DIR set, each writes a V8 CPU profile there when it exits (for profiling).
 */
const runTs = (script: string, runtimeFlags: readonly string[]) => {
  const prof = process.env.FILLMORE_CPU_PROF_DIR;
  return [
    process.execPath,
    [...runtimeFlags, ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []), "--import", "tsx", script],
  ] as const;
};

export interface StackOptions {
  dataDir: string;
  /** Your own Postgres, as the tables' owner (runs migrations); unset: embedded Postgres. */
  databaseUrl?: string;
  /** With `databaseUrl`: the engine's and the console's logins (docs/OPERATIONS.md); default `databaseUrl`. */
  engineDatabaseUrl?: string;
  consoleDatabaseUrl?: string;
  /** The journal chain's key and signed checkpoints; default `journal.key` and `journal-checkpoints.jsonl` in dataDir. */
  journalKeyFile?: string;
  journalCheckpointFile?: string;
  webPort: number;
  enginePort: number;
  demo: boolean;
  demoStrategy: boolean;
  log: (line: string) => void;
  childStdio?: "inherit" | "ignore";
  extraEngineEnv?: Record<string, string>;
  /** Runs QuickFIX executor as venue FIX-EXEC, in a loopback-only network namespace (scripts/lib/fix-demo.ts). */
  fixDemoVenue?: boolean;
  /** Restarts of a child that exits unexpectedly; default from FILLMORE_RESTART_* (restart-policy.ts). */
  restartPolicy?: RestartPolicy;
  /** A child exited past its restart limit: stop the stack and exit non-zero. */
  onGiveUp?: (name: string, reason: string) => void;
  /** Every state change of a supervised child (starting, running, restarting, stopping, stopped, failed). */
  onProcessChange?: (status: ProcessStatus) => void;
  /** Each step of stop(), as it finishes: console, engine, fix-demo, database. */
  onStopped?: (name: string, ms: number) => void;
  /** Aborted while starting: what was started is stopped and startStack rejects. */
  signal?: AbortSignal;
  /** Each line a supervised child writes, with its name (tests read the logs). */
  onOutput?: (name: string, line: string, stream: "stdout" | "stderr") => void;
  /** Another console entry point (tests: the console server without Next's pages, no build). */
  consoleScript?: string;
}

export interface Stack {
  webUrl: string;
  engineUrl: string;
  /** The owner's URL (migrations, seed, audit:verify). */
  databaseUrl: string;
  engineDatabaseUrl: string;
  consoleDatabaseUrl: string;
  logins: DemoLogin[];
  secrets: Secrets;
  /** The engine's current process (a new one after each supervised restart). */
  readonly engine: ChildProcess;
  processes: { engine: SupervisedProcess; console: SupervisedProcess };
  /** The supervised processes' states as JSON (read by the console's /healthz and System page). */
  supervisorFile: string;
  /** Console, engine (drains), FIX demo venue, Postgres: in that order (docs/OPERATIONS.md, "Stop order"). */
  stop(): Promise<void>;
}

interface Secrets {
  engineToken: string;
  authSecret: string;
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
}

/** Secrets are made on first start and kept in the data directory (never in the repo). */
function loadSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, "secrets.json");
  const existing = readJson<Secrets>(file);
  if (existing) return existing;
  const secrets = { engineToken: randomBytes(24).toString("hex"), authSecret: randomBytes(32).toString("hex") };
  writeJson(file, secrets);
  return secrets;
}

interface DatabaseSecrets {
  superuserPassword: string;
  enginePassword: string;
  consolePassword: string;
}

/** The embedded cluster's passwords: made on first start, kept in the data directory (0600). */
function loadDatabaseSecrets(dataDir: string): DatabaseSecrets {
  const file = path.join(dataDir, "database-secrets.json");
  const existing = readJson<DatabaseSecrets>(file);
  if (existing) return existing;
  const secret = () => randomBytes(24).toString("hex");
  const secrets = { superuserPassword: secret(), enginePassword: secret(), consolePassword: secret() };
  writeJson(file, secrets);
  return secrets;
}

function sourceHash(dirs: string[]): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "node_modules" || entry.name === ".next" || entry.name === "generated") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        hash
          .update(full)
          .update(String(statSync(full).mtimeMs))
          .update(readFileSync(full));
    }
  };
  for (const d of dirs) walk(d);
  return hash.digest("hex");
}

/** Builds the console only when its sources changed since the last build. */
export function buildConsoleIfNeeded(log: (l: string) => void): void {
  const web = path.join(root, "apps/web");
  const stamp = path.join(web, ".next/fillmore-source-hash");
  const hash = sourceHash([path.join(web, "src"), path.join(root, "packages/shared/src")]);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  log("building the console (first start or changed sources)…");
  execFileSync(path.join(root, "node_modules/.bin/next"), ["build"], {
    cwd: web,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  writeFileSync(stamp, hash);
}

/**
 * The embedded Postgres of a data directory, on the port it used before (`.data/pg-port`), with the
 * cluster's own password: what `npm start` runs first, and all `npm run db` runs (scripts/db.ts).
 */
export async function startDatabase(dataDir: string): Promise<EmbeddedPostgresHandle> {
  mkdirSync(dataDir, { recursive: true });
  const dbSecrets = loadDatabaseSecrets(dataDir);
  const portFile = path.join(dataDir, "pg-port");
  const port = existsSync(portFile) ? Number(readFileSync(portFile, "utf8")) : await findFreePort();
  writeFileSync(portFile, String(port));
  return startEmbeddedPostgres({
    dataDir: path.join(dataDir, "pg"),
    port,
    password: dbSecrets.superuserPassword,
    legacyPasswords: [LEGACY_SUPERUSER_PASSWORD],
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { dataDir, log } = options;
  // Checked before anything starts: a bad ENGINE_OLD_SPACE_MB or CONSOLE_OLD_SPACE_MB stops the launch with its reason.
  const engineFlags = engineRuntimeFlags({ ...process.env, ...options.extraEngineEnv });
  const consoleFlags = consoleRuntimeFlags();
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadSecrets(dataDir);

  let stopPostgres: (() => Promise<void>) | undefined;
  let fixDemo: FixDemoVenue | undefined;
  let engine: SupervisedProcess | undefined;
  let consoleProcess: SupervisedProcess | undefined;
  let stopping: Promise<void> | undefined;
  /**
   * The stop order (docs/OPERATIONS.md, "Stop order"): the console first, so nothing new comes in and
   * it is not left watching the engine go; then the engine, which drains (commits its journal,
   * checkpoints); then the FIX demo venue; Postgres last, once nobody is connected to it.
   */
  const stopInOrder = () => {
    stopping ??= (async () => {
      const step = async (name: string, stop: (() => Promise<void>) | undefined) => {
        if (!stop) return;
        const t0 = Date.now();
        await stop();
        options.onStopped?.(name, Date.now() - t0);
      };
      await step("console", consoleProcess && (() => consoleProcess?.stop() ?? Promise.resolve()));
      await step("engine", engine && (() => engine?.stop() ?? Promise.resolve()));
      await step("fix-demo", fixDemo && (() => fixDemo?.stop() ?? Promise.resolve()));
      await step("database", stopPostgres);
    })();
    return stopping;
  };
  let databaseUrl = options.databaseUrl;
  let engineDatabaseUrl = options.engineDatabaseUrl;
  let consoleDatabaseUrl = options.consoleDatabaseUrl;
  let dbSecrets: DatabaseSecrets | undefined;
  if (!databaseUrl) {
    dbSecrets = loadDatabaseSecrets(dataDir);
    const pgHandle = await startDatabase(dataDir);
    databaseUrl = pgHandle.url;
    stopPostgres = () => pgHandle.stop();
    // The embedded Postgres writes to this host's disk: say so if the kernel's write-back bursts would stall its commits.
    const advice = writebackAdvice(readWriteback());
    if (advice) log(`note: ${advice}`);
  }
  writeFileSync(path.join(dataDir, "database-url"), databaseUrl, { mode: 0o600 });
  // The chain's key, made on first start; the engine checks the journal against it and the checkpoints.
  const journalKeyFile = options.journalKeyFile ?? path.join(dataDir, "journal.key");
  const journalCheckpointFile = options.journalCheckpointFile ?? path.join(dataDir, "journal-checkpoints.jsonl");

  try {
    loadOrCreateJournalKey(journalKeyFile, journalCheckpointFile);
    await migrate(databaseUrl);
    if (dbSecrets) {
      // Embedded: the engine and the console log in as roles that own nothing (docs/OPERATIONS.md).
      await ensureLoginRole(databaseUrl, ENGINE_ROLE, dbSecrets.enginePassword);
      await ensureLoginRole(databaseUrl, CONSOLE_ROLE, dbSecrets.consolePassword);
      engineDatabaseUrl = urlForRole(databaseUrl, ENGINE_ROLE, dbSecrets.enginePassword);
      consoleDatabaseUrl = urlForRole(databaseUrl, CONSOLE_ROLE, dbSecrets.consolePassword);
    }
    engineDatabaseUrl ??= databaseUrl;
    consoleDatabaseUrl ??= databaseUrl;
    const owner = userOf(databaseUrl);
    const engineUser = userOf(engineDatabaseUrl);
    const consoleUser = userOf(consoleDatabaseUrl);
    await grantRoles(databaseUrl, {
      engine: engineUser === owner ? undefined : engineUser,
      console: consoleUser === owner ? undefined : consoleUser,
    });
    if (engineUser === owner || consoleUser === owner)
      log(
        `warning: the ${engineUser === owner ? "engine" : "console"} connects as the tables' owner (${owner}), which can alter the journal; set ENGINE_DATABASE_URL and CONSOLE_DATABASE_URL (docs/OPERATIONS.md, "Database roles and secrets")`,
      );
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const webUrl = `http://127.0.0.1:${options.webPort}`;
    await seedReference(pool);
    fixDemo = await setUpFixDemoVenue(pool, options);
    let logins: DemoLogin[] = [];
    if (options.demo) {
      const auth = createAuth({ pool, secret: secrets.authSecret, baseURL: webUrl });
      const loginsFile = path.join(dataDir, "demo-logins.json");
      logins = await seedDemoUsers(auth, readJson<DemoLogin[]>(loginsFile) ?? []);
      writeJson(loginsFile, logins);
    }
    await pool.end();

    abortIfCancelled(options.signal);
    if (options.consoleScript === undefined) buildConsoleIfNeeded(log);

    const engineUrl = `http://127.0.0.1:${options.enginePort}`;
    const policy = options.restartPolicy ?? restartPolicyFromEnv();
    const stateFile = path.join(dataDir, "supervisor.json");
    const supervisorState: SupervisorState = {
      launcher: { pid: process.pid, startedAt: new Date().toISOString() },
      database: { kind: dbSecrets ? "embedded" : "external" },
      processes: {},
    };
    const onChange = (status: ProcessStatus) => {
      supervisorState.processes[status.name] = status;
      writeSupervisorState(stateFile, supervisorState);
      options.onProcessChange?.(status);
    };
    const supervise = (name: string, script: string, env: NodeJS.ProcessEnv, readyUrl: string, runtimeFlags: readonly string[]) => {
      const [command, args] = runTs(script, runtimeFlags);
      return new SupervisedProcess({
        name,
        command,
        args,
        cwd: root,
        env,
        readyUrl,
        policy,
        output: options.childStdio ?? "inherit",
        onLine: options.onOutput && ((line, stream) => options.onOutput?.(name, line, stream)),
        log,
        onChange,
        onGiveUp: (reason) => options.onGiveUp?.(name, reason),
      });
    };
    engine = supervise(
      "engine",
      "apps/engine/src/main.ts",
      {
        ...process.env,
        DATABASE_URL: engineDatabaseUrl,
        JOURNAL_KEY_FILE: journalKeyFile,
        JOURNAL_CHECKPOINT_FILE: journalCheckpointFile,
        ENGINE_PORT: String(options.enginePort),
        ENGINE_SERVICE_TOKEN: secrets.engineToken,
        DEMO_STRATEGY: options.demoStrategy ? "1" : "0",
        // The engine stops itself when the launcher is gone (an orphan would hold the port and the journal).
        FILLMORE_LAUNCHER_PID: String(process.pid),
        ...options.extraEngineEnv,
      },
      `${engineUrl}/health`,
      engineFlags,
    );
    consoleProcess = supervise(
      "console",
      options.consoleScript ?? "apps/web/server.ts",
      {
        ...process.env,
        DATABASE_URL: consoleDatabaseUrl,
        ENGINE_URL: engineUrl,
        ENGINE_SERVICE_TOKEN: secrets.engineToken,
        AUTH_SECRET: secrets.authSecret,
        PORT: String(options.webPort),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        FILLMORE_SUPERVISOR_FILE: stateFile,
        // Exports, scheduled reports and the digest key live in this stack's data directory.
        FILLMORE_DATA_DIR: options.dataDir,
      },
      `${webUrl}/healthz`,
      consoleFlags,
    );
    const processes = { engine, console: consoleProcess };
    const stopAll = stopInOrder;
    const stack: Stack = {
      webUrl,
      engineUrl,
      databaseUrl,
      engineDatabaseUrl,
      consoleDatabaseUrl,
      logins,
      secrets,
      processes,
      supervisorFile: stateFile,
      get engine() {
        return processes.engine.child as ChildProcess;
      },
      stop: stopAll,
    };
    await engine.start();
    abortIfCancelled(options.signal);
    await consoleProcess.start();
    abortIfCancelled(options.signal);
    return stack;
  } catch (error) {
    await stopInOrder();
    throw error;
  }
}

function abortIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error("start cancelled");
}

/** Venue FIX-EXEC: enabled with the acceptor's session when it runs here, disabled (and why, logged) when not. */
async function setUpFixDemoVenue(pool: pg.Pool, options: StackOptions): Promise<FixDemoVenue | undefined> {
  if (!options.fixDemoVenue) {
    await pool.query("UPDATE venue SET enabled = false WHERE id = 'FIX-EXEC'");
    return undefined;
  }
  const started = await startFixDemoVenue(options.dataDir);
  if ("unavailable" in started) {
    options.log(`FIX demo venue off: ${started.unavailable}`);
    await pool.query("UPDATE venue SET enabled = false WHERE id = 'FIX-EXEC'");
    return undefined;
  }
  await pool.query(
    `INSERT INTO venue (id, name, kind, config, enabled) VALUES ('FIX-EXEC', 'QuickFIX executor over FIX 4.4', 'fix', $1, true)
     ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, enabled = true`,
    [JSON.stringify(started.config)],
  );
  return started;
}
