import type { AnyEvent } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import type { Journal } from "../journal/journal";
import { RiskSettings } from "./risk-settings";
import { RiskSettingsError } from "./settings-validation";

function settings() {
  const appended: unknown[] = [];
  const journal = {
    append: (draft: object) => {
      appended.push(draft);
      return { event: { ...draft, seq: appended.length, ts: "", monoUs: 0 } as unknown as AnyEvent };
    },
    durable: async () => undefined,
  } as unknown as Journal;
  const risk = new RiskSettings(journal, {
    accounts: new Set(["ACC-ALPHA", "ACC-BETA"]),
    instruments: new Map([
      ["AAPL", {}],
      ["MSFT", {}],
    ]),
  });
  return { risk, appended };
}

async function refusal(promise: Promise<unknown>): Promise<RiskSettingsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RiskSettingsError);
  return error as RiskSettingsError;
}

describe("risk settings are validated against reference data; a refusal changes nothing", () => {
  it("refuses limits for an account that does not exist", async () => {
    const { risk, appended } = settings();
    const error = await refusal(risk.setLimits({ scope: "account:ACC-NOPE", limits: { maxOrderQty: "10" } }, "user:risk"));
    expect(error).toMatchObject({ code: "INVALID_INPUT", rule: "UNKNOWN_ACCOUNT", field: "scope", httpStatus: 400 });
    expect(error.message).toContain("ACC-NOPE");
    expect(appended).toEqual([]);
    expect(risk.snapshot().limits).toEqual({});
  });

  it("refuses a negative buyingPower", async () => {
    const { risk, appended } = settings();
    const error = await refusal(risk.setLimits({ scope: "account:ACC-ALPHA", limits: { buyingPower: "-1" } }, "user:risk"));
    expect(error).toMatchObject({ code: "INVALID_INPUT", rule: "INVALID_LIMIT", field: "limits.buyingPower" });
    expect(error.message).toContain("must be zero or more");
    expect(appended).toEqual([]);
    expect(risk.effectiveLimits("ACC-ALPHA").buyingPower).toBe("100000000");
  });

  it("refuses a price collar wider than 100%, which would collar nothing", async () => {
    const { risk } = settings();
    const error = await refusal(risk.setLimits({ scope: "default", limits: { priceCollarPct: "150" } }, "user:risk"));
    expect(error.rule).toBe("INVALID_LIMIT");
  });

  it("refuses a restricted list naming an unknown symbol", async () => {
    const { risk, appended } = settings();
    const error = await refusal(risk.setLimits({ scope: "default", limits: { restrictedSymbols: ["AAPL", "APPL"] } }, "user:risk"));
    expect(error).toMatchObject({ rule: "UNKNOWN_INSTRUMENT", field: "limits.restrictedSymbols" });
    expect(error.message).toContain("APPL");
    expect(appended).toEqual([]);
  });

  it("refuses a trading state for an unknown symbol or account", async () => {
    const { risk, appended } = settings();
    const symbol = await refusal(risk.setTradingState({ scope: "symbol:NOPE", state: "HALTED", reason: "test" }, "user:risk"));
    expect(symbol).toMatchObject({ rule: "UNKNOWN_INSTRUMENT", field: "scope" });
    const account = await refusal(risk.setTradingState({ scope: "account:ACC-NOPE", state: "REDUCING", reason: "test" }, "user:risk"));
    expect(account.rule).toBe("UNKNOWN_ACCOUNT");
    expect(appended).toEqual([]);
    expect(risk.snapshot().tradingStates).toEqual({});
  });

  it("accepts valid settings for known accounts and symbols", async () => {
    const { risk, appended } = settings();
    await risk.setLimits({ scope: "account:ACC-BETA", limits: { buyingPower: "0", restrictedSymbols: ["MSFT"] } }, "user:risk");
    await risk.setTradingState({ scope: "symbol:AAPL", state: "REDUCING", reason: "news" }, "user:risk");
    expect(appended).toHaveLength(2);
    expect(risk.effectiveLimits("ACC-BETA")).toMatchObject({ buyingPower: "0", restrictedSymbols: ["MSFT"] });
    expect(risk.tradingState("ACC-ALPHA", "AAPL")).toBe("REDUCING");
  });

  it("fails closed without reference data", async () => {
    const risk = new RiskSettings({} as Journal);
    const error = await refusal(risk.setLimits({ scope: "default", limits: { maxOrderQty: "1" } }, "user:risk"));
    expect(error).toMatchObject({ code: "ENGINE_UNAVAILABLE", rule: "NO_REFERENCE_DATA" });
  });
});
