import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshDatabase } from "@fillmore/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH, hashEvent } from "../../../../engine/src/journal/hash";
import { EVENT_AT_SQL, loadOrCreateDigestKey, signDigest, toChainHead } from "./digest";

// `npm run audit:verify -- --digest <file>` end to end: a digest of the head verifies against the journal;
// a rewrite of the whole table (every event changed and re-chained, so the chain alone still verifies)
// and a digest edited after signing both fail with exit 1.

const root = path.resolve(import.meta.dirname, "../../../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fillmore-verify-digest-"));
// One connection (not a pool), ended before the database is dropped: an idle pooled connection could
// still be open when the drop terminates it, and its error would surface as an unhandled one.
let pool: pg.Client;
let url: string;
let cleanup: () => Promise<void>;

/** Writes a valid unkeyed chain of `n` events whose data says `note`, replacing the table as a rewriter with the owner's rights would. */
async function writeChain(n: number, note: string): Promise<void> {
  await pool.query("SET session_replication_role = replica"); // past the append-only trigger (this connection)
  await pool.query("DELETE FROM journal");
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = {
      seq,
      ts: `2026-03-02T1${seq}:00:00.000Z`,
      type: "AlertRaised",
      orderId: null,
      accountId: null,
      actor: null,
      data: { note },
    } as never;
    const hash = hashEvent(prev, event);
    await pool.query(
      "INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash) VALUES ($1, $2, 'AlertRaised', NULL, NULL, NULL, $3, $4, $5)",
      [seq, `2026-03-02T1${seq}:00:00.000Z`, JSON.stringify(event), prev, hash],
    );
    prev = hash;
  }
}

function verifyCli(digestFile: string) {
  const r = spawnSync(process.execPath, ["scripts/run-ts.mjs", "apps/engine/src/journal/verify-cli.ts", "--digest", digestFile], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      DATABASE_URL: url,
      FILLMORE_DATA_DIR: dir,
      JOURNAL_KEY_FILE: path.join(dir, "no-journal.key"),
      DIGEST_KEY_FILE: "",
    },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  cleanup = db.cleanup;
  pool = new pg.Client({ connectionString: url });
  await pool.connect();
  await writeChain(3, "original");
});

afterAll(async () => {
  await pool?.end();
  await cleanup?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("audit:verify --digest", () => {
  it("passes for a digest of the journal; fails once the whole table is rewritten, or the digest edited", async () => {
    const key = loadOrCreateDigestKey(path.join(dir, "digest-ed25519.pem"));
    const head = toChainHead((await pool.query(EVENT_AT_SQL, [3])).rows[0]);
    const file = path.join(dir, "chain-digest.json");
    const digest = signDigest(key, head, "2026-03-02T21:00:00.000Z", "2026-03-02T21:00:01.000Z");
    fs.writeFileSync(file, JSON.stringify(digest));

    const intact = verifyCli(file);
    expect(intact.out).toContain(`digest verified: seq 3 (${head.ts}) has hash ${head.hash}`);
    expect(intact.code).toBe(0);

    const edited = path.join(dir, "edited.json");
    fs.writeFileSync(edited, JSON.stringify({ ...digest, seq: 2 }));
    const tampered = verifyCli(edited);
    expect(tampered.out).toContain("digest BROKEN: the digest's signature does not verify");
    expect(tampered.code).toBe(1);

    await writeChain(3, "rewritten");
    const rewritten = verifyCli(file);
    expect(rewritten.out).toContain("hash chain intact"); // the chain alone cannot tell
    expect(rewritten.out).toMatch(
      /digest BROKEN: the journal's event seq 3 has hash [0-9a-f]{64}, the digest says .*the journal was rewritten/,
    );
    expect(rewritten.code).toBe(1);
  });
});
