import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, migrate, migrationsDir, type PrismaClient } from "./index";
import { freshDatabase } from "./testing";

let url: string;
let prisma: PrismaClient;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  cleanup = db.cleanup;
  prisma = createPrisma(url);
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
}, 30_000);

async function sql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe("@fillmore/db", () => {
  it("runs Postgres without zero-filling new WAL segments (a commit-stall source under load)", async () => {
    const { rows } = await sql("SHOW wal_init_zero");
    expect(rows[0]?.wal_init_zero).toBe("off");
  });

  it("migrate is idempotent", async () => {
    await migrate(url);
    await migrate(url);
    const { rows } = await sql("SELECT name FROM pgmigrations");
    expect(rows).toHaveLength(fs.readdirSync(migrationsDir).filter((f) => f.endsWith(".sql")).length);
  });

  it("round-trips the better-auth models", async () => {
    const user = await prisma.authUser.create({ data: { id: "u1", name: "Ada", email: "ada@example.com" } });
    expect(user).toMatchObject({ emailVerified: false, image: null, role: "trader" });
    expect(user.createdAt).toBeInstanceOf(Date);

    const expiresAt = new Date("2030-01-02T03:04:05.678Z");
    await prisma.authSession.create({
      data: { id: "s1", expiresAt, token: "tok", ipAddress: "127.0.0.1", userAgent: "ua", userId: "u1" },
    });
    await prisma.authAccount.create({
      data: {
        id: "a1",
        accountId: "u1",
        providerId: "credential",
        userId: "u1",
        password: "hash",
        accessTokenExpiresAt: expiresAt,
      },
    });
    await prisma.authVerification.create({ data: { id: "v1", identifier: "ada@example.com", value: "x", expiresAt } });

    const loaded = await prisma.authUser.findUnique({
      where: { email: "ada@example.com" },
      include: { sessions: true, accounts: true },
    });
    expect(loaded?.sessions[0]).toMatchObject({ token: "tok", expiresAt, userAgent: "ua" });
    expect(loaded?.accounts[0]).toMatchObject({ providerId: "credential", password: "hash", accessTokenExpiresAt: expiresAt });
    expect(await prisma.authVerification.findUnique({ where: { id: "v1" } })).toMatchObject({ value: "x", expiresAt });

    await prisma.authUser.delete({ where: { id: "u1" } });
    expect(await prisma.authSession.count()).toBe(0);
    expect(await prisma.authAccount.count()).toBe(0);
  });

  it("round-trips the trading models with exact decimals", async () => {
    await prisma.tradingAccount.create({ data: { id: "acc1", name: "Main" } });
    expect((await prisma.tradingAccount.findUnique({ where: { id: "acc1" } }))?.createdAt).toBeInstanceOf(Date);

    await prisma.instrument.create({
      data: { symbol: "ACME", name: "Acme", tickSize: "0.01", lotSize: "1", refPrice: "123.4500" },
    });
    const instrument = await prisma.instrument.findUnique({ where: { symbol: "ACME" } });
    expect(instrument?.tickSize.toString()).toBe("0.01");
    expect(instrument?.refPrice.toString()).toBe("123.45");
    expect(instrument?.tradable).toBe(true);

    await prisma.venue.create({ data: { id: "sim", name: "Simulator", kind: "sim", config: { latencyMs: 5 } } });
    expect(await prisma.venue.findUnique({ where: { id: "sim" } })).toMatchObject({
      config: { latencyMs: 5 },
      enabled: true,
    });
    await expect(prisma.venue.create({ data: { id: "bad", name: "Bad", kind: "nope" } })).rejects.toThrow();

    const now = new Date("2026-01-01T00:00:00.123Z");
    await prisma.order.create({
      data: {
        id: "o1",
        clOrdId: "c1",
        accountId: "acc1",
        symbol: "ACME",
        side: "BUY",
        ordType: "LIMIT",
        timeInForce: "DAY",
        orderQty: "100",
        price: "10.05",
        ordStatus: "NEW",
        cumQty: "0",
        leavesQty: "100",
        createdBy: "u1",
        createdAt: now,
        updatedAt: now,
        lastSeq: 9_007_199_254_740_993n,
      },
    });
    const order = await prisma.order.findUnique({ where: { accountId_clOrdId: { accountId: "acc1", clOrdId: "c1" } } });
    expect(order?.price?.toString()).toBe("10.05");
    expect(order?.stopPx).toBeNull();
    expect(order?.avgPx.toString()).toBe("0");
    expect(order?.lastSeq).toBe(9_007_199_254_740_993n);
    expect(order?.createdAt).toEqual(now);

    await prisma.fill.create({
      data: { execId: "e1", orderId: "o1", venueId: "sim", lastQty: "0.5", lastPx: "10.049999", ts: now },
    });
    const fill = await prisma.fill.findUnique({ where: { execId: "e1" } });
    expect(fill?.lastQty.toString()).toBe("0.5");
    expect(fill?.lastPx.toString()).toBe("10.049999");
    expect(fill).toMatchObject({ parentCopy: false, busted: false, corrected: false, accountId: null, feeLines: [] });

    await prisma.fill.create({
      data: {
        execId: "e2",
        orderId: "o1",
        venueId: "sim",
        lastQty: "100",
        lastPx: "10",
        ts: now,
        accountId: "acc1",
        strategy: "s1",
        symbol: "ACME",
        side: "Buy",
        fees: "1.25",
        currency: "USD",
        feeLines: [{ amount: "1.25", currency: "USD", kind: "commission" }],
        liquidity: "maker",
        seq: 7n,
      },
    });
    await expect(
      prisma.fill.create({ data: { execId: "e3", orderId: "o1", venueId: "sim", lastQty: "1", lastPx: "1", ts: now, liquidity: "both" } }),
    ).rejects.toThrow();
    const fees = await sql("SELECT sum(fees)::text AS f FROM fill WHERE NOT parent_copy AND NOT busted AND account_id = 'acc1'");
    expect(fees.rows[0].f).toBe("1.25");

    await prisma.position.create({
      data: {
        id: "acc1|s1|ACME",
        accountId: "acc1",
        strategy: "s1",
        symbol: "ACME",
        currency: "USD",
        qty: "-150",
        avgPx: "11",
        cost: "-1650",
        realizedAvgCost: "100",
        realizedFifo: "150",
        fees: "3",
        feesByCurrency: { USD: "3" },
        realizedUsdAvgCost: "100",
        realizedUsdFifo: "150",
        feesUsd: "3",
        markPx: "12.5",
        markSource: "mid",
        markTs: now,
        unrealizedAvgCost: "225",
        unrealizedFifo: "175",
        fillCount: 3,
        updatedSeq: 9_007_199_254_740_993n,
        updatedAt: now,
      },
    });
    const position = await prisma.position.findUnique({ where: { id: "acc1|s1|ACME" } });
    expect(position?.qty.toString()).toBe("-150");
    expect(position?.unrealizedUsdFifo).toBeNull();
    expect(position?.updatedSeq).toBe(9_007_199_254_740_993n);
    // one row per account x strategy x symbol, the null strategy included
    await sql(
      "INSERT INTO position (id, account_id, strategy, symbol, currency, qty, avg_px, cost, realized_avg_cost, realized_fifo, fees, realized_usd_avg_cost, realized_usd_fifo, fees_usd, fill_count, updated_seq, updated_at) VALUES ('x1', 'acc1', NULL, 'ACME', 'USD', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, now())",
    );
    await expect(
      sql(
        "INSERT INTO position (id, account_id, strategy, symbol, currency, qty, avg_px, cost, realized_avg_cost, realized_fifo, fees, realized_usd_avg_cost, realized_usd_fifo, fees_usd, fill_count, updated_seq, updated_at) VALUES ('x2', 'acc1', NULL, 'ACME', 'USD', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, now())",
      ),
    ).rejects.toThrow(/position_key_idx/);
  });

  it("round-trips API keys with their account list", async () => {
    const key = await prisma.apiKey.create({
      data: {
        id: "k1",
        name: "bot",
        prefix: "abcd1234",
        keyHash: "f".repeat(64),
        role: "trader",
        accountIds: ["acc1", "acc2"],
        createdBy: "user:a@x",
      },
    });
    expect(key).toMatchObject({ accountIds: ["acc1", "acc2"], revokedAt: null, revokedBy: null, lastUsedAt: null });
    expect(key.createdAt).toBeInstanceOf(Date);
    const all = await prisma.apiKey.create({
      data: { id: "k2", name: "all", prefix: "efgh5678", keyHash: "e".repeat(64), role: "risk", createdBy: "user:a@x" },
    });
    expect(all.accountIds).toEqual([]);

    const revokedAt = new Date("2026-02-03T04:05:06.789Z");
    await prisma.apiKey.update({ where: { id: "k1" }, data: { revokedAt, revokedBy: "user:b@x", lastUsedAt: revokedAt } });
    expect(await prisma.apiKey.findUnique({ where: { keyHash: "f".repeat(64) } })).toMatchObject({
      revokedAt,
      revokedBy: "user:b@x",
      lastUsedAt: revokedAt,
    });
    expect(await prisma.apiKey.findMany({ where: { accountIds: { has: "acc2" } } })).toHaveLength(1);

    await expect(
      prisma.apiKey.create({ data: { id: "k3", name: "x", prefix: "ijkl9012", keyHash: "d".repeat(64), role: "root", createdBy: "u" } }),
    ).rejects.toThrow();
    await expect(
      prisma.apiKey.create({ data: { id: "k4", name: "x", prefix: "abcd1234", keyHash: "c".repeat(64), role: "trader", createdBy: "u" } }),
    ).rejects.toThrow();
  });

  it("journal is append-only", async () => {
    await prisma.journalEvent.create({
      data: {
        seq: 1n,
        ts: new Date(),
        type: "OrderAccepted",
        orderId: "o1",
        accountId: "acc1",
        actor: "u1",
        payload: { qty: "100" },
        prevHash: "0".repeat(64),
        hash: "a".repeat(64),
      },
    });
    const event = await prisma.journalEvent.findUnique({ where: { seq: 1n } });
    expect(event).toMatchObject({ type: "OrderAccepted", payload: { qty: "100" } });

    await expect(prisma.journalEvent.update({ where: { seq: 1n }, data: { type: "X" } })).rejects.toThrow(/append-only/);
    await expect(prisma.journalEvent.delete({ where: { seq: 1n } })).rejects.toThrow(/append-only/);
    await expect(sql("UPDATE journal SET type = type")).rejects.toThrow(/append-only/);
    await expect(sql("DELETE FROM journal")).rejects.toThrow(/append-only/);
    await expect(sql("TRUNCATE journal")).rejects.toThrow(/append-only/);
    expect(await prisma.journalEvent.count()).toBe(1);
  });
});
