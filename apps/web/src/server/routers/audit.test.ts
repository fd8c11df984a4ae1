import { createPrisma, type PrismaClient } from "@fillmore/db";
import type { Order } from "@fillmore/shared";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "../../../../engine/test/harness";
import type { Principal } from "../auth";
import { EngineClient } from "../engine-client";
import type { AuditEvent } from "./audit";
import { appRouter } from "./root";

// audit.* against a real engine and Postgres: the engine journals real orders (routing, fills,
// risk denials, refused commands), the console searches the journal table.

let h: Harness;
let prisma: PrismaClient;
let engine: EngineClient;
let pool: pg.Pool;

const person = (role: Principal["role"]): Principal => ({ kind: "user", id: `u-${role}`, email: `${role}@x.test`, name: role, role });
const boundKey: Principal = { kind: "apiKey", id: "ak-comp-alpha", name: "comp-alpha", role: "compliance", accountIds: ["ACC-ALPHA"] };
const caller = (principal: Principal) => appRouter.createCaller({ principal, engine, prisma });

const orders: Order[] = [];
let denied: Order;
let filled: Order;

async function failure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? "THROWN";
  }
}

beforeAll(async () => {
  h = await createHarness();
  const running = await h.start();
  engine = new EngineClient(running.url, h.config.ENGINE_SERVICE_TOKEN);
  prisma = createPrisma(h.db.url);
  pool = new pg.Pool({ connectionString: h.db.url, max: 1 });
  const trader = caller(person("trader"));
  for (let i = 0; i < 12; i++) {
    const accountId = i % 3 === 0 ? "ACC-BETA" : "ACC-ALPHA";
    const { order } = await trader.orders.submit({
      clOrdId: `AUD-${i}`,
      accountId,
      symbol: i % 2 === 0 ? "AAPL" : "MSFT",
      side: "Buy",
      ordType: "Market",
      orderQty: "10",
      timeInForce: "DAY",
      strategy: i % 4 === 0 ? "S-MOMENTUM" : "S-MEANREV",
    });
    orders.push(order);
  }
  // A risk denial (over the default max order quantity) and a refused command (cancel of a filled order).
  denied = (
    await trader.orders.submit({
      clOrdId: "AUD-BIG",
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Market",
      orderQty: "200000",
      timeInForce: "DAY",
    })
  ).order;
  filled = orders[1] as Order;
  await until(async () => ((await engine.order(filled.orderId)).order.ordStatus === "Filled" ? true : undefined), 10_000);
  expect(await failure(() => trader.orders.cancel({ orderId: filled.orderId }))).not.toBe("ok");
  await running.journal.durable();
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await prisma?.$disconnect();
  await h?.close();
});

async function allPages(principal: Principal, filter: Record<string, unknown>, limit: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: number | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await caller(principal).audit.search({ ...filter, limit, ...(cursor ? { cursor } : {}) });
    events.push(...page.events);
    if (page.nextCursor === null) return events;
    cursor = page.nextCursor;
  }
  throw new Error("paging did not end");
}

