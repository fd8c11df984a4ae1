import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "./testing";
import { warmPool } from "./warm-pool";

let url: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  cleanup = db.cleanup;
}, 60_000);

afterAll(async () => cleanup?.(), 30_000);

const backends = async (pool: pg.Pool, applicationName: string) =>
  Number((await pool.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", [applicationName])).rows[0].n);

describe("warmPool", () => {
  it("opens every connection before the first request and keeps them through a quiet spell longer than the idle timeout", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 3, min: 3, idleTimeoutMillis: 100, application_name: "warm-kept" });
    try {
      await warmPool(pool, 3, ["SELECT 1 FROM journal WHERE false"]);
      expect(pool.totalCount).toBe(3);
      await new Promise((r) => setTimeout(r, 400));
      expect(pool.totalCount).toBe(3);
      // The server sees them too (the count's own query borrows one of the three).
      expect(await backends(pool, "warm-kept")).toBe(3);
    } finally {
      await pool.end();
    }
  });

  it("without min, the same pool has closed them all after the quiet spell (what the engine and console met after 10 s idle)", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 3, idleTimeoutMillis: 100, application_name: "warm-closed" });
    try {
      await warmPool(pool, 3);
      expect(pool.totalCount).toBe(3);
      await new Promise((r) => setTimeout(r, 400));
      expect(pool.totalCount).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it("a statement that fails rejects and gives every connection back", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2, min: 2 });
    try {
      await expect(warmPool(pool, 2, ["SELECT 1 FROM no_such_table"])).rejects.toThrow(/no_such_table/);
      expect(pool.idleCount).toBe(2);
    } finally {
      await pool.end();
    }
  });
});
