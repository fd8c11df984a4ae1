import { isRole, type Role } from "@fillmore/shared";
import type { Auth } from "./auth";
import { journalAdminAction } from "./reports/admin-audit";

/** Creates a user with an email/password credential, through better-auth's own adapter and hasher. */
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

/** Changes a user's role (their live sessions follow within the re-check interval); journaled as UserRoleChanged. */
export async function changeUserRole(auth: Auth, email: string, role: Role, actor: string): Promise<{ old: Role; new: Role }> {
  const ctx = await auth.$context;
  const found = await ctx.internalAdapter.findUserByEmail(email);
  if (!found) throw new Error(`no user with email ${email}`);
  const old = (found.user as { role?: unknown }).role;
  if (!isRole(old)) throw new Error(`user ${email} has no valid role`);
  if (old === role) return { old, new: role };
  await ctx.internalAdapter.updateUser(found.user.id, { role });
  await journalAdminAction({ type: "UserRoleChanged", actor, data: { userId: found.user.id, email, old, new: role } });
  return { old, new: role };
}
