import fs from "node:fs";
import type pg from "pg";
import { verifyJournalIntegrity } from "../journal/integrity";
import { defaultCheckpointFile, readJournalKey } from "../journal/keys";

/** The hash chain's verification, as GET /v1/audit/verify answers it. */
export interface AuditVerifyView {
  ok: boolean;
  /** Events verified (up to the first bad one). */
  checked: number;
  firstBadSeq: number | null;
  reason: string | null;
  keyedFromSeq: number | null;
  checkpoints: number;
}

/**
 * The default check: the key and checkpoints the engine itself was started with (JOURNAL_KEY_FILE and
 * JOURNAL_CHECKPOINT_FILE from the environment, as config.ts reads them); none set: the unkeyed chain.
 * Runs on the audit worker thread (audit-thread.ts), which has a copy of the engine's environment.
 */
export async function verifyWithFiles(pool: pg.Pool, env = process.env): Promise<AuditVerifyView> {
  const keyFile = env.JOURNAL_KEY_FILE;
  const key = keyFile && fs.existsSync(keyFile) ? readJournalKey(keyFile) : undefined;
  const checkpointFile = keyFile ? (env.JOURNAL_CHECKPOINT_FILE ?? defaultCheckpointFile(keyFile)) : undefined;
  const result = await verifyJournalIntegrity(pool, { key, checkpointFile });
  return {
    ok: result.ok,
    checked: result.verify.events,
    firstBadSeq: result.firstBadSeq,
    reason: result.reason,
    keyedFromSeq: result.verify.keyedFromSeq,
    checkpoints: result.checkpoints.length,
  };
}
