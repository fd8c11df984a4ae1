import { freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

/**
 * A migrated database of its own for the test file, with a pool on it: made before the file's tests,
 * dropped after. Read `db.url` and `db.pool` inside tests (they are set once beforeAll has run).
 */
export function useFreshPool(max = 2): { url: string; pool: pg.Pool } {
  const db = {} as { url: string; pool: pg.Pool };
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    cleanup = fresh.cleanup;
    db.url = fresh.url;
    db.pool = new pg.Pool({ connectionString: fresh.url, max });
  }, 120_000);
  afterAll(async () => {
    await db.pool?.end();
    await cleanup?.();
  });
  return db;
}
