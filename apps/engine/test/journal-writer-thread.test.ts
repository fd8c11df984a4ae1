import type { AnyEvent } from "@fillmore/shared";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { JOURNAL_KEYED } from "../src/journal/hash";
import { Journal } from "../src/journal/journal";
import { verifyJournal } from "../src/journal/verify";
import { type Queryable, WriterThread } from "../src/journal/writer-thread";
import { createLogger } from "../src/log";
import { useFreshPool } from "./fresh-pool";

// The journal's commits run on a worker thread with its own connection (journal/writer-thread.ts):
// what is acknowledged is on record, errors keep their Postgres code, and a worker that dies mid-commit
// costs a retry, not an event.

const db = useFreshPool(2);
const log = createLogger("silent");
const threads: WriterThread[] = [];
afterEach(async () => {
  for (const thread of threads.splice(0)) await thread.stop();
});

async function startWriter(): Promise<WriterThread> {
  const thread = await WriterThread.start({ databaseUrl: db.url, warmStatements: ["SELECT 1 FROM journal WHERE false"] }, log);
  threads.push(thread);
  return thread;
}

const note = (journal: Journal, text: string) =>
  journal.append({ type: "AlertRaised", orderId: null, accountId: null, actor: "test", data: { text } } as unknown as Parameters<
    Journal["append"]
  >[0]).event;

const stored = async (from: number) =>
  (
    await db.pool.query<{ seq: string; payload: AnyEvent; hash: string }>(
      "SELECT seq::text, payload, hash FROM journal WHERE seq >= $1 ORDER BY journal.seq",
      [from],
    )
  ).rows;

