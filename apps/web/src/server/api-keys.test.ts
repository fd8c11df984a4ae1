import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import type { Order, Role } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, hashApiKey, principalFromApiKey } from "./api-keys";
import type { Principal } from "./auth";
import { EngineClient } from "./engine-client";
import { appRouter } from "./routers/root";

// Unreachable on purpose: a call that passes every check fails with SERVICE_UNAVAILABLE there.
const engine = new EngineClient("http://127.0.0.1:9", "t".repeat(32));

let prisma: PrismaClient;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  await prisma.tradingAccount.createMany({
    data: [
      { id: "ACC-ALPHA", name: "Alpha Fund" },
      { id: "ACC-BETA", name: "Beta Macro" },
    ],
  });
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
}, 30_000);

function user(role: Role): Principal {
  return { kind: "user", id: `u-${role}`, email: `${role}@x.test`, name: `Test ${role}`, role };
}

function caller(principal: Principal | null) {
  return appRouter.createCaller({ principal, engine, prisma });
}

const order = { accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Limit", orderQty: "1", price: "1.00" } as const;

describe("API keys", () => {
  it("a created key authenticates as its role and accounts", async () => {
    const { key, secret } = await caller(user("admin")).admin.apiKeys.create({ name: "algo-1", role: "trader", accountIds: ["ACC-ALPHA"] });
    expect(secret).toMatch(/^fm_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`fm_${key.prefix}_`)).toBe(true);
    expect(key).toMatchObject({
      name: "algo-1",
      role: "trader",
      accountIds: ["ACC-ALPHA"],
      createdBy: "user:admin@x.test",
      revokedAt: null,
    });

    const principal = await principalFromApiKey(prisma, `Bearer ${secret}`);
    expect(principal).toEqual({ kind: "apiKey", id: key.id, name: "algo-1", role: "trader", accountIds: ["ACC-ALPHA"] });
    const me = await caller(principal).session.me();
    expect(me).toMatchObject({ kind: "apiKey", email: null, name: "algo-1", role: "trader", accountIds: ["ACC-ALPHA"] });
    expect(me.permissions).toContain("orders:submit");
  });

  it("stores only the hash, never the secret, and lists keys without it", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "stored", role: "risk", accountIds: [] }, "user:admin@x.test");
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.keyHash).toBe(hashApiKey(secret));
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    const secretPart = secret.split("_").slice(2).join("_");
    for (const value of Object.values(row)) {
      expect(String(value)).not.toContain(secretPart);
    }
    const { keys } = await caller(user("admin")).admin.apiKeys.list();
    const listed = keys.find((k) => k.id === key.id);
    expect(listed).toMatchObject({ prefix: key.prefix, role: "risk", accountIds: [] });
    expect(JSON.stringify(keys)).not.toContain(row.keyHash);
    expect(JSON.stringify(keys)).not.toContain(secretPart);
    expect(Object.keys(listed ?? {})).not.toContain("keyHash");
  });

  it("refuses a revoked key and records who revoked it", async () => {
    const admin = caller(user("admin"));
    const { key, secret } = await admin.admin.apiKeys.create({ name: "to-revoke", role: "trader", accountIds: [] });
    expect(await principalFromApiKey(prisma, `Bearer ${secret}`)).not.toBeNull();
    const { key: revoked } = await admin.admin.apiKeys.revoke({ id: key.id });
    expect(revoked.revokedBy).toBe("user:admin@x.test");
    expect(revoked.revokedAt).not.toBeNull();
    expect(await principalFromApiKey(prisma, `Bearer ${secret}`)).toBeNull();
    await expect(admin.admin.apiKeys.revoke({ id: "ak_nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses wrong, malformed and missing keys", async () => {
    const { secret } = await createApiKey(prisma, { name: "real", role: "trader", accountIds: [] }, "test");
    const wrong = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    expect(await principalFromApiKey(prisma, `Bearer ${wrong}`)).toBeNull();
    expect(await principalFromApiKey(prisma, `Bearer fm_00000000_${"x".repeat(43)}`)).toBeNull();
    expect(await principalFromApiKey(prisma, "Bearer nonsense")).toBeNull();
    expect(await principalFromApiKey(prisma, secret)).toBeNull();
    expect(await principalFromApiKey(prisma, undefined)).toBeNull();
    expect(await principalFromApiKey(prisma, `bearer ${secret}`)).not.toBeNull();
  });

  it("records the last use at most once a minute", async () => {
    const { key, secret } = await createApiKey(prisma, { name: "used", role: "trader", accountIds: [] }, "test");
    await principalFromApiKey(prisma, `Bearer ${secret}`);
    const first = (await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await principalFromApiKey(prisma, `Bearer ${secret}`);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toEqual(first);
  });

  it.each(["trader", "risk", "compliance"] as const)("the admin router refuses %s changes (FORBIDDEN)", async (role) => {
    const c = caller(user(role));
    await expect(c.admin.apiKeys.create({ name: "x", role: "admin", accountIds: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(c.admin.apiKeys.revoke({ id: "ak_x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("compliance reads the key list (never a hash or secret); trader and risk do not", async () => {
    await createApiKey(prisma, { name: "listed", role: "trader", accountIds: [] }, "test");
    const { keys } = await caller(user("compliance")).admin.apiKeys.list();
    expect(keys.map((k) => k.name)).toContain("listed");
    expect(JSON.stringify(keys)).not.toMatch(/keyHash|key_hash|fm_[0-9a-f]{8}_/);
    for (const role of ["trader", "risk"] as const)
      await expect(caller(user(role)).admin.apiKeys.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("the admin router refuses a trader API key and callers without credentials", async () => {
    const { secret } = await createApiKey(prisma, { name: "not-admin", role: "trader", accountIds: [] }, "test");
    const principal = await principalFromApiKey(prisma, `Bearer ${secret}`);
    await expect(caller(principal).admin.apiKeys.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller(null).admin.apiKeys.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("validates create input and names unknown accounts", async () => {
    const admin = caller(user("admin"));
    await expect(admin.admin.apiKeys.create({ name: "", role: "trader", accountIds: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.admin.apiKeys.create({ name: "x".repeat(65), role: "trader", accountIds: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(admin.admin.apiKeys.create({ name: "x", role: "root" as Role, accountIds: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const unknown = admin.admin.apiKeys.create({ name: "x", role: "trader", accountIds: ["ACC-ALPHA", "ACC-NOPE", "ACC-ZED"] });
    await expect(unknown).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(unknown).rejects.toThrow(/ACC-NOPE, ACC-ZED/);
  });

  it("an account-scoped key may trade its own account only", async () => {
    const { secret } = await createApiKey(prisma, { name: "alpha-bot", role: "trader", accountIds: ["ACC-ALPHA"] }, "test");
    const c = caller(await principalFromApiKey(prisma, `Bearer ${secret}`));
    const other = c.orders.submit({ ...order, accountId: "ACC-BETA" });
    await expect(other).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(other).rejects.toThrow(/ACC-BETA/);
    // Its own account passes every check and reaches the (unreachable) engine.
    await expect(c.orders.submit(order)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    // An unscoped key is not limited to accounts.
    const { secret: all } = await createApiKey(prisma, { name: "all-bot", role: "trader", accountIds: [] }, "test");
    const anyAccount = caller(await principalFromApiKey(prisma, `Bearer ${all}`));
    await expect(anyAccount.orders.submit({ ...order, accountId: "ACC-BETA" })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });

  it("an account-scoped key lists only its accounts' orders", async () => {
    const now = new Date();
    const base = { symbol: "AAPL", side: "Buy", ordType: "Limit", timeInForce: "DAY", orderQty: "1", price: "1", ordStatus: "Accepted" };
    await prisma.order.createMany({
      data: ["ACC-ALPHA", "ACC-BETA"].map((accountId, i) => ({
        ...base,
        id: `O-${accountId}`,
        clOrdId: `c-${i}`,
        accountId,
        cumQty: "0",
        leavesQty: "1",
        createdBy: "test",
        createdAt: now,
        updatedAt: now,
        lastSeq: BigInt(i + 1),
      })),
    });
    const { secret } = await createApiKey(prisma, { name: "alpha-reader", role: "compliance", accountIds: ["ACC-ALPHA"] }, "test");
    const c = caller(await principalFromApiKey(prisma, `Bearer ${secret}`));
    const { orders } = await c.orders.list({});
    expect(orders.map((o) => o.accountId)).toEqual(["ACC-ALPHA"]);
    await expect(c.orders.list({ accountId: "ACC-BETA" })).rejects.toThrow(/ACC-BETA/);
    const everything = await caller(user("compliance")).orders.list({});
    expect(new Set(everything.orders.map((o) => o.accountId))).toEqual(new Set(["ACC-ALPHA", "ACC-BETA"]));
  });

  it("an account-scoped key may read and cancel only its accounts' orders", async () => {
    // The engine knows O-B (ACC-BETA) and O-A (ACC-ALPHA); cancel itself stays unreachable.
    class OneAccountEngine extends EngineClient {
      override order(orderId: string) {
        const accountId = orderId === "O-B" ? "ACC-BETA" : "ACC-ALPHA";
        return Promise.resolve({ order: { orderId, accountId } as Order, events: [] });
      }
    }
    const fake = new OneAccountEngine("http://127.0.0.1:9", "t".repeat(32));
    const { secret } = await createApiKey(prisma, { name: "alpha-cancel", role: "trader", accountIds: ["ACC-ALPHA"] }, "test");
    const c = appRouter.createCaller({ principal: await principalFromApiKey(prisma, `Bearer ${secret}`), engine: fake, prisma });
    // Another account's order answers like an order that does not exist: nothing tells which ids exist.
    await expect(c.orders.get({ orderId: "O-B" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "no order O-B" });
    await expect(c.orders.cancel({ orderId: "O-B" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "no order O-B" });
    expect((await c.orders.get({ orderId: "O-A" })).order.accountId).toBe("ACC-ALPHA");
    await expect(c.orders.cancel({ orderId: "O-A" })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });
});
