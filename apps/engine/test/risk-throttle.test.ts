import type { AnyEvent, Order } from "@fillmore/shared";
import { orderFrom } from "@fillmore/shared/testing";
import { describe, expect, it } from "vitest";
import type { Journal } from "../src/journal/journal";
import { createLogger } from "../src/log";
import { OrderCommands } from "../src/orders/commands";
import { CommandError } from "../src/orders/errors";
import { OrderBook } from "../src/orders/order-book";

// The cancel/modify throttle and the bounded refusal journal, with a journal kept in memory and a
// clock the test moves.

function setup(limits: { perSecond: number; burst: number; perWindow: number; windowMs: number }) {
  const events: AnyEvent[] = [];
  const now = { ms: 1_000_000 };
  const clock = { nowMs: () => now.ms, nowIso: () => new Date(now.ms).toISOString(), monoUs: () => now.ms * 1000 };
  const journal = {
    append(draft: object, project?: (e: AnyEvent) => Order) {
      const event = { ...draft, seq: events.length + 1, ts: clock.nowIso(), monoUs: clock.monoUs() } as AnyEvent;
      events.push(event);
      return { event, order: project?.(event) };
    },
    durable: async () => undefined,
    stats: () => ({ healthy: true }),
  } as unknown as Journal;
  const book = new OrderBook(journal, clock, createLogger("silent"), () => undefined);
  const commands = new OrderCommands({
    book,
    ids: {} as never,
    risk: {} as never,
    router: {} as never,
    venues: new Map(),
    held: () => ({}) as never,
    commandThrottle: { perSecond: limits.perSecond, burst: limits.burst },
    refusalJournal: { perWindow: limits.perWindow, windowMs: limits.windowMs },
  });
  // A filled-and-done order: every cancel of it is refused (NOT_CANCELLABLE).
  const pending = orderFrom({ orderQty: "10" }, { orderId: "O1" });
  book.record({ type: "OrderReceived", orderId: "O1", accountId: "ACC-ALPHA", actor: "user:t", data: { order: pending } });
  book.record({ type: "OrderDenied", orderId: "O1", accountId: "ACC-ALPHA", actor: "risk", data: { code: "X", reason: "x" } });
  const of = (type: string, actor?: string) => events.filter((e) => e.type === type && (actor === undefined || e.actor === actor));
  return { commands, now, of };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return (error as CommandError).code;
}

describe("cancels and modifies are throttled per principal; refusals keep the journal bounded", () => {
  it("500 refused cancels in 2 s from one key: RATE_LIMITED past the burst, at most 20 CommandRefused rows, then one summary alert", async () => {
    const { commands, now, of } = setup({ perSecond: 100, burst: 200, perWindow: 20, windowMs: 10_000 });
    const codes: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      now.ms += 4; // 500 in 2 s
      codes.push(await codeOf(commands.cancel("O1", "key:abuser")));
    }
    const rateLimited = codes.filter((c) => c === "RATE_LIMITED").length;
    expect(codes.filter((c) => c === "NOT_CANCELLABLE").length).toBeGreaterThanOrEqual(200);
    expect(rateLimited).toBeGreaterThan(0);
    expect(rateLimited).toBeLessThan(300);
    expect(of("CommandRefused", "key:abuser")).toHaveLength(20);
    expect(of("AlertRaised")).toHaveLength(0);

    // Another principal is neither throttled nor silenced by the abuser.
    expect(await codeOf(commands.cancel("O1", "user:trader@desk"))).toBe("NOT_CANCELLABLE");
    expect(of("CommandRefused", "user:trader@desk")).toHaveLength(1);

    // When the window closes, the 480 refusals not journaled one by one become one alert.
    now.ms += 10_000;
    expect(await codeOf(commands.cancel("O1", "key:abuser"))).toBe("NOT_CANCELLABLE");
    const alerts = of("AlertRaised", "key:abuser");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.data).toMatchObject({
      code: "COMMAND_REFUSALS_SUPPRESSED",
      message: expect.stringContaining("480 more refused commands from key:abuser"),
    });
    expect(of("CommandRefused", "key:abuser")).toHaveLength(21);
  });

  it("journals the summary on its own when the window closes, without a further refusal", async () => {
    const { commands, now, of } = setup({ perSecond: 1000, burst: 1000, perWindow: 2, windowMs: 100 });
    for (let i = 0; i < 5; i += 1) await codeOf(commands.cancel("O1", "key:abuser"));
    expect(of("CommandRefused")).toHaveLength(2);
    now.ms += 100;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(of("AlertRaised", "key:abuser").map((e) => (e.data as { message: string }).message)).toEqual([
      expect.stringContaining("3 more refused commands from key:abuser"),
    ]);
  });

  it("throttles modifies too, with RATE_LIMITED before anything else happens", async () => {
    const { commands, of } = setup({ perSecond: 1, burst: 2, perWindow: 20, windowMs: 10_000 });
    const codes = [];
    for (let i = 0; i < 3; i += 1) codes.push(await codeOf(commands.modify({ orderId: "O1", orderQty: "5" }, "key:abuser")));
    expect(codes).toEqual(["NOT_MODIFIABLE", "NOT_MODIFIABLE", "RATE_LIMITED"]);
    expect(new CommandError("RATE_LIMITED", "slow down").httpStatus).toBe(429);
    expect(of("CommandRefused").map((e) => (e.data as { code: string }).code)).toEqual([
      "NOT_MODIFIABLE",
      "NOT_MODIFIABLE",
      "RATE_LIMITED",
    ]);
  });
});
