import type pg from "pg";
import { GENESIS_HASH, hashEvent } from "./hash";
import { readJournal } from "./read";

export type VerifyResult = { ok: true; events: number } | { ok: false; events: number; seq: number; problem: string };

/** Walks the hash chain from the first event; reports the first event that does not verify. */
export async function verifyJournal(pool: pg.Pool): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for await (const stored of readJournal(pool)) {
    const { event, columns } = stored;
    const fail = (problem: string): VerifyResult => ({ ok: false, events: count, seq: columns.seq, problem });
    if (columns.seq !== expectedSeq) return fail(`sequence gap: expected ${expectedSeq}`);
    if (event.seq !== columns.seq) return fail("payload sequence number differs from its row");
    if (
      event.type !== columns.type ||
      event.orderId !== columns.orderId ||
      event.accountId !== columns.accountId ||
      event.actor !== columns.actor
    )
      return fail("indexed columns differ from the hashed payload");
    if (stored.prevHash !== prevHash) return fail("prev_hash does not match the previous event's hash");
    const hash = hashEvent(prevHash, event);
    if (hash !== stored.hash) return fail("hash does not match the event's content");
    prevHash = hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, events: count };
}
