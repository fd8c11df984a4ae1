import { expect, it } from "vitest";
import { isNewRiskCall } from "./console-server";

it("a lagging console sheds new orders and modifications only: cancels, cancel-all and reads always go through", () => {
  expect(isNewRiskCall("/api/trpc/orders.submit")).toBe(true);
  expect(isNewRiskCall("/api/trpc/orders.modify")).toBe(true);
  expect(isNewRiskCall("/api/trpc/orders.list,orders.submit?batch=1")).toBe(true);
  expect(isNewRiskCall("/api/trpc/orders.cancel")).toBe(false);
  expect(isNewRiskCall("/api/trpc/orders.cancelAll")).toBe(false);
  expect(isNewRiskCall("/api/trpc/orders.list?input=%7B%22q%22%3A%22orders.submit%22%7D")).toBe(false);
  expect(isNewRiskCall("/api/trpc/risk.tradingState.set")).toBe(false);
});
