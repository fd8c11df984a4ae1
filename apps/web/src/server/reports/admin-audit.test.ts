import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, principalFromApiKey, revokeApiKey } from "../api-keys";
import { type Auth, createAuth } from "../auth";
import { SignInLimits } from "../sign-in-limits";
import { journalSink } from "../testing/journal-sink";
import { createUser } from "../users";

// Administrative actions reach the journal's door (the sink; the engine's side is tested in
// apps/engine/src/audit/admin-events.test.ts): keys created and revoked, all-or-nothing with their
// events when the engine cannot be reached; sign-ins and failed sign-ins. Users: routers/users.test.ts.

let prisma: PrismaClient;
let pool: pg.Pool;
let auth: Auth;
let cleanup: () => Promise<void>;
let sink: ReturnType<typeof journalSink>;

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
  sink = journalSink(pool);
});

afterAll(async () => {
  sink?.close();
  await prisma?.$disconnect();
  // A client still closing when the database goes away reports it through the pool: expected at teardown.
  pool?.on("error", () => undefined);
  await pool?.end();
  await cleanup?.();
});

const last = (type: Parameters<typeof sink.of>[0]) => sink.of(type).at(-1);
const NOT_JOURNALED = /could not be journaled \(engine is not reachable.*\): nothing was changed, try again/;

describe("administrative audit events: API keys", () => {
  it("an API key created and revoked: each journaled once, with who", async () => {
    const { key } = await createApiKey(prisma, { name: "bot", role: "trader", accountIds: ["ACC-ALPHA"] }, "user:admin@x.test");
    expect(last("ApiKeyCreated")).toEqual({
      type: "ApiKeyCreated",
      actor: "user:admin@x.test",
      data: { keyId: key.id, name: "bot", role: "trader", accountIds: ["ACC-ALPHA"] },
    });
    await revokeApiKey(prisma, key.id, "user:admin@x.test");
    await revokeApiKey(prisma, key.id, "user:other@x.test");
    expect(sink.of("ApiKeyRevoked")).toEqual([{ type: "ApiKeyRevoked", actor: "user:admin@x.test", data: { keyId: key.id, name: "bot" } }]);
  });

  it("engine unreachable: no key is made and the caller is told why", async () => {
    const before = await prisma.apiKey.count();
    sink.unreachable();
    try {
      await expect(createApiKey(prisma, { name: "lost", role: "trader", accountIds: [] }, "user:admin@x.test")).rejects.toMatchObject({
        code: "SERVICE_UNAVAILABLE",
        message: expect.stringMatching(new RegExp(`^ApiKeyCreated ${NOT_JOURNALED.source}`)),
      });
    } finally {
      sink.reachable();
    }
    expect(await prisma.apiKey.count()).toBe(before);
    expect(sink.of("ApiKeyCreated").some((e) => e.data.name === "lost")).toBe(false);
  });

  it("engine unreachable: the revocation does not happen (the key still works); the retry revokes and journals once", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "retry", role: "trader", accountIds: [] }, "user:admin@x.test");
    sink.unreachable();
    try {
      await expect(revokeApiKey(prisma, key.id, "user:admin@x.test")).rejects.toMatchObject({
        code: "SERVICE_UNAVAILABLE",
        message: expect.stringMatching(new RegExp(`^ApiKeyRevoked ${NOT_JOURNALED.source}`)),
      });
    } finally {
      sink.reachable();
    }
    expect(await prisma.apiKey.findUnique({ where: { id: key.id } })).toMatchObject({ revokedAt: null, revokedBy: null });
    expect(await principalFromApiKey(prisma, `Bearer ${secret}`)).toMatchObject({ id: key.id });

    const revoked = await revokeApiKey(prisma, key.id, "user:admin@x.test");
    expect(revoked).toMatchObject({ id: key.id, revokedBy: "user:admin@x.test" });
    expect(await principalFromApiKey(prisma, `Bearer ${secret}`)).toBeNull();
    await revokeApiKey(prisma, key.id, "user:admin@x.test");
    expect(sink.of("ApiKeyRevoked").filter((e) => e.data.keyId === key.id)).toEqual([
      { type: "ApiKeyRevoked", actor: "user:admin@x.test", data: { keyId: key.id, name: "retry" } },
    ]);
  });

  it("a key revoked on its row with no event in the journal: revoking again journals it once, as who revoked it", async () => {
    const { key } = await createApiKey(prisma, { name: "old", role: "trader", accountIds: [] }, "user:admin@x.test");
    await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date(), revokedBy: "user:earlier@x.test" } });
    await revokeApiKey(prisma, key.id, "user:admin@x.test");
    await revokeApiKey(prisma, key.id, "user:admin@x.test");
    expect(sink.of("ApiKeyRevoked").filter((e) => e.data.keyId === key.id)).toEqual([
      { type: "ApiKeyRevoked", actor: "user:earlier@x.test", data: { keyId: key.id, name: "old" } },
    ]);
    expect(await prisma.apiKey.findUnique({ where: { id: key.id } })).toMatchObject({ revokedBy: "user:earlier@x.test" });
  });

  it("two revocations at once: one takes effect, one event", async () => {
    const { key } = await createApiKey(prisma, { name: "race", role: "trader", accountIds: [] }, "user:admin@x.test");
    await Promise.all([revokeApiKey(prisma, key.id, "user:a@x.test"), revokeApiKey(prisma, key.id, "user:b@x.test")]);
    expect(sink.of("ApiKeyRevoked").filter((e) => e.data.keyId === key.id)).toHaveLength(1);
  });

  it("revoking a key that does not exist answers null and journals nothing", async () => {
    const before = sink.events.length;
    expect(await revokeApiKey(prisma, "ak_nope", "user:admin@x.test")).toBeNull();
    expect(sink.events.length).toBe(before);
  });
});

describe("administrative audit events: sign-ins", () => {
  it("a sign-in and a failed sign-in", async () => {
    await auth.api.signInEmail({ body: { email: "t@x.test", password: "correct-horse-battery" } });
    expect(last("UserSignedIn")).toMatchObject({ actor: "user:t@x.test", data: { email: "t@x.test" } });
    await expect(auth.api.signInEmail({ body: { email: "t@x.test", password: "wrong-password!" } })).rejects.toThrow();
    expect(last("SignInFailed")).toMatchObject({ actor: "user:t@x.test", data: { email: "t@x.test", outcome: "bad-password" } });
  });
});
