import type pg from "pg";

/**
 * Opens `size` connections of `pool` at once and runs `statements` on each, so the first requests
 * after start neither connect (fork, authentication) nor build the server's catalog caches for the
 * hot tables: planning a statement on a table opens every one of its indexes. Create the pool with
 * `min: size`: pg-pool closes idle connections above `min` after `idleTimeoutMillis` (10 s by
 * default), and the first requests after every quiet spell paid those costs again (docs/PERFORMANCE.md).
 */
export async function warmPool(pool: pg.Pool, size: number, statements: readonly string[] = ["SELECT 1"]): Promise<void> {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (const statement of statements) await client.query(statement);
      }),
    );
  } finally {
    for (const client of clients) client.release();
  }
}