describe("audit.search", () => {
  const compliance = person("compliance");

  it("finds an order's events by order id, newest first, with routing and venue reports; states the first page's query time", async () => {
    const order = orders[2] as Order;
    const page = await caller(compliance).audit.search({ orderId: order.orderId });
    const types = page.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["OrderReceived", "RouteDecided", "OrderSubmitted", "OrderAccepted", "OrderFilled"]));
    expect(page.events.every((e) => e.orderId === order.orderId)).toBe(true);
    const seqs = page.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(page.events[0]?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const { rows } = await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM journal");
    const first = await caller(compliance).audit.search({ limit: 50 });
    const again = await caller(compliance).audit.search({ orderId: order.orderId }); // warm: the first call opened the connection
    console.log(
      `audit.search: first page of 50 over ${rows[0]?.n} journal events in ${first.tookMs} ms (unfiltered), ${again.tookMs} ms (by order id, warm)`,
    );
    expect(first.tookMs).toBeLessThan(1000);
  });

  it("filters by client order id, venue order id, strategy, symbol, actor, account, types, text and time", async () => {
    const order = orders[4] as Order;
    const s = caller(compliance).audit;
    const byCl = await s.search({ clOrdId: "AUD-4" });
    expect(new Set(byCl.events.map((e) => e.orderId))).toEqual(new Set([order.orderId]));

    const accepted = byCl.events.find((e) => e.type === "OrderAccepted");
    const venueOrderId = accepted?.data.venueOrderId as string;
    expect(venueOrderId).toBeTruthy();
    const byVenue = await s.search({ venueOrderId });
    expect(new Set(byVenue.events.map((e) => e.orderId))).toEqual(new Set([order.orderId]));

    const byStrategy = await s.search({ strategy: "S-MOMENTUM", types: ["OrderReceived"] });
    expect(byStrategy.events.map((e) => e.orderId).sort()).toEqual(
      orders
        .filter((_, i) => i % 4 === 0)
        .map((o) => o.orderId)
        .sort(),
    );

    const bySymbol = await s.search({ symbol: "MSFT", types: ["OrderReceived"], limit: 200 });
    expect(bySymbol.events.map((e) => e.orderId).sort()).toEqual(
      orders
        .filter((o) => o.symbol === "MSFT")
        .map((o) => o.orderId)
        .sort(),
    );

    const byActor = await s.search({ actor: "user:trader@x.test", limit: 200 });
    expect(byActor.events.length).toBeGreaterThan(0);
    expect(byActor.events.every((e) => e.actor === "user:trader@x.test")).toBe(true);

    const byAccount = await s.search({ accountId: "ACC-BETA", limit: 200 });
    expect(byAccount.events.length).toBeGreaterThan(0);
    expect(byAccount.events.every((e) => e.accountId === "ACC-BETA")).toBe(true);

    const denials = await s.search({ types: ["OrderDenied"] });
    expect(denials.events.map((e) => e.orderId)).toEqual([denied.orderId]);

    const byText = await s.search({ text: "AUD-BIG" });
    expect(byText.events.map((e) => e.orderId)).toContain(denied.orderId);
    // LIKE wildcards match themselves: "%" finds no event text with a literal percent sign by accident.
    expect((await s.search({ text: "AUD_%" })).events).toEqual([]);

    // Up to a fixed newest event: the engine keeps journaling (markouts) meanwhile.
    const all = await allPages(compliance, {}, 200);
    const cursor = (all[0]?.seq ?? 0) + 1;
    const middle = all[Math.floor(all.length / 2)] as AuditEvent;
    const after = await allPages(compliance, { from: middle.ts, cursor }, 200);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((e) => e.ts >= middle.ts)).toBe(true);
    const before = await allPages(compliance, { to: middle.ts, cursor }, 200);
    expect(before.every((e) => e.ts < middle.ts)).toBe(true);
    expect(before.length + after.length).toBe(all.length);
    const between = await allPages(compliance, { from: before[0]?.ts ?? middle.ts, to: middle.ts, cursor }, 200);
    expect(between.every((e) => e.ts < middle.ts && e.ts >= (before[0]?.ts ?? ""))).toBe(true);
    // Outside the journal: nothing, not everything.
    expect((await s.search({ from: "2999-01-01T00:00:00Z" })).events).toEqual([]);
    expect((await s.search({ to: "2000-01-01T00:00:00Z" })).events).toEqual([]);
  });

  it("pages by seq: every event exactly once across pages, in order", async () => {
    const { rows } = await pool.query<{ s: string }>("SELECT seq::text AS s FROM journal ORDER BY journal.seq DESC");
    // From just past the snapshot's newest event: the engine keeps journaling (markouts, venue health) meanwhile.
    const newest = Number(rows[0]?.s);
    const events = await allPages(compliance, { cursor: newest + 1 }, 7);
    expect(events.map((e) => String(e.seq))).toEqual(rows.map((r) => r.s));
    const alpha = await allPages(compliance, { accountId: "ACC-ALPHA" }, 3);
    expect(new Set(alpha.map((e) => e.seq)).size).toBe(alpha.length);
  });

  it("confines a key bound to accounts to its accounts' events", async () => {
    const s = caller(boundKey).audit;
    const events = await allPages(boundKey, {}, 50);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.accountId === "ACC-ALPHA")).toBe(true);
    expect(await failure(() => s.search({ accountId: "ACC-BETA" }))).toBe("FORBIDDEN");
    const beta = orders[0] as Order;
    expect((await s.search({ orderId: beta.orderId })).events).toEqual([]);
    expect(await failure(() => s.orderHistory({ orderId: beta.orderId }))).toBe("NOT_FOUND");
    expect(await failure(() => s.verify())).toBe("FORBIDDEN");
  });

  it("refuses a trader", async () => {
    expect(await failure(() => caller(person("trader")).audit.search({}))).toBe("FORBIDDEN");
    expect(await failure(() => caller(person("trader")).audit.verify())).toBe("FORBIDDEN");
  });
});

describe("audit.orderHistory", () => {
  it("holds the order's whole life: received, routed, venue reports, the refused cancel", async () => {
    const history = await caller(person("compliance")).audit.orderHistory({ orderId: filled.orderId });
    const types = history.events.map((e) => e.type);
    expect(types[0]).toBe("OrderReceived");
    expect(types).toEqual(expect.arrayContaining(["RouteDecided", "OrderSubmitted", "OrderAccepted", "OrderFilled", "CommandRefused"]));
    expect(history.order).toMatchObject({ clOrdId: "AUD-1" });
  });

  it("holds a risk denial", async () => {
    const history = await caller(person("risk")).audit.orderHistory({ orderId: denied.orderId });
    expect(history.events.map((e) => e.type)).toContain("OrderDenied");
  });
});

describe("audit.verify", () => {
  it("verifies the chain, then finds the first event changed behind the journal's back", async () => {
    const compliance = caller(person("compliance"));
    const ok = await compliance.audit.verify();
    expect(ok).toMatchObject({ ok: true, firstBadSeq: null, firstBad: null });
    expect(ok.checked).toBeGreaterThan(20);

    const target = (await compliance.audit.search({ clOrdId: "AUD-3", types: ["OrderReceived"] })).events[0] as AuditEvent;
    // As the table's owner, past the append-only trigger: what an attacker with the database would do.
    await pool.query("ALTER TABLE journal DISABLE TRIGGER journal_no_update_delete");
    await pool.query("UPDATE journal SET payload = jsonb_set(payload, '{data,order,orderQty}', '\"99\"') WHERE seq = $1", [target.seq]);
    await pool.query("ALTER TABLE journal ENABLE TRIGGER journal_no_update_delete");
    const broken = await compliance.audit.verify();
    expect(broken).toMatchObject({ ok: false, firstBadSeq: target.seq });
    expect(broken.reason).toMatch(/hash/);
    expect(broken.firstBad).toMatchObject({ seq: target.seq, type: "OrderReceived" });
  });
});
