import type pg from "pg";
import type { Logger } from "../log";
import { appendCheckpoint, type Checkpoint, readCheckpoints, signCheckpoint } from "./checkpoint";
import { JOURNAL_KEYED } from "./hash";
import type { Journal } from "./journal";
import { defaultCheckpointFile, loadOrCreateJournalKey } from "./keys";
import { type VerifyResult, verifyJournal } from "./verify";

export interface IntegrityResult {
  ok: boolean;
  /** The first sequence number that does not verify (null when ok, or when only the checkpoint file is bad). */
  firstBadSeq: number | null;
  reason: string | null;
}

export interface IntegrityOptions {
  /** JOURNAL_KEY_FILE: the chain key, made at first start. Unset: the legacy unkeyed chain, no checkpoints. */
  JOURNAL_KEY_FILE?: string;
  /** JOURNAL_CHECKPOINT_FILE: signed checkpoints, JSON lines; default next to the key file. */
  JOURNAL_CHECKPOINT_FILE?: string;
  JOURNAL_CHECKPOINT_INTERVAL_MS: number;
}

export interface VerifiedJournal extends IntegrityResult {
  verify: VerifyResult;
  checkpoints: Checkpoint[];
  checkpointFileExists: boolean;
}

/** Checks the journal against the key and every signed checkpoint (the start-up check and `audit:verify`). */
export async function verifyJournalIntegrity(pool: pg.Pool, options: { key?: Buffer; checkpointFile?: string }): Promise<VerifiedJournal> {
  const file = options.key && options.checkpointFile ? readCheckpoints(options.checkpointFile, options.key) : undefined;
  const checkpoints = file?.checkpoints ?? [];
  const verify = await verifyJournal(pool, { key: options.key, checkpoints });
  const base = { verify, checkpoints, checkpointFileExists: file?.exists ?? false };
  if (!verify.ok) return { ...base, ok: false, firstBadSeq: verify.seq, reason: verify.problem };
  if (file && !file.ok)
    return {
      ...base,
      ok: false,
      firstBadSeq: null,
      reason: `checkpoint file ${options.checkpointFile} line ${file.line}: ${file.problem}`,
    };
  return { ...base, ok: true, firstBadSeq: null, reason: null };
}

export interface JournalIntegrity extends IntegrityResult {
  /** The chain key for Journal.open (undefined: unkeyed). */
  key: Buffer | undefined;
  /**
   * Call right after Journal.open, before anything appends: on a broken chain blocks trading and
   * raises an alert; on a legacy unkeyed journal appends the `JOURNAL_KEYED` marker; then writes
   * signed checkpoints of the committed head every interval.
   */
  attach(journal: Journal): void;
  /** After journal.close(): the final checkpoint of a clean stop. */
  close(): void;
}

/**
 * The engine's start-up check: verifies the whole chain with the key and against the signed
 * checkpoints outside the database, before the journal is replayed and trading opens.
 */
export async function checkJournalIntegrity(pool: pg.Pool, log: Logger, options: IntegrityOptions): Promise<JournalIntegrity> {
  const keyFile = options.JOURNAL_KEY_FILE;
  const checkpointFile = keyFile ? (options.JOURNAL_CHECKPOINT_FILE ?? defaultCheckpointFile(keyFile)) : undefined;
  let key: Buffer | undefined;
  if (keyFile && checkpointFile) {
    const loaded = loadOrCreateJournalKey(keyFile, checkpointFile);
    key = loaded.key;
    if (loaded.created) log.warn({ keyFile }, "journal key created (first start): back it up with the database");
    if (loaded.warning) log.warn(loaded.warning);
  } else {
    log.warn("JOURNAL_KEY_FILE is not set: the journal chain is unkeyed and no checkpoints are written (docs/OPERATIONS.md)");
  }

  const checked = await verifyJournalIntegrity(pool, { key, checkpointFile });
  const { verify } = checked;
  // Where the key starts: known, the first event of an empty journal, or the next event of a legacy one.
  const keyedFromSeq = verify.keyedFromSeq ?? verify.lastSeq + 1;
  const needsMarker = key !== undefined && checked.ok && verify.keyedFromSeq === null && verify.lastSeq > 0;
  if (checked.ok) log.info({ events: verify.events, keyedFromSeq: key ? keyedFromSeq : null }, "journal chain verified");
  else log.error({ firstBadSeq: checked.firstBadSeq, reason: checked.reason }, "journal chain BROKEN: trading stays closed");

  let head = { seq: verify.lastSeq, hash: verify.lastHash };
  let checkpointed = checked.checkpoints.reduce((max, c) => Math.max(max, c.seq), -1);
  let timer: NodeJS.Timeout | undefined;
  const writeCheckpoint = () => {
    if (!key || !checkpointFile || !checked.ok || head.seq <= checkpointed) return;
    try {
      appendCheckpoint(checkpointFile, signCheckpoint(key, { seq: head.seq, hash: head.hash, ts: new Date().toISOString(), keyedFromSeq }));
      checkpointed = head.seq;
    } catch (error) {
      log.error({ err: String(error), checkpointFile }, "could not write the journal checkpoint");
    }
  };

  return {
    ok: checked.ok,
    firstBadSeq: checked.firstBadSeq,
    reason: checked.reason,
    key,
    attach(journal) {
      if (!checked.ok) {
        const where = checked.firstBadSeq === null ? "" : ` at seq ${checked.firstBadSeq}`;
        const reason = `journal chain broken${where}: ${checked.reason}`;
        journal.blockTrading(`${reason}; new orders and modifications are refused until the journal is restored or re-sealed`);
        journal.append({
          type: "AlertRaised",
          orderId: null,
          accountId: null,
          actor: "engine",
          data: {
            code: "JOURNAL_CHAIN_BROKEN",
            message: `${reason}. Trading is closed (cancels and reads work); see docs/OPERATIONS.md, "Tamper evidence"`,
          },
        });
        return; // no checkpoint may bless a broken chain
      }
      if (key && checkpointFile && !checked.checkpointFileExists && verify.keyedFromSeq !== null)
        journal.append({
          type: "AlertRaised",
          orderId: null,
          accountId: null,
          actor: "engine",
          data: {
            code: "JOURNAL_CHECKPOINTS_MISSING",
            message: `no checkpoint file at ${checkpointFile}: the keyed chain verifies, but a deleted tail cannot be ruled out before this start`,
          },
        });
      writeCheckpoint(); // anchors where the key starts, before the marker commits
      if (needsMarker) {
        if (journal.nextSeq() !== keyedFromSeq) throw new Error("integrity.attach must run before anything appends to the journal");
        journal.append({
          type: "AlertRaised",
          orderId: null,
          accountId: null,
          actor: "engine",
          data: {
            code: JOURNAL_KEYED,
            message: `hash chain keyed (HMAC-SHA256) from seq ${keyedFromSeq}; seq 1..${keyedFromSeq - 1} keep their unkeyed SHA-256 links, sealed by this event`,
          },
        });
      }
      journal.onCommit((entries) => {
        const last = entries[entries.length - 1];
        if (last) head = { seq: last.event.seq, hash: last.hash };
      });
      if (key) {
        timer = setInterval(writeCheckpoint, options.JOURNAL_CHECKPOINT_INTERVAL_MS);
        timer.unref();
        // A stop that cannot finish (the database went first, and main.ts gives up) still leaves
        // a checkpoint of what was committed: the write is synchronous, so it runs on exit.
        process.once("exit", writeCheckpoint);
      }
    },
    close() {
      if (timer) clearInterval(timer);
      process.off("exit", writeCheckpoint);
      writeCheckpoint();
    },
  };
}
