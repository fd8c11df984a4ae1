import { isRole, type Role } from "@fillmore/shared";
import { betterAuth } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import type pg from "pg";
import { type AdminEvent, journalAdminAction } from "./reports/admin-audit";
import type { SignInLimits } from "./sign-in-limits";

/** Sign-ins are journaled, but a journal that cannot be reached must not lock people out: warn and go on. */
function journalSignIn(event: AdminEvent): Promise<void> {
  return journalAdminAction(event).catch((error: unknown) => {
    process.emitWarning(`could not journal ${event.type}: ${error instanceof Error ? error.message : String(error)}`);
  });
}

/** A sign-in that did not let the person in, as kept in sign_in_attempt and logged. */
export interface FailedSignIn {
  email: string;
  userId: string | null;
  ip: string;
  userAgent: string | null;
  outcome: "bad-password" | "unknown-account" | "blocked" | "disabled";
  retryAfterMs: number | null;
}

/** Sign-in limits (sign-in-limits.ts) and where failures are recorded; without them, sign-in is unguarded (seeding, tests). */
export interface SignInGuard {
  limits: SignInLimits;
  failed(attempt: FailedSignIn): Promise<void>;
}

const SIGN_IN_PATH = "/sign-in/email";

/** The client's address: the console server, which is the edge, sets x-forwarded-for to the peer address. */
function clientAddress(headers: Headers | undefined): string {
  return headers?.get("x-forwarded-for")?.split(",")[0]?.trim() || "unknown";
}

export function createAuth(options: { pool: pg.Pool; secret: string; baseURL: string; trustedOrigins?: string[]; signIn?: SignInGuard }) {
  const guard = options.signIn;
  return betterAuth({
    database: options.pool,
    secret: options.secret,
    baseURL: options.baseURL,
    trustedOrigins: options.trustedOrigins ?? [options.baseURL, options.baseURL.replace("127.0.0.1", "localhost")],
    // better-auth's own limit (3 sign-ins per 10 s per address) would let one person's typos lock out
    // everyone behind the same address: sign-in is limited per account and address by the hooks below.
    rateLimit: { enabled: true, customRules: { [SIGN_IN_PATH]: false } },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (!guard || ctx.path !== SIGN_IN_PATH) return;
        const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "").slice(0, 320);
        const ip = clientAddress(ctx.headers);
        const verdict = guard.limits.check(email, ip);
        if (verdict.allowed) return;
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        if (verdict.first) {
          await journalSignIn({ type: "SignInFailed", actor: `user:${email}`, data: { email, ip, outcome: "blocked" } });
          await guard.failed({
            email,
            userId: null,
            ip,
            userAgent: ctx.headers?.get("user-agent") ?? null,
            outcome: "blocked",
            retryAfterMs: verdict.retryAfterMs,
          });
        }
        throw new APIError(
          "TOO_MANY_REQUESTS",
          {
            code: "TOO_MANY_FAILED_SIGN_INS",
            message: `too many failed sign-ins ${verdict.limit === "account" ? "for this account" : "from this address"}: try again in ${seconds} s`,
          },
          { "Retry-After": String(seconds) },
        );
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== SIGN_IN_PATH) return;
        const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "").slice(0, 320);
        const ip = clientAddress(ctx.headers);
        const session = ctx.context.newSession;
        if (session) {
          const user = session.user;
          await journalSignIn({ type: "UserSignedIn", actor: `user:${user.email}`, data: { userId: user.id, email: user.email, ip } });
          return guard?.limits.succeeded(email, ip);
        }
        const returned = ctx.context.returned;
        if (isAPIError(returned) && (returned.body as { code?: unknown } | undefined)?.code === "USER_DISABLED") {
          // The right password for a disabled user (the session hook refused): a failed sign-in too, not counted by the limits.
          const user = await ctx.context.internalAdapter.findUserByEmail(email.toLowerCase()).catch(() => null);
          await journalSignIn({ type: "SignInFailed", actor: `user:${email}`, data: { email, ip, outcome: "disabled" } });
          return guard?.failed({
            email,
            userId: user?.user.id ?? null,
            ip,
            userAgent: ctx.headers?.get("user-agent") ?? null,
            outcome: "disabled",
            retryAfterMs: null,
          });
        }
        if (!guard) return;
        if (!isAPIError(returned) || returned.statusCode !== 401) return;
        guard.limits.failed(email, ip);
        const user = await ctx.context.internalAdapter.findUserByEmail(email.toLowerCase()).catch(() => null);
        await guard.failed({
          email,
          userId: user?.user.id ?? null,
          ip,
          userAgent: ctx.headers?.get("user-agent") ?? null,
          outcome: user ? "bad-password" : "unknown-account",
          retryAfterMs: null,
        });
        await journalSignIn({
          type: "SignInFailed",
          actor: `user:${email}`,
          data: { email, ip, outcome: user ? "bad-password" : "unknown-account" },
        });
      }),
    },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10 },
    user: {
      modelName: "auth_user",
      additionalFields: {
        role: { type: "string", required: true, defaultValue: "trader", input: false },
        /** Set by users.disable (users.ts): no new session, and an existing one is not honoured. */
        disabledAt: { type: "date", required: false, input: false },
      },
    },
    databaseHooks: {
      session: {
        create: {
          // A disabled user's right password still opens no session (users.disable deleted those they had).
          async before(session, ctx) {
            const user = await ctx?.context.internalAdapter.findUserById(session.userId);
            if ((user as { disabledAt?: unknown } | null)?.disabledAt)
              throw new APIError("FORBIDDEN", { code: "USER_DISABLED", message: "this user is disabled: ask an admin" });
          },
        },
      },
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
  const { role, disabledAt } = session.user as { role?: unknown; disabledAt?: unknown };
  if (!isRole(role) || disabledAt) return null;
  return { kind: "user", id: session.user.id, email: session.user.email, name: session.user.name, role };
}
