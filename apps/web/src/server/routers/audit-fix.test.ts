import { createPrisma, type PrismaClient } from "@fillmore/db";
import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "../../../../engine/test/harness";
import type { Principal } from "../auth";
import { EngineClient } from "../engine-client";
import { appRouter } from "./root";

// audit.orderHistory's FIX part against a real engine and Postgres (simulated venues here; the
// messages of a real FIX session are tested in apps/engine/test/fix/fix-messages-api.test.ts and
// e2e/audit-fix.spec.ts): an order never sent over FIX has none, an engine that cannot answer
// leaves the journal's part standing and says why, a bound key still never sees another account.

let h: Harness;
let prisma: PrismaClient;
let engine: EngineClient;
let alpha: Order;
let beta: Order;

const compliance: Principal = { kind: "user", id: "u-c", email: "c@x.test", name: "c", role: "compliance" };
const boundKey: Principal = { kind: "apiKey", id: "ak-c-alpha", name: "c-alpha", role: "compliance", accountIds: ["ACC-ALPHA"] };
const caller = (principal: Principal, client = engine) => appRouter.createCaller({ principal, engine: client, prisma });

beforeAll(async () => {
  h = await createHarness();
  const running = await h.start();
  engine = new EngineClient(running.url, h.config.ENGINE_SERVICE_TOKEN);
  prisma = createPrisma(h.db.url);
  const trader = caller({ kind: "user", id: "u-t", email: "t@x.test", name: "t", role: "trader" });
  const submit = async (clOrdId: string, accountId: string) =>
    (
      await trader.orders.submit({
        clOrdId,
        accountId,
        symbol: "AAPL",
        side: "Buy",
        ordType: "Market",
        orderQty: "10",
        timeInForce: "DAY",
      })
    ).order;
  alpha = await submit("AFX-1", "ACC-ALPHA");
  beta = await submit("AFX-2", "ACC-BETA");
  await until(async () => ((await engine.order(alpha.orderId)).order.ordStatus === "Filled" ? true : undefined), 10_000);
  await running.journal.durable();
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await h?.close();
});

describe("audit.orderHistory: FIX messages", () => {
  it("an order filled at a simulated venue has its journal events and an empty FIX list", async () => {
    const history = await caller(compliance).audit.orderHistory({ orderId: alpha.orderId });
    expect(history.events.map((e) => e.type)).toContain("OrderFilled");
    expect(history).toMatchObject({ fixMessages: [], fixMessagesError: null, fixMessagesTruncated: false });
  });

  it("with the engine unreachable the journal's part still answers, and fixMessagesError says why", async () => {
    const down = new EngineClient("http://127.0.0.1:9", "x");
    const history = await caller(compliance, down).audit.orderHistory({ orderId: alpha.orderId });
    expect(history.events.map((e) => e.type)).toContain("OrderReceived");
    expect(history.fixMessages).toBeNull();
    expect(history.fixMessagesError).toMatch(/FIX messages unavailable: engine is not reachable/);
  });

  it("a key bound to ACC-ALPHA gets NOT_FOUND for an ACC-BETA order, before the engine is asked", async () => {
    let asked = 0;
    const spy = new EngineClient(engine.baseUrl, h.config.ENGINE_SERVICE_TOKEN);
    spy.orderFixMessages = (orderId: string) => {
      asked++;
      return engine.orderFixMessages(orderId);
    };
    await expect(caller(boundKey, spy).audit.orderHistory({ orderId: beta.orderId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(asked).toBe(0);
    expect((await caller(boundKey, spy).audit.orderHistory({ orderId: alpha.orderId })).fixMessages).toEqual([]);
    expect(asked).toBe(1);
  });
});
