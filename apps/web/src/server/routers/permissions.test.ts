import type { PrismaClient } from "@fillmore/db";
import { ROLES, type Role } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import { EngineClient } from "../engine-client";
import { appRouter } from "./root";

// The engine is deliberately unreachable: a permitted call fails with SERVICE_UNAVAILABLE
// (it got past the permission check), a refused one with FORBIDDEN before reaching it.
const engine = new EngineClient("http://127.0.0.1:9", "t".repeat(32));
const prisma = {} as PrismaClient;

function caller(role: Role | null) {
  const principal: Principal | null = role ? { kind: "user", id: `u-${role}`, email: `${role}@x.test`, name: role, role } : null;
  return appRouter.createCaller({ principal, engine, prisma });
}

const order = { accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Limit", orderQty: "1", price: "1.00" } as const;

const expectations: Record<Role, { submit: boolean; cancel: boolean }> = {
  trader: { submit: true, cancel: true },
  risk: { submit: false, cancel: true },
  compliance: { submit: false, cancel: false },
  admin: { submit: true, cancel: true },
};

describe("server-side permissions on every order procedure", () => {
  it.each(ROLES)("%s: submit and cancel are allowed or refused by role", async (role) => {
    const c = caller(role);
    const submit = c.orders.submit(order);
    const cancel = c.orders.cancel({ orderId: "O1" });
    await expect(submit).rejects.toMatchObject({ code: expectations[role].submit ? "SERVICE_UNAVAILABLE" : "FORBIDDEN" });
    await expect(cancel).rejects.toMatchObject({ code: expectations[role].cancel ? "SERVICE_UNAVAILABLE" : "FORBIDDEN" });
  });

  it("names the missing permission when refusing compliance a submit", async () => {
    await expect(caller("compliance").orders.submit(order)).rejects.toThrow(/compliance lacks permission orders:submit/);
  });

  it.each(["orders.submit", "orders.cancel", "orders.get", "orders.list", "reference.get", "session.me"])(
    "refuses %s without a session or API key",
    async (path) => {
      const [group, name] = path.split(".") as [string, string];
      const procedures = caller(null) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
      const call = procedures[group]?.[name];
      expect(call).toBeTypeOf("function");
      await expect(call?.({ orderId: "O1", ...order, limit: 1 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    },
  );

  it("validates input before anything is sent", async () => {
    await expect(caller("trader").orders.submit({ ...order, orderQty: "0" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
