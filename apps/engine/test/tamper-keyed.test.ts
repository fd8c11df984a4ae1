// Attacks on the journal by someone holding a database login, and what catches each: the keyed
// chain (HMAC with a key outside the database), the signed checkpoints, the engine's start-up
// check, and the roles the engine and the console log in as.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshRoles, type TestRoles } from "@fillmore/db/testing";
import type { AnyEvent } from "@fillmore/shared";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { readCheckpoints } from "../src/journal/checkpoint";
import { hashEvent, hmacEvent } from "../src/journal/hash";
import { verifyJournalIntegrity } from "../src/journal/integrity";
import { readJournalKey } from "../src/journal/keys";
import { verifyJournal } from "../src/journal/verify";
import { createHarness, type Harness } from "./harness";

interface Keyed {
  h: Harness;
  roles: TestRoles;
  keyFile: string;
  checkpointFile: string;
  dir: string;
}

const opened: Keyed[] = [];
afterEach(async () => {
  for (const k of opened.splice(0)) {
    await k.h.engine?.stop();
    k.h.engine = undefined;
    await k.roles.cleanup();
    await k.h.close();
    fs.rmSync(k.dir, { recursive: true, force: true });
  }
});

/** An engine logged in as the engine role, with its key and checkpoints in a data directory of its own. */
async function keyedEngine(config: Record<string, unknown> = {}): Promise<Keyed> {
  const h = await createHarness();
  const roles = await freshRoles(h.db.url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fillmore-tamper-"));
  const keyed = { h, roles, dir, keyFile: path.join(dir, "journal.key"), checkpointFile: path.join(dir, "journal-checkpoints.jsonl") };
  opened.push(keyed);
  Object.assign(h.config, { DATABASE_URL: roles.engineUrl, JOURNAL_KEY_FILE: keyed.keyFile, ...config });
  return keyed;
}

/** Market orders that fill at once: a few dozen events, among them fills with prices. */
async function trade(h: Harness, orders: number): Promise<void> {
  for (let i = 0; i < orders; i++) {
    const res = await h.api("/v1/orders", {
      body: {
        actor: "user:t",
        order: { accountId: "ACC-ALPHA", symbol: "SPY", side: i % 2 ? "Sell" : "Buy", ordType: "Market", orderQty: "10" },
      },
    });
    expect(res.status).toBeLessThan(300);
  }
  const engine = h.engine;
  if (!engine) throw new Error("no engine");
  await new Promise((r) => setTimeout(r, 50)); // let the zero-latency venue's fills arrive
  await engine.journal.durable();
}

async function stopEngine(h: Harness): Promise<void> {
  await h.engine?.stop();
  h.engine = undefined;
}

async function firstFill(pool: pg.Pool): Promise<{ seq: number; lastPx: string }> {
  const { rows } = await pool.query<{ seq: string; payload: AnyEvent }>(
    "SELECT seq::text AS seq, payload FROM journal WHERE type IN ('OrderFilled', 'OrderPartiallyFilled') ORDER BY seq LIMIT 1",
  );
  const row = rows[0];
  if (!row) throw new Error("no fill journaled");
  return { seq: Number(row.seq), lastPx: (row.payload.data as { lastPx: string }).lastPx };
}

/**
 * The attack, as the database's owner: disable the append-only trigger, change a fill's price,
 * and rewrite every later link with `link` so the chain is consistent again.
 */
async function rewriteFillPrice(pool: pg.Pool, link: (prevHash: string, event: AnyEvent) => string): Promise<number> {
  const fill = await firstFill(pool);
  await pool.query("ALTER TABLE journal DISABLE TRIGGER USER");
  await pool.query(`UPDATE journal SET payload = jsonb_set(payload, '{data,lastPx}', '"0.01"') WHERE seq = $1`, [fill.seq]);
  const { rows } = await pool.query<{ seq: string; payload: AnyEvent; prev_hash: string }>(
    "SELECT seq::text AS seq, payload, prev_hash FROM journal WHERE seq >= $1 ORDER BY seq",
    [fill.seq],
  );
  let prev = rows[0]?.prev_hash ?? "";
  for (const row of rows) {
    const hash = link(prev, row.payload);
    await pool.query("UPDATE journal SET prev_hash = $2, hash = $3 WHERE seq = $1", [row.seq, prev, hash]);
    prev = hash;
  }
  await pool.query("ALTER TABLE journal ENABLE TRIGGER USER");
  return fill.seq;
}

async function verifyAsAuditor(k: Keyed) {
  return verifyJournalIntegrity(k.h.pool, { key: readJournalKey(k.keyFile), checkpointFile: k.checkpointFile });
}

describe("keyed journal chain and signed checkpoints", () => {
  it("makes the key and the checkpoint file (mode 0600) at first start, checkpoints the head at a clean stop, and verifies", async () => {
    const k = await keyedEngine();
    await k.h.start();
    expect((fs.statSync(k.keyFile).mode & 0o777).toString(8)).toBe("600");
    await trade(k.h, 3);
    const lastSeq = k.h.engine?.journal.stats().committedSeq ?? 0;
    await stopEngine(k.h);

    expect((fs.statSync(k.checkpointFile).mode & 0o777).toString(8)).toBe("600");
    const read = readCheckpoints(k.checkpointFile, readJournalKey(k.keyFile));
    expect(read.ok).toBe(true);
    expect(read.checkpoints.at(-1)).toMatchObject({ seq: lastSeq, keyedFromSeq: 1 });
    expect(await verifyAsAuditor(k)).toMatchObject({ ok: true, firstBadSeq: null });

    // Restarting on an intact journal opens for trading.
    await k.h.start();
    expect(k.h.engine?.journal.stats()).toMatchObject({ healthy: true });
    await trade(k.h, 1);
  });

  it("writes a checkpoint of the committed head every interval while running", async () => {
    const k = await keyedEngine({ JOURNAL_CHECKPOINT_INTERVAL_MS: 50 });
    await k.h.start();
    await trade(k.h, 2);
    const committed = k.h.engine?.journal.stats().committedSeq;
    const key = readJournalKey(k.keyFile);
    const deadline = Date.now() + 5000;
    while (readCheckpoints(k.checkpointFile, key).checkpoints.at(-1)?.seq !== committed) {
      if (Date.now() > deadline) throw new Error("no checkpoint of the head while running");
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it("detects a fill's price changed with the trigger disabled and every later hash recomputed with the unkeyed formula", async () => {
    const k = await keyedEngine();
    await k.h.start();
    await trade(k.h, 5);
    await stopEngine(k.h);
    const edited = await rewriteFillPrice(k.h.pool, hashEvent);

    const result = await verifyAsAuditor(k);
    expect(result).toMatchObject({ ok: false, firstBadSeq: edited });
    expect(result.reason).toContain("keyed HMAC chain");
  });

  it("detects the same rewrite by an attacker who knows the HMAC formula but not the key", async () => {
    const k = await keyedEngine();
    await k.h.start();
    await trade(k.h, 5);
    await stopEngine(k.h);
    const guessedKey = randomBytes(32);
    const edited = await rewriteFillPrice(k.h.pool, (prev, event) => hmacEvent(guessedKey, prev, event));

    expect(await verifyAsAuditor(k)).toMatchObject({ ok: false, firstBadSeq: edited });
  });

  it("detects the newest 50 events deleted, by the checkpoint written at the stop", async () => {
    const k = await keyedEngine();
    await k.h.start();
    await trade(k.h, 15);
    const lastSeq = k.h.engine?.journal.stats().committedSeq ?? 0;
    expect(lastSeq).toBeGreaterThan(60);
    await stopEngine(k.h);
    await k.h.pool.query("ALTER TABLE journal DISABLE TRIGGER USER");
    await k.h.pool.query("DELETE FROM journal WHERE seq > $1", [lastSeq - 50]);
    await k.h.pool.query("ALTER TABLE journal ENABLE TRIGGER USER");

    // What is left is a consistent keyed chain: only the checkpoint outside the database shows the loss.
    expect(await verifyJournal(k.h.pool, { key: readJournalKey(k.keyFile) })).toMatchObject({ ok: true });
    const result = await verifyAsAuditor(k);
    expect(result).toMatchObject({ ok: false, firstBadSeq: lastSeq - 49 });
    expect(result.reason).toContain("missing");
  });

  it("starts on a tampered journal closed for trading: new orders refused with the reason, reads served, an alert raised", async () => {
    const k = await keyedEngine();
    await k.h.start();
    await trade(k.h, 5);
    const { json: before } = await k.h.api("/v1/snapshot");
    await stopEngine(k.h);
    const edited = await rewriteFillPrice(k.h.pool, hashEvent);

    await k.h.start();
    const stats = k.h.engine?.journal.stats();
    expect(stats?.healthy).toBe(false);
    expect(stats?.tradingBlocked).toContain(`seq ${edited}`);

    const refused = await k.h.api("/v1/orders", {
      body: { actor: "user:t", order: { accountId: "ACC-ALPHA", symbol: "SPY", side: "Buy", ordType: "Market", orderQty: "10" } },
    });
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe("ENGINE_UNAVAILABLE");

    const snapshot = await k.h.api("/v1/snapshot");
    expect(snapshot.status).toBe(200);
    expect(snapshot.json.orders).toHaveLength(before.orders.length);
    const health = await k.h.api("/health");
    expect(health.status).toBe(503);
    expect(health.json.journal.tradingBlocked).toContain(`seq ${edited}`);

    await k.h.engine?.journal.durable();
    const { rows } = await k.h.pool.query<{ payload: AnyEvent }>(
      "SELECT payload FROM journal WHERE type = 'AlertRaised' AND payload->'data'->>'code' = 'JOURNAL_CHAIN_BROKEN'",
    );
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0]?.payload.data)).toContain(`seq ${edited}`);

    // No checkpoint blesses the broken chain: the next start (and audit:verify) still find it.
    await stopEngine(k.h);
    expect(await verifyAsAuditor(k)).toMatchObject({ ok: false, firstBadSeq: edited });
  });

  it("keys a journal written with the old unkeyed chain from a marker event on, and still verifies it", async () => {
    const k = await keyedEngine({ JOURNAL_KEY_FILE: undefined });
    await k.h.start();
    await trade(k.h, 3);
    const legacyEnd = k.h.engine?.journal.stats().committedSeq ?? 0;
    await stopEngine(k.h);
    expect(await verifyJournal(k.h.pool)).toMatchObject({ ok: true, keyedFromSeq: null });

    k.h.config.JOURNAL_KEY_FILE = k.keyFile;
    await k.h.start();
    expect(k.h.engine?.journal.stats().healthy).toBe(true);
    await trade(k.h, 2);
    await stopEngine(k.h);
    const { rows } = await k.h.pool.query<{ seq: string }>(
      "SELECT seq::text AS seq FROM journal WHERE type = 'AlertRaised' AND payload->'data'->>'code' = 'JOURNAL_KEYED'",
    );
    expect(rows.map((r) => Number(r.seq))).toEqual([legacyEnd + 1]);
    expect(await verifyAsAuditor(k)).toMatchObject({ ok: true });
    expect((await verifyAsAuditor(k)).verify.keyedFromSeq).toBe(legacyEnd + 1);

    // The unkeyed prefix is sealed by the keyed marker: rewriting it is caught at the seal at the latest.
    const edited = await rewriteFillPrice(k.h.pool, hashEvent);
    expect(edited).toBeLessThanOrEqual(legacyEnd);
    const result = await verifyAsAuditor(k);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBeLessThanOrEqual(legacyEnd + 1);
  });
});

describe("database roles", () => {
  async function expectRefused(url: string, statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await expect(client.query(statement)).rejects.toMatchObject({
        code: "42501",
        message: expect.stringMatching(/permission denied|must be owner/),
      });
    } finally {
      await client.end();
    }
  }

  it("the engine's role cannot UPDATE, DELETE or TRUNCATE the journal nor disable or drop its triggers, even with the triggers off", async () => {
    const k = await keyedEngine();
    await k.h.start();
    await trade(k.h, 1); // the engine works as this role: it appends, reads and writes its projections
    await stopEngine(k.h);
    await k.h.pool.query("ALTER TABLE journal DISABLE TRIGGER USER"); // the owner's door, not the engine's
    for (const statement of [
      "UPDATE journal SET payload = payload WHERE seq = 1",
      "DELETE FROM journal WHERE seq = 1",
      "TRUNCATE journal",
      "ALTER TABLE journal DISABLE TRIGGER USER",
      "ALTER TABLE journal ENABLE TRIGGER journal_no_update_delete",
      "DROP TRIGGER journal_no_update_delete ON journal",
      "ALTER TABLE journal OWNER TO CURRENT_USER",
    ])
      await expectRefused(k.roles.engineUrl, statement);
    await expectRefused(k.roles.engineUrl, "CREATE ROLE intruder SUPERUSER");
    await expectRefused(k.roles.engineUrl, "UPDATE auth_user SET role = 'admin'");
    const { rows } = await k.h.pool.query("SELECT count(*)::int AS n FROM journal");
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("the console's role reads the journal and the engine's projections but cannot write or alter them", async () => {
    const k = await keyedEngine();
    for (const statement of [
      "INSERT INTO journal (seq, ts, type, payload, prev_hash, hash) VALUES (999, now(), 'x', '{}', '', '')",
      "UPDATE journal SET hash = hash",
      "DELETE FROM journal",
      "TRUNCATE journal",
      "ALTER TABLE journal DISABLE TRIGGER USER",
      "UPDATE orders SET ord_status = 'Filled'",
    ])
      await expectRefused(k.roles.consoleUrl, statement);
    const client = new pg.Client({ connectionString: k.roles.consoleUrl });
    await client.connect();
    try {
      await client.query("SELECT count(*) FROM journal");
      await client.query("SELECT count(*) FROM orders");
    } finally {
      await client.end();
    }
  });
});
