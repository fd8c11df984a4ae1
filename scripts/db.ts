// The body of `npm run db`: only the embedded Postgres of `npm start` (same data directory), for
// maintenance with psql, until Ctrl-C. Not while `npm start` runs on the same data: it says so.
import path from "node:path";
import { takeOverSignals } from "./lib/signals";
import { root, startDatabase } from "./lib/stack";

const env = process.env;
if (env.DATABASE_URL) {
  console.error("DATABASE_URL is set: that Postgres is yours to start; `npm run db` starts only the embedded one.");
  process.exit(1);
}
const dataDir = path.resolve(root, env.FILLMORE_DATA_DIR ?? ".data");
let stop: (() => Promise<void>) | undefined;
let stopping = false;
takeOverSignals(async (why) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${why}: stopping the database…`);
  await stop?.();
  console.log("database stopped");
  process.exit(0);
});

try {
  const db = await startDatabase(dataDir);
  stop = db.stop;
  if (stopping) await new Promise(() => undefined);
  const url = new URL(db.url);
  const pgDir = path.join(dataDir, "pg");
  const shown = path.relative(root, pgDir).startsWith("..") ? pgDir : path.relative(root, pgDir);
  console.log(`
  Fillmore's database is running (embedded Postgres, data in ${shown})

  DATABASE_URL=${db.url}
  psql "${db.url}"

  Host ${url.hostname}, port ${url.port}, database ${url.pathname.slice(1)}, as the superuser ${decodeURIComponent(url.username)}.
  The engine and the console are not running. Ctrl-C stops the database.
`);
} catch (error) {
  console.error(`the database did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
