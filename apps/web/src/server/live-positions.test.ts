import type { PositionChanged, PositionRow, PositionsResponse } from "@fillmore/shared";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Principal } from "./auth";
import { LivePositions } from "./live-positions";

// LivePositions with fake sockets and a fake engine: who gets which rows. The real sockets and the
// engine's stream are exercised in console-server.test.ts.

const row = (accountId: string, qty = "1") => ({ accountId, strategy: null, symbol: "AAPL", qty }) as unknown as PositionRow;
const change = (accountId: string, qty: string, ts = "2026-01-01T00:00:05.000000Z"): PositionChanged => ({
  type: "PositionChanged",
  cause: "fill",
  seq: 1,
  ts,
  row: row(accountId, qty),
});

function fakeEngine(delayMs = 0) {
  const asked: (readonly string[] | undefined)[] = [];
  return {
    asked,
    engine: {
      positionsStreamUrl: "http://127.0.0.1:1/v1/positions/stream", // nothing listens: the stream stays down in these tests
      authHeader: "Bearer x",
      positionBook: async (query: { accountIds?: readonly string[] }) => {
        asked.push(query.accountIds);
        await new Promise((r) => setTimeout(r, delayMs));
        const accounts = query.accountIds ?? ["ACC-ALPHA", "ACC-BETA"];
        return {
          method: "account",
          rows: accounts.map((a) => row(a)),
          byAccount: [],
          byStrategy: [],
          firm: {},
          asOf: "2026-01-01T00:00:01.000000Z",
          seq: 1,
          positions: [],
        } as unknown as PositionsResponse;
      },
    },
  };
}

function fakeSocket(principal: Principal | undefined) {
  const handlers = new Map<string, () => void>();
  const received: { event: string; payload: unknown }[] = [];
  const socket = {
    id: Math.random().toString(36),
    disconnected: false,
    data: { principal, credential: Math.random().toString(36) },
    on: (event: string, handler: () => void) => handlers.set(event, handler),
    emit: (event: string, payload: unknown) => received.push({ event, payload }),
  };
  return {
    socket,
    received,
    send: (event: string) => handlers.get(event)?.(),
    events: (name: string) => received.filter((r) => r.event === name).map((r) => r.payload),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 30));
const bound: Principal = { kind: "apiKey", id: "ak-1", name: "alpha-risk", role: "risk", accountIds: ["ACC-ALPHA"] };
const person: Principal = { kind: "user", id: "u-1", email: "r@x", name: "r", role: "compliance" };

describe("LivePositions", () => {
  it("a key bound to an account gets that account's snapshot and updates only; a person gets every account", async () => {
    const { engine, asked } = fakeEngine();
    const live = new LivePositions(engine, pino({ level: "silent" }));
    const alpha = fakeSocket(bound);
    const everyone = fakeSocket(person);
    for (const s of [alpha, everyone]) {
      live.attach(s.socket as never);
      s.send("positions:subscribe");
    }
    await settle();
    expect(asked).toEqual([["ACC-ALPHA"], undefined]);
    expect((alpha.events("positions:snapshot")[0] as { rows: PositionRow[] }).rows.map((r) => r.accountId)).toEqual(["ACC-ALPHA"]);
    expect((everyone.events("positions:snapshot")[0] as { rows: PositionRow[] }).rows).toHaveLength(2);

    live.publish(change("ACC-BETA", "5"));
    live.publish(change("ACC-ALPHA", "7"));
    expect(alpha.events("positions:update").map((u) => (u as PositionChanged).row.accountId)).toEqual(["ACC-ALPHA"]);
    expect(everyone.events("positions:update").map((u) => (u as PositionChanged).row.accountId)).toEqual(["ACC-BETA", "ACC-ALPHA"]);
    live.stop();
  });

  it("changes during the snapshot follow it when newer, and are dropped when the snapshot has them", async () => {
    const { engine } = fakeEngine(20);
    const live = new LivePositions(engine, pino({ level: "silent" }));
    const s = fakeSocket(person);
    live.attach(s.socket as never);
    s.send("positions:subscribe");
    live.publish(change("ACC-ALPHA", "older", "2026-01-01T00:00:00.500000Z"));
    live.publish(change("ACC-ALPHA", "newer", "2026-01-01T00:00:02.000000Z"));
    expect(s.received).toEqual([]);
    await settle();
    expect(s.received.map((r) => r.event)).toEqual(["positions:snapshot", "positions:update"]);
    expect((s.events("positions:update")[0] as PositionChanged).row.qty).toBe("newer");
    live.stop();
  });

  it("stops the flow when the principal loses risk:read, refuses a socket without one, and drops closed sockets", async () => {
    const { engine } = fakeEngine();
    const live = new LivePositions(engine, pino({ level: "silent" }));
    const anonymous = fakeSocket(undefined);
    live.attach(anonymous.socket as never);
    anonymous.send("positions:subscribe");
    expect(anonymous.events("error:forbidden")).toEqual([{ channel: "positions", message: expect.stringMatching(/risk:read/) }]);

    const s = fakeSocket(person);
    live.attach(s.socket as never);
    s.send("positions:subscribe");
    await settle();
    // A role without risk:read (none today; a cleared principal stands in for it).
    s.socket.data.principal = undefined;
    live.publish(change("ACC-ALPHA", "1"));
    expect(s.events("positions:update")).toEqual([]);
    expect(s.events("error:forbidden")).toHaveLength(1);
    expect(live.subscriberCount).toBe(0);

    const closed = fakeSocket(person);
    live.attach(closed.socket as never);
    closed.send("positions:subscribe");
    await settle();
    closed.socket.disconnected = true;
    live.publish(change("ACC-ALPHA", "1"));
    expect(live.subscriberCount).toBe(0);
    live.stop();
  });
});
