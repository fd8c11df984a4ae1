import { isRole, type Role } from "@fillmore/shared";
import { betterAuth } from "better-auth";
import type pg from "pg";

export function createAuth(options: { pool: pg.Pool; secret: string; baseURL: string }) {
  return betterAuth({
    database: options.pool,
    secret: options.secret,
    baseURL: options.baseURL,
    trustedOrigins: [options.baseURL, options.baseURL.replace("127.0.0.1", "localhost")],
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10 },
    user: {
      modelName: "auth_user",
      additionalFields: { role: { type: "string", required: true, defaultValue: "trader", input: false } },
    },
    session: { modelName: "auth_session", expiresIn: 60 * 60 * 12 },
    account: { modelName: "auth_account" },
    verification: { modelName: "auth_verification" },
    telemetry: { enabled: false },
  });
}
export type Auth = ReturnType<typeof createAuth>;

/** A signed-in person (session cookie). Users are not scoped to accounts. */
export interface UserPrincipal {
  kind: "user";
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** A program holding an API key. An empty `accountIds` means every account. */
export interface ApiKeyPrincipal {
  kind: "apiKey";
  id: string;
  name: string;
  role: Role;
  accountIds: string[];
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** The signed-in user behind a request's headers, or null. */
export async function principalFromHeaders(auth: Auth, headers: Headers): Promise<UserPrincipal | null> {
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const role = (session.user as { role?: unknown }).role;
  if (!isRole(role)) return null;
  return { kind: "user", id: session.user.id, email: session.user.email, name: session.user.name, role };
}