describe("journal writer thread", () => {
  it("commits the journal's events through the worker: durable means stored, with their hashes", async () => {
    const journal = await Journal.open(await startWriter(), systemClock, log, { maxBatch: 1000 });
    const hashes = new Map<number, string>();
    journal.onCommit((entries) => {
      for (const entry of entries) hashes.set(entry.event.seq, entry.hash);
    });
    const first = note(journal, "one").seq;
    note(journal, "two");
    const last = note(journal, "three").seq;
    await journal.durable(last);
    const rows = await stored(first);
    expect(rows.map((r) => Number(r.seq))).toEqual([first, first + 1, last]);
    expect(rows.map((r) => (r.payload as unknown as { data: { text: string } }).data.text)).toEqual(["one", "two", "three"]);
    expect(rows.map((r) => r.hash)).toEqual([first, first + 1, last].map((seq) => hashes.get(seq)));
    await journal.close();
  });

  it("links each batch after the last committed one, keyed, on the worker: the stored chain verifies with the key only", async () => {
    const key = Buffer.alloc(32, 7);
    const journal = await Journal.open(await startWriter(), systemClock, log, { maxBatch: 2, key });
    // The earlier tests' events are unkeyed: the marker says the key starts here (as integrity.attach does).
    journal.append({ type: "AlertRaised", orderId: null, accountId: null, actor: "test", data: { code: JOURNAL_KEYED, message: "keyed" } });
    const links: { seq: number; prevHash: string; hash: string }[] = [];
    journal.onCommit((entries) => {
      for (const { event, prevHash, hash } of entries) links.push({ seq: event.seq, prevHash, hash });
    });
    // Six events with batches of at most two: three commits, each chained after the one before.
    let last = 0;
    for (const text of ["a", "b", "c", "d", "e"]) last = note(journal, text).seq;
    await journal.durable(last);
    expect(links.map((l) => l.seq)).toEqual([last - 5, last - 4, last - 3, last - 2, last - 1, last]);
    for (let i = 1; i < links.length; i++) expect(links[i]?.prevHash).toBe(links[i - 1]?.hash);
    const rows = await stored(last - 5);
    expect(rows.map((r) => r.hash)).toEqual(links.map((l) => l.hash));
    expect(await verifyJournal(db.pool, { key })).toMatchObject({ ok: true, lastSeq: last });
    expect(await verifyJournal(db.pool, { key: Buffer.alloc(32, 8) })).toMatchObject({ ok: false });
    await journal.close();
  });

  it("answers a failed statement with Postgres's error code, and goes on serving", async () => {
    const writer = await startWriter();
    const error = await writer.query("INSERT INTO journal (seq) VALUES (NULL)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toBe("23502"); // not_null_violation
    const { rows } = await writer.query<{ n: number }>("SELECT 41 + 1 AS n");
    expect(rows).toEqual([{ n: 42 }]);
  });

  it("starts the worker again when it dies: the commit in hand is retried and nothing is lost", async () => {
    const writer = await startWriter();
    const journal = await Journal.open(writer, systemClock, log, { maxBatch: 1000 });
    const first = note(journal, "before").seq;
    await journal.durable(first);
    // Hold the journal table so the next commit is in the worker's hands when the worker is ended.
    const blocker = await db.pool.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE journal IN EXCLUSIVE MODE");
    const lost = note(journal, "in flight").seq;
    await new Promise((r) => setTimeout(r, 100));
    await writer.thread?.terminate();
    await blocker.query("ROLLBACK");
    blocker.release();
    const after = note(journal, "after").seq;
    await journal.durable(after);
    expect(writer.restarts).toBe(1);
    const rows = await stored(first);
    expect(rows.map((r) => Number(r.seq))).toEqual([first, lost, after]);
    await journal.close();
  });

  it("fails to start, with the connection's error, when Postgres cannot be reached", async () => {
    const start = WriterThread.start({ databaseUrl: "postgres://nobody:nothing@127.0.0.1:1/none", warmStatements: [] }, log);
    await expect(start).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it("refuses statements once stopped", async () => {
    const writer = await startWriter();
    await writer.stop();
    await expect(writer.query("SELECT 1")).rejects.toThrow(/stopped/);
  });
});

describe("a journal commit whose answer is lost", () => {
  /** The database, except that the first `failures` journal inserts commit and then report an error. */
  const losingAnswers = (failures: number): Queryable => ({
    async query(text: string, values?: unknown[]) {
      const result = await db.pool.query(text, values);
      if (text.includes("INSERT INTO journal") && failures-- > 0) throw new Error("connection lost after commit");
      return result;
    },
  });

  it("is recognised as committed on the retry: no duplicate, no retry for ever, later events follow", async () => {
    const journal = await Journal.open(losingAnswers(1), systemClock, log, { maxBatch: 1000 });
    const first = note(journal, "answer lost").seq;
    await journal.durable(first);
    const next = note(journal, "next").seq;
    await journal.durable(next);
    expect((await stored(first)).map((r) => Number(r.seq))).toEqual([first, next]);
    expect(journal.stats().healthy).toBe(true);
    await journal.close();
  });

  it("keeps failing, loudly, when another writer's event sits at its seq", async () => {
    let discard = false; // at the end: the journal's statements go nowhere, so it can be closed
    const database: Queryable = {
      async query(text: string, values?: unknown[]) {
        return discard ? { rows: [] } : ((await db.pool.query(text, values)) as { rows: never[] });
      },
    };
    const journal = await Journal.open(database, systemClock, log, { maxBatch: 1000 });
    const seq = journal.nextSeq();
    await db.pool.query(
      "INSERT INTO journal (seq, ts, type, actor, payload, prev_hash, hash) VALUES ($1, now(), 'AlertRaised', 'intruder', '{}', 'x', 'not-ours')",
      [seq],
    );
    const event = note(journal, "collides");
    const outcome = await Promise.race([
      journal.durable(event.seq).then(() => "durable"),
      new Promise((r) => setTimeout(r, 500, "pending")),
    ]);
    expect(outcome).toBe("pending");
    expect(journal.stats().healthy).toBe(false);
    expect((await stored(seq)).map((r) => r.hash)).toEqual(["not-ours"]);
    discard = true;
    await journal.close();
  });
});
