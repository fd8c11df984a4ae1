import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@fillmore/db";
import { isRole, ROLES, type Role } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import { hashPassword } from "better-auth/crypto";
import { z } from "zod";
import type { Auth } from "./auth";
import { isJournaled, journalOrRefuse } from "./reports/admin-audit";

/** Creates a user with an email/password credential, through better-auth's own adapter and hasher (seeding, tests: not journaled). */
export async function createUser(auth: Auth, user: { email: string; name: string; role: Role; password: string }): Promise<void> {
  const ctx = await auth.$context;
  const existing = await ctx.internalAdapter.findUserByEmail(user.email);
  if (existing) throw new Error(`a user with email ${user.email} already exists`);
  const created = await ctx.internalAdapter.createUser(
    { email: user.email, name: user.name, role: user.role, emailVerified: true },
    { method: "admin" },
  );
  const hash = await ctx.password.hash(user.password);
  await ctx.internalAdapter.linkAccount({ userId: created.id, providerId: "credential", accountId: created.id, password: hash });
}

export async function userExists(auth: Auth, email: string): Promise<boolean> {
  const ctx = await auth.$context;
  return (await ctx.internalAdapter.findUserByEmail(email)) !== null;
}

// User administration (routers/users.ts, the create-admin CLI). Each change and its journal event are
// all-or-nothing: the event is journaled inside the transaction that makes the change, so a journal that
// cannot be reached changes nothing (NotJournaledError). Changes are serialised by one advisory lock, so
// two admins demoting each other at once cannot leave the console without an enabled admin.

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  /** Null while the user may sign in. */
  disabledAt: string | null;
  disabledBy: string | null;
  /** Sessions not yet expired. */
  sessions: number;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: Date;
  disabledAt: Date | null;
  disabledBy: string | null;
  sessions: number;
}

/** A new user as an admin enters it (users.create, the create-admin CLI): the email is kept in lower case. */
export const newUserInput = z
  .object({
    email: z.string().trim().toLowerCase().max(320).email(),
    name: z.string().trim().min(1).max(128),
    role: z.enum(ROLES),
    /** At least 10 characters, like every sign-in password (better-auth's minimum). */
    password: z.string().min(10).max(256),
  })
  .strict();

/** A change that would leave no enabled admin: refused, nothing changed. */
export class LastAdminError extends TRPCError {
  constructor(what: string) {
    super({ code: "PRECONDITION_FAILED", message: `refused: ${what} would leave no enabled admin; make another admin first` });
  }
}

type Tx = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;
const JOURNAL_TX = { timeout: 15_000 } as const;

function view(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: isRole(row.role) ? row.role : "trader",
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledBy: row.disabledBy,
    sessions: row.sessions,
  };
}

async function selectUsers(tx: Tx, id: string | null): Promise<UserRow[]> {
  return tx.$queryRaw<UserRow[]>`
    SELECT u.id, u.email, u.name, u.role, u."createdAt", u."disabledAt", u."disabledBy",
           (SELECT count(*)::int FROM auth_session s WHERE s."userId" = u.id AND s."expiresAt" > now()) AS sessions
    FROM auth_user u
    WHERE ${id}::text IS NULL OR u.id = ${id}
    ORDER BY u.email`;
}

async function lockUserAdministration(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fillmore:user-administration'))`;
}

