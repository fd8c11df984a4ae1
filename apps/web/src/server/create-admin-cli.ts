import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { createAuth } from "./auth";
import { createUser } from "./users";

// npm run admin:create -- --email a@b.c --name "Ada" (password read from FILLMORE_ADMIN_PASSWORD)
const { values } = parseArgs({
  options: { email: { type: "string" }, name: { type: "string" }, role: { type: "string", default: "admin" } },
});
const url = process.env.DATABASE_URL;
const password = process.env.FILLMORE_ADMIN_PASSWORD;
if (!url || !values.email || !password || password.length < 10) {
  console.error(
    "usage: DATABASE_URL=… FILLMORE_ADMIN_PASSWORD=<at least 10 chars> npm run admin:create -- --email <email> [--name <name>]",
  );
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 1 });
// The secret signs sessions; creating a user needs none, so a throwaway one will do when AUTH_SECRET is unset.
const auth = createAuth({ pool, secret: process.env.AUTH_SECRET ?? randomBytes(32).toString("hex"), baseURL: "http://127.0.0.1" });
try {
  await createUser(auth, { email: values.email, name: values.name ?? values.email, role: "admin", password });
  console.log(`admin ${values.email} created`);
} catch (error) {
  console.error(String(error instanceof Error ? error.message : error));
  process.exitCode = 1;
} finally {
  await pool.end();
}
