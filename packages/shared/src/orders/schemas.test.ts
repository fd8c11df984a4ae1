import { describe, expect, it } from "vitest";
import { type SubmitOrderInput, submitOrderInput } from "./schemas";

const market: SubmitOrderInput = { accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Market", orderQty: "100" };
const limit: SubmitOrderInput = { ...market, side: "Sell", ordType: "Limit", price: "189.55", timeInForce: "GTC", clOrdId: "client-1" };

/** Drops a field, to build inputs with something missing. */
function without(input: SubmitOrderInput, field: keyof SubmitOrderInput): Record<string, unknown> {
  const { [field]: _dropped, ...rest } = input;
  return rest;
}

describe("submitOrderInput", () => {
  it("parses a market order and defaults timeInForce to DAY", () => {
    expect(submitOrderInput.parse(market)).toEqual({ ...market, timeInForce: "DAY" });
  });

  it("parses a limit order", () => {
    expect(submitOrderInput.parse(limit)).toEqual(limit);
  });

  it("parses stop-limit and GTD orders that carry what they need", () => {
    const stopLimit = { ...limit, ordType: "StopLimit", stopPx: "190", timeInForce: "GTD", expireTime: "2025-01-02T21:00:00Z" };
    expect(submitOrderInput.safeParse(stopLimit).success).toBe(true);
  });

  it.each<[string, unknown, string, RegExp]>([
    ["missing accountId", without(market, "accountId"), "accountId", /expected string/],
    ["missing symbol", without(market, "symbol"), "symbol", /expected string/],
    ["missing side", without(market, "side"), "side", /Buy.*Sell/],
    ["missing ordType", without(market, "ordType"), "ordType", /Market.*Limit/],
    ["missing orderQty", without(market, "orderQty"), "orderQty", /expected string/],
    ["zero quantity", { ...market, orderQty: "0" }, "orderQty", /greater than zero/],
    ["negative quantity", { ...market, orderQty: "-5" }, "orderQty", /greater than zero/],
    ["numeric quantity", { ...market, orderQty: 100 }, "orderQty", /expected string/],
    ["exponent quantity", { ...market, orderQty: "1e3" }, "orderQty", /decimal string/],
    ["non-numeric quantity", { ...market, orderQty: "abc" }, "orderQty", /decimal string/],
    ["two decimal points", { ...market, orderQty: "1.2.3" }, "orderQty", /decimal string/],
    ["malformed price", { ...limit, price: "1e3" }, "price", /decimal string/],
    ["zero price", { ...limit, price: "0" }, "price", /greater than zero/],
    ["limit without price", without(limit, "price"), "price", /Limit orders need a limit price/],
    ["market with price", { ...market, price: "10" }, "price", /Market orders take no limit price/],
    ["stop without stopPx", { ...market, ordType: "Stop" }, "stopPx", /Stop orders need a stop price/],
    ["GTD without expireTime", { ...market, timeInForce: "GTD" }, "expireTime", /GTD orders need an expireTime/],
    ["expireTime without GTD", { ...market, expireTime: "2025-01-02T21:00:00Z" }, "expireTime", /only for GTD/],
    ["expireTime not ISO", { ...market, timeInForce: "GTD", expireTime: "tomorrow" }, "expireTime", /datetime/i],
    [
      "GTD expiring in year 9999",
      { ...market, timeInForce: "GTD", expireTime: "9999-12-31T23:59:59Z" },
      "expireTime",
      /more than 10 years ahead/,
    ],
    [
      "GTD expiring on 30 February",
      { ...market, timeInForce: "GTD", expireTime: "2030-02-30T10:00:00Z" },
      "expireTime",
      /(real calendar date|datetime)/i,
    ],
    ["lowercase symbol", { ...market, symbol: "aapl" }, "symbol", /upper-case/],
    ["unknown side", { ...market, side: "buy" }, "side", /Buy.*Sell/],
    ["unknown timeInForce", { ...market, timeInForce: "GTX" }, "timeInForce", /DAY/],
    ["oversized clOrdId", { ...market, clOrdId: "x".repeat(65) }, "clOrdId", /64/],
    ["unknown routing policy", { ...limit, routing: "cheapest" }, "routing", /liquiditySplit/],
    ["routing with a directed venue", { ...limit, routing: "liquiditySplit", venueId: "SIM-FAST" }, "routing", /directed to a venue/],
    ["client id with the split marker", { ...limit, clOrdId: "a#1" }, "clOrdId", /letters, digits/],
    ["clOrdId with spaces", { ...market, clOrdId: "my order" }, "clOrdId", /letters, digits/],
  ])("refuses %s", (_case, input, path, message) => {
    const result = submitOrderInput.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((i) => i.path.join(".") === path);
    expect(issue, `no issue at ${path}: ${JSON.stringify(result.error?.issues)}`).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it("accepts a GTD order expiring within the static bound; past and horizon are the engine's check (checkExpireTime)", () => {
    const nextYear = new Date(Date.now() + 300 * 86_400_000).toISOString();
    expect(submitOrderInput.safeParse({ ...limit, timeInForce: "GTD", expireTime: nextYear }).success).toBe(true);
  });

  it("refuses an unknown extra field and names it", () => {
    const result = submitOrderInput.safeParse({ ...market, quantity: "100" });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ code: "unrecognized_keys", keys: ["quantity"], path: [] })]);
    expect(result.error?.issues[0]?.message).toContain("quantity");
  });
});
