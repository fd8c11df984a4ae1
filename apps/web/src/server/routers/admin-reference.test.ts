import { describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import { type EngineClient, EngineError } from "../engine-client";
import { appRouter } from "./root";

// Bad input to the admin reference procedures: a clear BAD_REQUEST naming the field, and the engine
// is never called (nothing changed). The engine's own refusal comes back with its message.

const admin: Principal = { kind: "user", id: "u-admin", email: "admin@x", name: "Admin", role: "admin" } as Principal;

function caller(engineAnswer?: () => Promise<unknown>) {
  const calls: string[] = [];
  const engine = new Proxy(
    {},
    {
      get: (_t, name: string) => async () => {
        calls.push(name);
        return engineAnswer ? engineAnswer() : {};
      },
    },
  ) as unknown as EngineClient;
  return { api: appRouter.createCaller({ principal: admin, engine, prisma: undefined as never }), calls };
}

const REASON = "a reason long enough";

describe("admin reference procedures refuse bad input before the engine", () => {
  it.each([
    [
      "a port given as a string",
      (api: ReturnType<typeof caller>["api"]) =>
        api.admin.venues.upsert({
          venue: {
            id: "QF-OM",
            name: "ordermatch",
            kind: "fix",
            config: { host: "127.0.0.1", port: "5442", beginString: "FIX.4.2", senderCompId: "A", targetCompId: "B" },
          },
          reason: REASON,
        }),
      /port/,
    ],
    [
      "a misspelt setting",
      (api: ReturnType<typeof caller>["api"]) =>
        api.admin.venues.upsert({ venue: { id: "SIM-X", name: "x", kind: "sim", config: { fesBps: 1 } }, reason: REASON }),
      /fesBps/,
    ],
    [
      "a reason too short",
      (api: ReturnType<typeof caller>["api"]) => api.admin.venues.setEnabled({ id: "SIM-FAST", enabled: false, reason: "because" }),
      /at least 10 characters/,
    ],
    [
      "a negative tick",
      (api: ReturnType<typeof caller>["api"]) =>
        api.admin.instruments.upsert({
          instrument: { symbol: "ACME", name: "Acme", tickSize: "-0.01", lotSize: "1", refPrice: "10" },
          reason: REASON,
        }),
      /tickSize must be a positive decimal/,
    ],
    [
      "a lower-case account id",
      (api: ReturnType<typeof caller>["api"]) => api.admin.accounts.upsert({ account: { id: "acc new", name: "New" }, reason: REASON }),
      /account id must be/,
    ],
    [
      "an OsEngine key in the row",
      (api: ReturnType<typeof caller>["api"]) =>
        api.admin.venues.test({
          venue: {
            id: "OSE",
            name: "OsEngine",
            kind: "osengine",
            config: {
              url: "http://localhost:6500",
              apiKeyEnv: "osengine-mcp-default-key",
              connector: "TInvest#0",
              portfolio: "1",
              strategy: "S",
            },
          },
        }),
      /apiKeyEnv is the NAME of an environment variable/,
    ],
  ])("%s", async (_name, call, message) => {
    const { api, calls } = caller();
    await expect(call(api)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    expect(calls).toEqual([]);
  });

  it("passes the engine's refusal on with its message", async () => {
    const { api } = caller(async () => {
      throw new EngineError(404, "NOT_FOUND", "no venue NOPE");
    });
    await expect(api.admin.venues.setEnabled({ id: "NOPE", enabled: true, reason: REASON })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "no venue NOPE",
    });
  });
});
