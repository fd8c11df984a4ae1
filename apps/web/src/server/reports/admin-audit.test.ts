import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../api-keys";
import { type Auth, createAuth } from "../auth";
import { SignInLimits } from "../sign-in-limits";
import { changeUserRole, createUser } from "../users";
import { type AdminEvent, setAdminAuditSink } from "./admin-audit";

// Administrative actions reach the journal's door (the sink; the engine's side is tested in
// apps/engine/src/audit/admin-events.test.ts): keys created and revoked, sign-ins, failed sign-ins,
// role changes.

let prisma: PrismaClient;
let pool: pg.Pool;
let auth: Auth;
let cleanup: () => Promise<void>;
const events: AdminEvent[] = [];

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  auth = createAuth({
    pool,
    secret: "x".repeat(40),
    baseURL: "http://127.0.0.1:3999",
    signIn: { limits: new SignInLimits(), failed: async () => undefined },
  });
  await createUser(auth, { email: "t@x.test", name: "T", role: "trader", password: "correct-horse-battery" });
  setAdminAuditSink(async (event) => {
    events.push(event);
  });
});

afterAll(async () => {
  setAdminAuditSink(null);
  await prisma?.$disconnect();
  await pool?.end();
  await cleanup?.();
});

const last = (type: AdminEvent["type"]) => events.filter((e) => e.type === type).at(-1);

describe("administrative audit events", () => {
  it("an API key created and revoked: each journaled once, with who", async () => {
    const { key } = await createApiKey(prisma, { name: "bot", role: "trader", accountIds: ["ACC-ALPHA"] }, "user:admin@x.test");
    expect(last("ApiKeyCreated")).toEqual({
      type: "ApiKeyCreated",
      actor: "user:admin@x.test",
      data: { keyId: key.id, name: "bot", role: "trader", accountIds: ["ACC-ALPHA"] },
    });
    await revokeApiKey(prisma, key.id, "user:admin@x.test");
    await revokeApiKey(prisma, key.id, "user:other@x.test");
    expect(events.filter((e) => e.type === "ApiKeyRevoked")).toEqual([
      { type: "ApiKeyRevoked", actor: "user:admin@x.test", data: { keyId: key.id, name: "bot" } },
    ]);
  });

  it("a sign-in and a failed sign-in", async () => {
    await auth.api.signInEmail({ body: { email: "t@x.test", password: "correct-horse-battery" } });
    expect(last("UserSignedIn")).toMatchObject({ actor: "user:t@x.test", data: { email: "t@x.test" } });
    await expect(auth.api.signInEmail({ body: { email: "t@x.test", password: "wrong-password!" } })).rejects.toThrow();
    expect(last("SignInFailed")).toMatchObject({ actor: "user:t@x.test", data: { email: "t@x.test", outcome: "bad-password" } });
  });

  it("a role change says the old and new role; no change, no event", async () => {
    const before = events.length;
    expect(await changeUserRole(auth, "t@x.test", "risk", "user:admin@x.test")).toEqual({ old: "trader", new: "risk" });
    expect(last("UserRoleChanged")).toMatchObject({ actor: "user:admin@x.test", data: { email: "t@x.test", old: "trader", new: "risk" } });
    await changeUserRole(auth, "t@x.test", "risk", "user:admin@x.test");
    expect(events.length).toBe(before + 1);
  });
});
