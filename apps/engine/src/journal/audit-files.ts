import fs from "node:fs";
import path from "node:path";
import { defaultCheckpointFile, readJournalKey } from "./keys";

/** Where the audit CLIs find the database, the key and the checkpoints (the same defaults as `npm start`). */
export function auditFiles(env: Record<string, string | undefined> = process.env): {
  databaseUrl: string | undefined;
  keyFile: string;
  key: Buffer | undefined;
  checkpointFile: string;
} {
  const dataDir = path.resolve(env.FILLMORE_DATA_DIR ?? ".data");
  const urlFile = path.join(dataDir, "database-url");
  const databaseUrl = env.DATABASE_URL ?? (fs.existsSync(urlFile) ? fs.readFileSync(urlFile, "utf8").trim() : undefined);
  const keyFile = env.JOURNAL_KEY_FILE ?? path.join(dataDir, "journal.key");
  const key = fs.existsSync(keyFile) ? readJournalKey(keyFile) : undefined;
  return { databaseUrl, keyFile, key, checkpointFile: env.JOURNAL_CHECKPOINT_FILE ?? defaultCheckpointFile(keyFile) };
}
