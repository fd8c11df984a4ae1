import { createPrisma, type PrismaClient } from "@fillmore/db";
import type { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, journalCount } from "../../../../engine/test/harness";
import type { Principal } from "../auth";
import { EngineClient } from "../engine-client";
import { appRouter } from "./root";

// Every public procedure, fed random and half-valid input against a real engine and Postgres:
// the answer is a result or a typed client error, never an internal error, and refused input
// changes nothing in the journal.

let h: Harness;
let prisma: PrismaClient;
let caller: ReturnType<typeof appRouter.createCaller>;

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  prisma = createPrisma(h.db.url);
  const principal: Principal = { kind: "user", id: "u-admin", email: "admin@x.test", name: "admin", role: "admin" };
  caller = appRouter.createCaller({ principal, engine: new EngineClient(engine.url, h.config.ENGINE_SERVICE_TOKEN), prisma });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await h?.close();
});

const CLIENT_ERRORS = ["BAD_REQUEST", "NOT_FOUND", "CONFLICT", "FORBIDDEN", "UNPROCESSABLE_CONTENT"];

const decimalish = fc.oneof(
  fc.constantFrom("100", "0", "-1", "1e3", "1.5", "189.50", "0.001", "abc", "", " 1", "99999999999999999999", "1.0000000000001"),
  fc.string({ maxLength: 12 }),
  fc.double().map(String),
);
const orderish = fc.record(
  {
    clOrdId: fc.oneof(fc.string({ maxLength: 80 }), fc.uuid()),
    accountId: fc.constantFrom("ACC-ALPHA", "ACC-BETA", "NOPE", "", "acc alpha"),
    symbol: fc.constantFrom("AAPL", "MSFT", "EURUSD", "aapl", "ZZZZ", ""),
    side: fc.constantFrom("Buy", "Sell", "Short", 1),
    ordType: fc.constantFrom("Market", "Limit", "Stop", "StopLimit", "TrailingStop", "Iceberg"),
    orderQty: decimalish,
    price: decimalish,
    stopPx: decimalish,
    trailAmount: decimalish,
    timeInForce: fc.constantFrom("DAY", "GTC", "IOC", "FOK", "GTD", "FOREVER"),
    expireTime: fc.constantFrom("2030-01-01T00:00:00Z", "tomorrow", "2020-01-01T00:00:00Z"),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

async function outcome(call: () => Promise<unknown>): Promise<"ok" | string> {
  try {
    await call();
    return "ok";
  } catch (error) {
    return (error as TRPCError).code ?? "THROWN";
  }
}

type Procedure = (input: unknown) => Promise<unknown>;
const procedures: [string, () => Procedure, fc.Arbitrary<unknown>][] = [
  ["orders.submit", () => caller.orders.submit as Procedure, fc.oneof(orderish, fc.anything())],
  [
    "orders.modify",
    () => caller.orders.modify as Procedure,
    fc.oneof(
      fc.record({ orderId: fc.constantFrom("O2", "O999", ""), orderQty: decimalish, price: decimalish }, { requiredKeys: [] }),
      fc.anything(),
    ),
  ],
  ["orders.cancel", () => caller.orders.cancel as Procedure, fc.oneof(fc.record({ orderId: fc.string({ maxLength: 70 }) }), fc.anything())],
  [
    "orders.cancelAll",
    () => caller.orders.cancelAll as Procedure,
    fc.oneof(fc.record({ symbol: fc.constantFrom("ZZZZ", "aapl", ""), accountId: fc.string() }, { requiredKeys: [] }), fc.anything()),
  ],
  ["orders.get", () => caller.orders.get as Procedure, fc.anything()],
  [
    "orders.list",
    () => caller.orders.list as Procedure,
    fc.oneof(fc.record({ limit: fc.integer(), symbol: fc.string(), cursor: fc.string() }, { requiredKeys: [] }), fc.anything()),
  ],
  [
    "risk.limits.set",
    () => caller.risk.limits.set as Procedure,
    fc.oneof(
      fc.record({
        scope: fc.constantFrom("default", "account:ACC-BETA", "bogus"),
        limits: fc.record({ maxOrderQty: decimalish, maxOpenOrders: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }),
      }),
      fc.anything(),
    ),
  ],
];

describe("fuzzing the public procedures", () => {
  it.each(procedures)("%s answers every input with a result or a typed client error", async (_name, procedure, input) => {
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        await h.engine?.journal.durable();
        const before = await journalCount(h.pool);
        const result = await outcome(() => procedure()(value));
        expect(result === "ok" || CLIENT_ERRORS.includes(result), `answered ${result}`).toBe(true);
        if (result === "BAD_REQUEST") {
          await h.engine?.journal.durable();
          expect(await journalCount(h.pool)).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
