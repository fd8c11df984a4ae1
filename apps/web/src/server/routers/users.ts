import { ROLES } from "@fillmore/shared";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { AccountScope } from "../scope";
import { actorOf, requires, router } from "../trpc";
import { adminCreateUser, disableUser, listUsers, newUserInput, setUserRole } from "../users";

/**
 * User administration, for admins only (`admin:users`): list, create with a role, change a role,
 * disable. Each change is journaled as an administrative event (UserCreated, UserRoleChanged,
 * UserDisabled) in the same all-or-nothing step as the change (users.ts). Users are not scoped to
 * accounts, so an API key bound to accounts may not administer them.
 */
const admin = requires("admin:users");
const userId = z.string().trim().min(1).max(128);

function assertUnbound(scope: AccountScope): void {
  if (scope.confined) throw new TRPCError({ code: "FORBIDDEN", message: "a key bound to accounts may not administer users" });
}

export const usersRouter = router({
  list: admin.query(async ({ ctx }) => {
    assertUnbound(ctx.scope);
    return { users: await listUsers(ctx.prisma) };
  }),

  create: admin.input(newUserInput).mutation(async ({ ctx, input }) => {
    assertUnbound(ctx.scope);
    return { user: await adminCreateUser(ctx.prisma, input, actorOf(ctx.principal)) };
  }),

  /** Refused with PRECONDITION_FAILED when it would leave no enabled admin; the same role again changes nothing. */
  setRole: admin.input(z.object({ userId, role: z.enum(ROLES) }).strict()).mutation(async ({ ctx, input }) => {
    assertUnbound(ctx.scope);
    const result = await setUserRole(ctx.prisma, input, actorOf(ctx.principal));
    // Their next request has the new role, on this console and (told) on the others.
    if (result.changed) ctx.principals?.forgetUser(input.userId);
    return result;
  }),

  /** Ends every session of the user at once; they cannot sign in again. Refused for the last enabled admin. */
  disable: admin.input(z.object({ userId }).strict()).mutation(async ({ ctx, input }) => {
    assertUnbound(ctx.scope);
    const result = await disableUser(ctx.prisma, input, actorOf(ctx.principal));
    ctx.principals?.forgetUser(input.userId);
    return result;
  }),
});
