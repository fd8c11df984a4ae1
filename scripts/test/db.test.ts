// `npm run db` (scripts/db.ts): only the embedded database, its URL printed, stopped cleanly by Ctrl-C (SIGINT).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { root } from "../lib/stack";

const dataDir = mkdtempSync(path.join(tmpdir(), "fillmore-db-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("starts the database alone, prints a DATABASE_URL that connects, and stops on SIGINT with exit 0", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/db.ts"], {
    cwd: root,
    env: { ...process.env, FILLMORE_DATA_DIR: dataDir, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/DATABASE_URL=(\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no DATABASE_URL printed:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /DATABASE_URL=(\S+)/.exec(out)?.[1] ?? "";
  expect(out).toContain(`psql "${url}"`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db");
  await client.end();
  expect(rows[0]?.db).toBe("fillmore");
  // The same data directory as `npm start`: its cluster and its port file.
  expect(existsSync(path.join(dataDir, "pg", "PG_VERSION"))).toBe(true);
  expect(existsSync(path.join(dataDir, "pg-port"))).toBe(true);

  child.kill("SIGINT");
  expect(await exited).toBe(0);
  expect(out).toMatch(/SIGINT: stopping the database…\s+database stopped/);
  expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
}, 90_000);
