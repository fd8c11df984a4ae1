import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Auth, createAuth, principalFromHeaders, type UserPrincipal } from "../auth";
import type { EngineClient } from "../engine-client";
import { PrincipalCache } from "../principal-cache";
import { journalSink } from "../testing/journal-sink";
import { createUser } from "../users";
import { appRouter } from "./root";

// users.* against a real Postgres: each change journaled with who, the user and the roles; nothing
// changed when the journal cannot be reached; a disabled user's sessions end and they cannot sign in;
// no change leaves the console without an enabled admin. Who may call them: routers/access.test.ts.

const PASSWORD = "correct-horse-battery";
let prisma: PrismaClient;
let pool: pg.Pool;
let auth: Auth;
let cleanup: () => Promise<void>;
let sink: ReturnType<typeof journalSink>;
let ada: UserPrincipal;
const principals = new PrincipalCache();

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  auth = createAuth({ pool, secret: "x".repeat(40), baseURL: "http://127.0.0.1:3999" });
  await createUser(auth, { email: "ada@x.test", name: "Ada", role: "admin", password: PASSWORD });
  const row = await prisma.authUser.findUniqueOrThrow({ where: { email: "ada@x.test" } });
  ada = { kind: "user", id: row.id, email: row.email, name: row.name, role: "admin" };
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

beforeEach(() => sink.reachable());

function users(principal: UserPrincipal = ada) {
  return appRouter.createCaller({ principal, engine: {} as EngineClient, prisma, principals }).users;
}

/** Signs in with the password; the session cookie, or the refusal. */
async function signIn(email: string): Promise<Headers> {
  const { headers } = await auth.api.signInEmail({ body: { email, password: PASSWORD }, returnHeaders: true });
  return new Headers({ cookie: (headers.get("set-cookie") ?? "").split(";")[0] ?? "" });
}

async function make(email: string, role: "trader" | "risk" | "compliance" | "admin" = "trader") {
  return (await users().create({ email, name: email.split("@")[0] ?? email, role, password: PASSWORD })).user;
}

