import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The checkpoint file next to the key file, when none is configured. */
export function defaultCheckpointFile(keyFile: string): string {
  return path.join(path.dirname(keyFile), "journal-checkpoints.jsonl");
}

/** Writes a new random 256-bit key (hex) to `file`, mode 0600; refuses to overwrite one. */
export function createJournalKey(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  return key;
}

export function readJournalKey(file: string): Buffer {
  const text = fs.readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64,}$/i.test(text)) throw new Error(`journal key file ${file} does not hold a hex key of at least 256 bits`);
  return Buffer.from(text, "hex");
}

export interface LoadedKey {
  key: Buffer;
  created: boolean;
  /** Set when the file can be read by anyone but its owner. */
  warning?: string;
}

/**
 * The chain's key. Made at first start (no key file and no checkpoints yet); a missing key when
 * checkpoints signed with one exist is an error: a new key would make the whole chain unverifiable.
 */
export function loadOrCreateJournalKey(file: string, checkpointFile: string): LoadedKey {
  if (!fs.existsSync(file)) {
    if (fs.existsSync(checkpointFile) && fs.statSync(checkpointFile).size > 0)
      throw new Error(
        `journal key file ${file} is missing, but ${checkpointFile} holds checkpoints signed with a key: restore the key from your backup (docs/OPERATIONS.md)`,
      );
    return { key: createJournalKey(file), created: true };
  }
  const mode = fs.statSync(file).mode & 0o777;
  const warning = mode & 0o077 ? `journal key file ${file} has mode ${mode.toString(8)}: make it 0600` : undefined;
  return { key: readJournalKey(file), created: false, warning };
}
