import { submitOrderInput } from "@fillmore/shared";
import { beforeEach, expect, it } from "vitest";
import { CommandError } from "../src/orders/errors";
import { createOrderManagerHarness, type OrderManagerHarness } from "./harness";

// Issue 9: a GTD order whose expireTime is already past, or beyond the horizon, is refused at the door.

let h: OrderManagerHarness;
beforeEach(async () => {
  h = await createOrderManagerHarness();
});

const gtd = (expireTime: string) =>
  submitOrderInput.parse({
    clOrdId: `gtd-${expireTime}`,
    accountId: "ACC-1",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Market",
    orderQty: "10",
    timeInForce: "GTD",
    expireTime,
  });

it("refuses a GTD market order whose expireTime is already past: a typed INVALID_INPUT, nothing journaled, nothing sent", async () => {
  const before = (await h.events()).length;
  const past = new Date(Date.now() - 60_000).toISOString();
  const refused = await h.orders.submit(gtd(past), "user:t").catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(CommandError);
  expect(refused).toMatchObject({ code: "INVALID_INPUT" });
  expect(String((refused as Error).message)).toMatch(/past/i);
  expect((await h.events()).length).toBe(before);
  expect(h.venue.requests).toEqual([]);
});

it("refuses a GTD order beyond the maximum horizon (366 days by default) and takes one inside it", async () => {
  const far = new Date(Date.now() + 400 * 86_400_000).toISOString();
  await expect(h.orders.submit(gtd(far), "user:t")).rejects.toMatchObject({ code: "INVALID_INPUT" });
  const soon = new Date(Date.now() + 3_600_000).toISOString();
  const { order } = await h.orders.submit(gtd(soon), "user:t");
  expect(order.ordStatus).not.toBe("Rejected");
});

it("the public schema refuses year 9999 outright", () => {
  expect(() => gtd("9999-12-31T00:00:00.000Z")).toThrow();
});
