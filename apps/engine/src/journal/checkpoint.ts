import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { canonicalJson } from "./hash";

/** A signed statement of the chain's head, kept outside the database. */
export interface Checkpoint {
  seq: number;
  hash: string;
  ts: string;
  /** The first event hashed with the key; earlier ones use the legacy unkeyed SHA-256 link. */
  keyedFromSeq: number;
  sig: string;
}

export type CheckpointBody = Omit<Checkpoint, "sig">;

function signature(key: Buffer, body: CheckpointBody): string {
  const { seq, hash, ts, keyedFromSeq } = body;
  return createHmac("sha256", key).update("fillmore-checkpoint-v1\n").update(canonicalJson({ seq, hash, ts, keyedFromSeq })).digest("hex");
}

export function signCheckpoint(key: Buffer, body: CheckpointBody): Checkpoint {
  return { ...body, sig: signature(key, body) };
}

export function checkpointSignatureValid(key: Buffer, checkpoint: Checkpoint): boolean {
  const expected = Buffer.from(signature(key, checkpoint), "hex");
  const actual = Buffer.from(String(checkpoint.sig), "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Appends one checkpoint as a JSON line (file mode 0600) and syncs it to disk. */
export function appendCheckpoint(file: string, checkpoint: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, "a", 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(checkpoint)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export type CheckpointFile =
  | { ok: true; exists: boolean; checkpoints: Checkpoint[] }
  | { ok: false; exists: true; checkpoints: Checkpoint[]; line: number; problem: string };

/**
 * Reads and checks every checkpoint. A line that does not parse or whose signature fails is a
 * problem (someone edited the file without the key), except a torn last line with no newline
 * (a crash during the write), which is ignored.
 */
export function readCheckpoints(file: string, key: Buffer): CheckpointFile {
  if (!fs.existsSync(file)) return { ok: true, exists: false, checkpoints: [] };
  const text = fs.readFileSync(file, "utf8");
  const lines = text.split("\n");
  const checkpoints: Checkpoint[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? "";
    if (line === "") continue;
    const torn = i === lines.length - 1; // no newline after it
    let parsed: Checkpoint;
    try {
      parsed = JSON.parse(line) as Checkpoint;
    } catch {
      if (torn) break;
      return { ok: false, exists: true, checkpoints, line: i + 1, problem: "line is not JSON" };
    }
    if (
      !Number.isSafeInteger(parsed.seq) ||
      !Number.isSafeInteger(parsed.keyedFromSeq) ||
      typeof parsed.hash !== "string" ||
      typeof parsed.ts !== "string" ||
      !checkpointSignatureValid(key, parsed)
    ) {
      if (torn) break;
      return { ok: false, exists: true, checkpoints, line: i + 1, problem: "signature does not verify with the journal key" };
    }
    checkpoints.push(parsed);
  }
  return { ok: true, exists: true, checkpoints };
}
