import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { appRouter } from "./root";

// A trader may halt their own strategies: a strategy is theirs when the console's order records
// carry it and every one of them was sent by this trader. Everything else needs controls:halt.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const trader: Principal = { kind: "user", id: "u-t", email: "trader@x.test", name: "t", role: "trader" };
const bot: Principal = { kind: "apiKey", id: "ak-bot", name: "bot", role: "trader", accountIds: ["ACC-ALPHA"] };

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  await prisma.tradingAccount.createMany({ data: [{ id: "ACC-ALPHA", name: "Alpha" }] });
  const row = (id: string, strategy: string, createdBy: string) => ({
    id,
    clOrdId: id,
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    timeInForce: "DAY",
    orderQty: "1",
    price: "1",
    ordStatus: "Accepted",
    cumQty: "0",
    leavesQty: "1",
    strategy,
    createdBy,
    createdAt: new Date(),
    updatedAt: new Date(),
    lastSeq: 1n,
  });
  await prisma.order.createMany({
    data: [
      row("O-1", "momo", "user:trader@x.test"),
      row("O-2", "shared", "user:trader@x.test"),
      row("O-3", "shared", "user:other@x.test"),
      row("O-4", "botstrat", "key:ak-bot"),
    ],
  });
}, 120_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
});

function caller(principal: Principal) {
  const calls: string[] = [];
  const engine = {
    controls: {
      trip: async (input: { scope: string }) => {
        calls.push(`trip ${input.scope}`);
        return { ok: true };
      },
      preview: async (scope: string) => {
        calls.push(`preview ${scope}`);
        return { scope };
      },
      reset: async () => calls.push("reset"),
    },
  } as unknown as EngineClient;
  return { api: appRouter.createCaller({ principal, engine, prisma }).controls, calls };
}
const trip = (scope: string) => ({ scope, actions: ["haltNewOrders", "cancelOpenOrders"] as const, reason: "my strategy misbehaves" });

describe("a trader halts their own strategies, nothing else", () => {
  it("trips and previews a strategy only they trade", async () => {
    const { api, calls } = caller(trader);
    await expect(api.preview({ scope: "strategy:momo" })).resolves.toEqual({ scope: "strategy:momo" });
    await expect(api.trip({ ...trip("strategy:momo"), actions: ["haltNewOrders", "cancelOpenOrders"] })).resolves.toEqual({ ok: true });
    await expect(api.trip({ ...trip("account:ACC-ALPHA/strategy:momo"), actions: ["haltNewOrders"] })).resolves.toBeDefined();
    expect(calls).toEqual(["preview strategy:momo", "trip strategy:momo", "trip account:ACC-ALPHA/strategy:momo"]);
  });

  it("refuses a strategy others trade too, one nobody traded, and any other scope; never resets", async () => {
    const { api, calls } = caller(trader);
    await expect(api.trip({ ...trip("strategy:shared"), actions: ["haltNewOrders"] })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: /others send orders with it too/,
    });
    await expect(api.trip({ ...trip("strategy:ghost"), actions: ["haltNewOrders"] })).rejects.toThrow(/you have sent no orders with it/);
    for (const scope of ["global", "account:ACC-ALPHA", "symbol:AAPL", "strategy:momo/symbol:AAPL"])
      await expect(api.trip({ ...trip(scope), actions: ["haltNewOrders"] })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: /trader lacks permission controls:halt/,
      });
    await expect(api.reset({ scope: "strategy:momo", reason: "resetting my own" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(calls).toEqual([]);
  });

  it("a key bound to accounts names one of its accounts", async () => {
    const { api, calls } = caller(bot);
    await expect(api.trip({ ...trip("strategy:botstrat"), actions: ["haltNewOrders"] })).rejects.toThrow(/bound to accounts/);
    await expect(api.trip({ ...trip("account:ACC-ALPHA/strategy:botstrat"), actions: ["haltNewOrders"] })).resolves.toBeDefined();
    expect(calls).toEqual(["trip account:ACC-ALPHA/strategy:botstrat"]);
  });
});
