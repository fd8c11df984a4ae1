import type { Role } from "@fillmore/shared";
import type { Auth } from "./auth";

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
