import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "./migrate";
import { createDatabase, dropDatabase, findFreePort, startEmbeddedPostgres } from "./postgres";

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