describe("users.create", () => {
  it("creates a user who can sign in, journaled as UserCreated with who and the role, never the password", async () => {
    const user = await make("Bea@X.test", "risk");
    expect(user).toMatchObject({ email: "bea@x.test", name: "Bea", role: "risk", disabledAt: null, sessions: 0 });
    expect(sink.of("UserCreated")).toContainEqual({
      type: "UserCreated",
      actor: "user:ada@x.test",
      data: { userId: user.id, email: "bea@x.test", name: "Bea", role: "risk" },
    });
    expect(JSON.stringify(sink.events)).not.toContain(PASSWORD);
    expect(await principalFromHeaders(auth, await signIn("bea@x.test"))).toMatchObject({ email: "bea@x.test", role: "risk" });
    expect((await users().list()).users.map((u) => u.email)).toEqual(["ada@x.test", "bea@x.test"]);
  });

  it.each([
    ["a short password", { email: "c@x.test", name: "C", role: "trader", password: "short" }, /password/],
    ["not an email", { email: "c-at-x", name: "C", role: "trader", password: PASSWORD }, /email/],
    ["an unknown role", { email: "c@x.test", name: "C", role: "root", password: PASSWORD }, /role/],
    ["an extra field", { email: "c@x.test", name: "C", role: "trader", password: PASSWORD, admin: true }, /admin/],
  ])("refuses %s with BAD_REQUEST naming the field, and creates nothing", async (_name, input, message) => {
    const before = { users: await prisma.authUser.count(), events: sink.events.length };
    await expect(users().create(input as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    expect({ users: await prisma.authUser.count(), events: sink.events.length }).toEqual(before);
  });

  it("refuses an email already taken (CONFLICT)", async () => {
    await expect(make("bea@x.test")).rejects.toMatchObject({ code: "CONFLICT", message: "a user with email bea@x.test already exists" });
  });

  it("engine unreachable: no user, a clear error; the retry creates and journals once", async () => {
    sink.unreachable();
    await expect(make("cy@x.test")).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringMatching(/^UserCreated could not be journaled \(engine is not reachable.*nothing was changed, try again$/),
    });
    expect(await prisma.authUser.count({ where: { email: "cy@x.test" } })).toBe(0);
    sink.reachable();
    await make("cy@x.test");
    expect(sink.of("UserCreated").filter((e) => e.data.email === "cy@x.test")).toHaveLength(1);
  });
});

describe("users.setRole", () => {
  it("journals the old and new role; the same role again changes nothing", async () => {
    const user = await make("dee@x.test");
    const changed = await users().setRole({ userId: user.id, role: "compliance" });
    expect(changed).toMatchObject({ old: "trader", changed: true, user: { role: "compliance" } });
    expect(sink.of("UserRoleChanged").at(-1)).toEqual({
      type: "UserRoleChanged",
      actor: "user:ada@x.test",
      data: { userId: user.id, email: "dee@x.test", old: "trader", new: "compliance" },
    });
    const before = sink.events.length;
    expect(await users().setRole({ userId: user.id, role: "compliance" })).toMatchObject({ changed: false });
    expect(sink.events.length).toBe(before);
    expect(await principalFromHeaders(auth, await signIn("dee@x.test"))).toMatchObject({ role: "compliance" });
  });

  it("engine unreachable: the role stays; NOT_FOUND for no such user", async () => {
    const user = await make("eve@x.test");
    sink.unreachable();
    await expect(users().setRole({ userId: user.id, role: "admin" })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(await prisma.authUser.findUnique({ where: { id: user.id } })).toMatchObject({ role: "trader" });
    sink.reachable();
    await expect(users().setRole({ userId: "nobody", role: "admin" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("users.disable", () => {
  it("ends the user's sessions at once and they cannot sign in again; journaled with the sessions ended", async () => {
    const user = await make("fay@x.test");
    const cookie = await signIn("fay@x.test");
    await signIn("fay@x.test");
    expect(await principalFromHeaders(auth, cookie)).toMatchObject({ email: "fay@x.test" });
    const result = await users().disable({ userId: user.id });
    expect(result).toMatchObject({ changed: true, sessionsRevoked: 2, user: { sessions: 0, disabledBy: "user:ada@x.test" } });
    expect(result.user.disabledAt).not.toBeNull();
    expect(sink.of("UserDisabled").at(-1)).toEqual({
      type: "UserDisabled",
      actor: "user:ada@x.test",
      data: { userId: user.id, email: "fay@x.test", role: "trader", sessionsRevoked: 2 },
    });
    expect(await principalFromHeaders(auth, cookie)).toBeNull();
    await expect(signIn("fay@x.test")).rejects.toMatchObject({ statusCode: 403, body: { code: "USER_DISABLED" } });
    expect(sink.of("SignInFailed").at(-1)).toMatchObject({ actor: "user:fay@x.test", data: { email: "fay@x.test", outcome: "disabled" } });
    expect(await prisma.authSession.count({ where: { userId: user.id } })).toBe(0);
    // Again: nothing changes, nothing more is journaled.
    const before = sink.events.length;
    expect(await users().disable({ userId: user.id })).toMatchObject({ changed: false });
    expect(sink.events.length).toBe(before);
  });

  it("engine unreachable: the user keeps signing in; the retry disables and journals once", async () => {
    const user = await make("gus@x.test");
    const cookie = await signIn("gus@x.test");
    sink.unreachable();
    await expect(users().disable({ userId: user.id })).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringMatching(/^UserDisabled could not be journaled/),
    });
    expect(await principalFromHeaders(auth, cookie)).toMatchObject({ email: "gus@x.test" });
    sink.reachable();
    await users().disable({ userId: user.id });
    await users().disable({ userId: user.id });
    expect(sink.of("UserDisabled").filter((e) => e.data.userId === user.id)).toHaveLength(1);
    expect(await principalFromHeaders(auth, cookie)).toBeNull();
  });
});

describe("never without an enabled admin", () => {
  it("the only admin cannot demote or disable themselves (PRECONDITION_FAILED, nothing changed); with a second admin they can", async () => {
    const before = sink.events.length;
    await expect(users().setRole({ userId: ada.id, role: "trader" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "refused: making ada@x.test a trader would leave no enabled admin; make another admin first",
    });
    await expect(users().disable({ userId: ada.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await prisma.authUser.findUnique({ where: { id: ada.id } })).toMatchObject({ role: "admin" });
    expect(sink.events.length).toBe(before);

    const hal = await make("hal@x.test", "admin");
    await users().setRole({ userId: ada.id, role: "compliance" });
    // Now hal is the only enabled admin: disabling hal is refused, whoever asks.
    await expect(users().disable({ userId: hal.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("two admins demoting each other at once: one succeeds, one is refused", async () => {
    const ivy = await make("ivy@x.test", "admin");
    const hal = (await users().list()).users.find((u) => u.email === "hal@x.test");
    if (!hal) throw new Error("hal is missing");
    const as = (u: { id: string; email: string }): UserPrincipal => ({
      kind: "user",
      id: u.id,
      email: u.email,
      name: u.email,
      role: "admin",
    });
    const outcomes = await Promise.allSettled([
      users(as(hal)).setRole({ userId: ivy.id, role: "trader" }),
      users(as(ivy)).setRole({ userId: hal.id, role: "trader" }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await prisma.authUser.count({ where: { role: "admin" } })).toBe(1);
  });
});