async function enabledAdmins(tx: Tx): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM auth_user WHERE role = 'admin' AND "disabledAt" IS NULL`;
  return row?.n ?? 0;
}

async function findUser(tx: Tx, id: string): Promise<UserRow> {
  const [row] = await selectUsers(tx, id);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `no user ${id}` });
  return row;
}

/** Every user, by email, with their role, whether disabled, and how many live sessions they hold. */
export async function listUsers(prisma: PrismaClient): Promise<UserView[]> {
  return (await selectUsers(prisma, null)).map(view);
}

/** Creates a user who signs in with email and password; journaled as UserCreated (never the password). */
export async function adminCreateUser(
  prisma: PrismaClient,
  input: { email: string; name: string; role: Role; password: string },
  actor: string,
): Promise<UserView> {
  const email = input.email.toLowerCase();
  // better-auth's own hasher (scrypt), as its sign-in checks it; hashed before the lock is taken.
  const hash = await hashPassword(input.password);
  const id = randomBytes(16).toString("hex");
  return prisma.$transaction(async (tx) => {
    await lockUserAdministration(tx);
    const [taken] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM auth_user WHERE email = ${email}`;
    if (taken) throw new TRPCError({ code: "CONFLICT", message: `a user with email ${email} already exists` });
    await tx.$executeRaw`
      INSERT INTO auth_user (id, name, email, "emailVerified", role) VALUES (${id}, ${input.name}, ${email}, true, ${input.role})`;
    await tx.$executeRaw`
      INSERT INTO auth_account (id, "accountId", "providerId", "userId", password)
      VALUES (${randomBytes(16).toString("hex")}, ${id}, 'credential', ${id}, ${hash})`;
    await journalOrRefuse({ type: "UserCreated", actor, data: { userId: id, email, name: input.name, role: input.role } });
    return view(await findUser(tx, id));
  }, JOURNAL_TX);
}

/**
 * Changes a user's role; journaled as UserRoleChanged with the old and new role. The same role again
 * changes nothing and journals nothing. Demoting the last enabled admin is refused (LastAdminError).
 */
export async function setUserRole(
  prisma: PrismaClient,
  input: { userId: string; role: Role },
  actor: string,
): Promise<{ user: UserView; old: Role; changed: boolean }> {
  return prisma.$transaction(async (tx) => {
    await lockUserAdministration(tx);
    const before = view(await findUser(tx, input.userId));
    if (before.role === input.role) return { user: before, old: before.role, changed: false };
    if (before.role === "admin" && before.disabledAt === null && (await enabledAdmins(tx)) <= 1)
      throw new LastAdminError(`making ${before.email} a ${input.role}`);
    await tx.$executeRaw`UPDATE auth_user SET role = ${input.role}, "updatedAt" = now() WHERE id = ${input.userId}`;
    await journalOrRefuse({
      type: "UserRoleChanged",
      actor,
      data: { userId: before.id, email: before.email, old: before.role, new: input.role },
    });
    return { user: view(await findUser(tx, input.userId)), old: before.role, changed: true };
  }, JOURNAL_TX);
}

/**
 * Disables a user: they cannot sign in again and every session they hold is deleted; journaled as
 * UserDisabled with how many sessions ended. Disabling a disabled user changes nothing (it journals
 * the disabling only if the journal lacks it). Disabling the last enabled admin is refused.
 */
export async function disableUser(
  prisma: PrismaClient,
  input: { userId: string },
  actor: string,
): Promise<{ user: UserView; sessionsRevoked: number; changed: boolean }> {
  return prisma.$transaction(async (tx) => {
    await lockUserAdministration(tx);
    const before = view(await findUser(tx, input.userId));
    if (before.disabledAt !== null) {
      const sessionsRevoked = await tx.$executeRaw`DELETE FROM auth_session WHERE "userId" = ${input.userId}`;
      if (!(await isJournaled(tx, "UserDisabled", "userId", before.id)))
        await journalOrRefuse({
          type: "UserDisabled",
          actor: before.disabledBy ?? actor,
          data: { userId: before.id, email: before.email, role: before.role, sessionsRevoked },
        });
      return { user: view(await findUser(tx, input.userId)), sessionsRevoked, changed: false };
    }
    if (before.role === "admin" && (await enabledAdmins(tx)) <= 1) throw new LastAdminError(`disabling ${before.email}`);
    await tx.$executeRaw`
      UPDATE auth_user SET "disabledAt" = now(), "disabledBy" = ${actor}, "updatedAt" = now() WHERE id = ${input.userId}`;
    const sessionsRevoked = await tx.$executeRaw`DELETE FROM auth_session WHERE "userId" = ${input.userId}`;
    await journalOrRefuse({
      type: "UserDisabled",
      actor,
      data: { userId: before.id, email: before.email, role: before.role, sessionsRevoked },
    });
    return { user: view(await findUser(tx, input.userId)), sessionsRevoked, changed: true };
  }, JOURNAL_TX);
}
