import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPrisma } from "@fillmore/db";
import { EngineClient } from "./engine-client";
import { setAdminAuditSink } from "./reports/admin-audit";
import { adminCreateUser, newUserInput } from "./users";

// npm run admin:create -- --email a@b.c [--name "Ada"] [--role admin] [--unjournaled]   (password from FILLMORE_ADMIN_PASSWORD)
//
// The user and its UserCreated event are all-or-nothing, as in the console (users.ts): the engine journals
// the event (ENGINE_URL, else http://127.0.0.1:$ENGINE_PORT or 4100; token ENGINE_SERVICE_TOKEN, else
// <FILLMORE_DATA_DIR or .data>/secrets.json). Engine not reachable: nothing is created, exit 1. Only
// --unjournaled creates a user without the event (the first admin before the engine has ever run), and
// says so. Actor: cli:<os user>. Exit 0 created, 1 refused or failed, 2 usage.
const usage =
  "usage: DATABASE_URL=… FILLMORE_ADMIN_PASSWORD=<at least 10 chars> npm run admin:create -- --email <email> [--name <name>] [--role admin|risk|compliance|trader] [--unjournaled]";

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

let values: { email?: string; name?: string; role: string; unjournaled: boolean };
try {
  values = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string", default: "admin" },
      unjournaled: { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(2, `${(error as Error).message}\n${usage}`);
}
const url = process.env.DATABASE_URL;
if (!url) fail(2, `DATABASE_URL is not set\n${usage}`);
const parsed = newUserInput.safeParse({
  email: values.email ?? "",
  name: values.name ?? values.email ?? "",
  role: values.role,
  password: process.env.FILLMORE_ADMIN_PASSWORD ?? "",
});
if (!parsed.success)
  fail(
    2,
    `${parsed.error.issues.map((i) => `${i.path.join(".") === "password" ? "FILLMORE_ADMIN_PASSWORD" : i.path.join(".")}: ${i.message}`).join("; ")}\n${usage}`,
  );

function serviceToken(): string | null {
  if (process.env.ENGINE_SERVICE_TOKEN) return process.env.ENGINE_SERVICE_TOKEN;
  const file = path.join(path.resolve(process.env.FILLMORE_DATA_DIR ?? ".data"), "secrets.json");
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, "utf8")) as { engineToken?: string }).engineToken ?? null;
}

const engineUrl = process.env.ENGINE_URL || `http://127.0.0.1:${process.env.ENGINE_PORT || 4100}`;
const token = serviceToken();
if (values.unjournaled) setAdminAuditSink(null);
else if (token === null)
  setAdminAuditSink(() => Promise.reject(new Error("no service token: set ENGINE_SERVICE_TOKEN or run from the installation")));
else {
  const engine = new EngineClient(engineUrl, token);
  setAdminAuditSink((event) => engine.journalAdminEvent({ ...event, accountId: null }));
}

const prisma = createPrisma(url);
let exitCode = 0;
try {
  const user = await adminCreateUser(prisma, parsed.data, `cli:${os.userInfo().username}`);
  console.log(
    values.unjournaled
      ? `${user.role} ${user.email} created WITHOUT a journal event (--unjournaled)`
      : `${user.role} ${user.email} created; journaled as UserCreated by the engine at ${engineUrl}`,
  );
} catch (error) {
  const message = String(error instanceof Error ? error.message : error);
  console.error(
    /could not be journaled/.test(message)
      ? `${message}\nthe engine journals the creation: start it (npm start), or pass --unjournaled to create the first admin without a journal event`
      : message,
  );
  exitCode = 1;
} finally {
  await prisma.$disconnect();
}
// Explicitly: tsx does not pass process.exitCode on.
process.exit(exitCode);
