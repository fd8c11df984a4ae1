import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm run admin:create` as an operator runs it: the user and its UserCreated event together, through
// the engine's audit door (a stand-in here that records what it is sent); engine down: nothing created.

const root = path.resolve(import.meta.dirname, "../../../..");
const TOKEN = "s".repeat(32);
let url: string;
let prisma: PrismaClient;
let cleanup: () => Promise<void>;
let engine: http.Server;
let engineUrl: string;
const received: { authorization?: string; body: { type: string; actor: string; data: Record<string, unknown> } }[] = [];

beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  cleanup = db.cleanup;
  prisma = createPrisma(url);
  engine = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ seq: received.length, ts: new Date().toISOString(), type: "UserCreated" }));
    });
  });
  await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
  engineUrl = `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  engine?.close();
  await prisma?.$disconnect();
  await cleanup?.();
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["apps/web/src/server/create-admin-cli.ts", ...args], {
      cwd: root,
      env: {
        ...process.env,
        ENGINE_URL: "",
        ENGINE_SERVICE_TOKEN: "",
        DATABASE_URL: url,
        FILLMORE_ADMIN_PASSWORD: "a long passphrase",
        FILLMORE_DATA_DIR: "/nonexistent",
        ...env,
      },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("npm run admin:create", () => {
  it("creates the admin and the engine journals UserCreated, with the CLI's actor and no password", async () => {
    const r = await run(["--email", "Ops@Example.com", "--name", "Ops"], { ENGINE_URL: engineUrl, ENGINE_SERVICE_TOKEN: TOKEN });
    expect(r, r.err).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/admin ops@example.com created; journaled as UserCreated/);
    const user = await prisma.authUser.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(user.role).toBe("admin");
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      body: {
        type: "UserCreated",
        actor: expect.stringMatching(/^cli:/),
        data: { userId: user.id, email: "ops@example.com", name: "Ops", role: "admin" },
      },
    });
    expect(JSON.stringify(received)).not.toContain("a long passphrase");
  });

  it("engine not reachable: nothing is created, exit 1, and it says what to do", async () => {
    const r = await run(["--email", "second@example.com"], { ENGINE_URL: "http://127.0.0.1:9", ENGINE_SERVICE_TOKEN: TOKEN });
    expect(r, JSON.stringify(r)).toMatchObject({ code: 1 });
    expect(r.err).toMatch(/UserCreated could not be journaled \(engine is not reachable.*nothing was changed/);
    expect(r.err).toMatch(/--unjournaled/);
    expect(await prisma.authUser.count({ where: { email: "second@example.com" } })).toBe(0);
  });

  it("--unjournaled creates without an event and says so; a bad email or short password is a usage error", async () => {
    const r = await run(["--email", "first@example.com", "--unjournaled"], { ENGINE_URL: "http://127.0.0.1:9" });
    expect(r, r.err).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/created WITHOUT a journal event/);
    expect(await prisma.authUser.count({ where: { email: "first@example.com" } })).toBe(1);
    expect(await run(["--email", "nope"], {})).toMatchObject({ code: 2, err: expect.stringMatching(/email/) });
    expect(await run(["--email", "x@example.com"], { FILLMORE_ADMIN_PASSWORD: "short" })).toMatchObject({
      code: 2,
      err: expect.stringMatching(/FILLMORE_ADMIN_PASSWORD/),
    });
  });
});
