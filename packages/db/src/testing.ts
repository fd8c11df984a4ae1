import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "./migrate";
import { createDatabase, dropDatabase, findFreePort, startEmbeddedPostgres } from "./postgres";
import { dropRole, ensureLoginRole, grantRoles, urlForRole } from "./roles";

const testDataRoot = fileURLToPath(new URL("../../../.test-data", import.meta.url));

export interface FreshDatabase {
  url: string;
  cleanup(): Promise<void>;
}

/**
 * A new, migrated database for one test file: inside the Postgres that `npm test` started
 * (TEST_DATABASE_ADMIN_URL), or in an embedded Postgres of its own when run alone.
 */
export async function freshDatabase(): Promise<FreshDatabase> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  let result: FreshDatabase;
  if (adminUrl) {
    const name = `fillmore_test_${randomUUID().replaceAll("-", "")}`;
    result = { url: await createDatabase(adminUrl, name), cleanup: () => dropDatabase(adminUrl, name) };
  } else {
    await fs.mkdir(testDataRoot, { recursive: true });
    const dir = await fs.mkdtemp(path.join(testDataRoot, "db-"));
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await findFreePort() });
    result = {
      url: server.url,
      cleanup: async () => {
        await server.stop();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  }
  await migrate(result.url);
  return result;
}

export interface TestRoles {
  /** The database as the engine's role (no UPDATE/DELETE/TRUNCATE on the journal, owns nothing). */
  engineUrl: string;
  /** The database as the console's role. */
  consoleUrl: string;
  cleanup(): Promise<void>;
}

/**
 * Login roles of this test's own (names are per test: roles belong to the whole cluster), granted
 * as `npm start` grants fillmore_engine and fillmore_console. `cleanup` before the database's.
 */
export async function freshRoles(ownerUrl: string): Promise<TestRoles> {
  const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
  const engine = { name: `fillmore_engine_t${suffix}`, password: randomUUID() };
  const consoleRole = { name: `fillmore_console_t${suffix}`, password: randomUUID() };
  for (const role of [engine, consoleRole]) await ensureLoginRole(ownerUrl, role.name, role.password);
  await grantRoles(ownerUrl, { engine: engine.name, console: consoleRole.name });
  return {
    engineUrl: urlForRole(ownerUrl, engine.name, engine.password),
    consoleUrl: urlForRole(ownerUrl, consoleRole.name, consoleRole.password),
    cleanup: async () => {
      for (const role of [engine, consoleRole]) await dropRole(ownerUrl, role.name);
    },
  };
}
