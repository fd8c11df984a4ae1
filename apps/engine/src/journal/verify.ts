import type pg from "pg";
import type { Checkpoint } from "./checkpoint";
import { GENESIS_HASH, hashEvent, hmacEvent, isKeyedMarker } from "./hash";
import { readJournal } from "./read";

interface VerifiedHead {
  /** Events verified. */
  events: number;
  /** The last verified event's sequence number and hash (0 and the genesis hash when empty). */
  lastSeq: number;
  lastHash: string;
  /** The first event hashed with the key, or null when no event is (an unkeyed, legacy journal). */
  keyedFromSeq: number | null;
}

export type VerifyResult = ({ ok: true } & VerifiedHead) | ({ ok: false; seq: number; problem: string } & VerifiedHead);

export interface VerifyOptions {
  /** The chain key (JOURNAL_KEY_FILE). Without it, only the unkeyed legacy chain can be checked. */
  key?: Buffer;
  /**
   * Signed checkpoints from outside the database, already signature-checked: the journal must
   * still hold each one's hash at its sequence number and reach the newest one's.
   */
  checkpoints?: readonly Checkpoint[];
}

/**
 * Walks the chain from the first event and reports the first event that does not verify: a gap, a
 * row whose columns differ from its payload, a broken link, an event whose keyed hash (HMAC) does
 * not match, a hash that differs from a signed checkpoint, or a journal that ends before the newest
 * checkpoint (its tail was deleted).
 *
 * Where the chain becomes keyed: the checkpoints say so when there are any; otherwise the first
 * event if it verifies with the key, else the `JOURNAL_KEYED` marker event.
 */
export async function verifyJournal(pool: pg.Pool, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { key } = options;
  const checkpoints = options.checkpoints ?? [];
  const newest = checkpoints.reduce<Checkpoint | undefined>((a, c) => (a && a.seq >= c.seq ? a : c), undefined);
  const expectedAt = new Map<number, Checkpoint>();
  for (const c of checkpoints) if (c.seq > 0) expectedAt.set(c.seq, c);
  let keyedFromSeq: number | null = newest ? newest.keyedFromSeq : null;
  let lastMatched: Checkpoint | undefined;

  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  const head = (): VerifiedHead => ({ events: count, lastSeq: expectedSeq - 1, lastHash: prevHash, keyedFromSeq });
  const fail = (seq: number, problem: string): VerifyResult => ({ ok: false, seq, problem, ...head() });

  for await (const stored of readJournal(pool)) {
    const { event, columns } = stored;
    const seq = columns.seq;
    if (seq !== expectedSeq) return fail(expectedSeq, `sequence gap: expected ${expectedSeq}, found ${seq} (events deleted)`);
    if (event.seq !== seq) return fail(seq, "payload sequence number differs from its row");
    if (
      event.type !== columns.type ||
      event.orderId !== columns.orderId ||
      event.accountId !== columns.accountId ||
      event.actor !== columns.actor
    )
      return fail(seq, "indexed columns differ from the hashed payload");
    if (stored.prevHash !== prevHash) return fail(seq, "prev_hash does not match the previous event's hash");

    if (keyedFromSeq === null && key) {
      // No checkpoint says where the key starts: a journal keyed from its first event, or the marker.
      if ((seq === 1 && hmacEvent(key, prevHash, event) === stored.hash) || isKeyedMarker(event)) keyedFromSeq = seq;
    }
    if (keyedFromSeq === null && !key && isKeyedMarker(event))
      return fail(seq, "the chain is keyed from here: verifying it needs the journal key (JOURNAL_KEY_FILE)");
    const keyed = keyedFromSeq !== null && seq >= keyedFromSeq;
    if (keyed && !key) return fail(seq, "the chain is keyed from here: verifying it needs the journal key (JOURNAL_KEY_FILE)");
    const hash = keyed && key ? hmacEvent(key, prevHash, event) : hashEvent(prevHash, event);
    if (hash !== stored.hash)
      return fail(seq, keyed ? "hash does not match the event's content (keyed HMAC chain)" : "hash does not match the event's content");

    const checkpoint = expectedAt.get(seq);
    if (checkpoint) {
      if (checkpoint.hash !== stored.hash)
        return fail(
          seq,
          `hash differs from the signed checkpoint of ${checkpoint.ts}: the journal was rewritten after seq ${lastMatched?.seq ?? 0} (the last checkpoint it matches)`,
        );
      lastMatched = checkpoint;
    }
    prevHash = hash;
    expectedSeq += 1;
    count += 1;
  }

  if (newest && newest.seq > count)
    return fail(
      count + 1,
      `journal ends at seq ${count} but the checkpoint signed at ${newest.ts} records seq ${newest.seq}: events ${count + 1}..${newest.seq} are missing (tail deleted)`,
    );
  return { ok: true, ...head() };
}
