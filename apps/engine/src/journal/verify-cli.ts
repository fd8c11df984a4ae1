// npm run audit:verify [-- --checkpoints <exported file>]: checks the hash chain with the key and
// against the signed checkpoints kept outside the database. Exit 0 intact, 1 broken, 2 usage.
import { parseArgs } from "node:util";
import pg from "pg";
import { auditFiles } from "./audit-files";
import { verifyJournalIntegrity } from "./integrity";

const { values } = parseArgs({ options: { checkpoints: { type: "string" } } });
const files = auditFiles();
if (!files.databaseUrl) {
  console.error("audit:verify needs DATABASE_URL (npm start writes .data/database-url; FILLMORE_DATA_DIR points elsewhere)");
  process.exit(2);
}
if (!files.key) console.warn(`no journal key at ${files.keyFile} (JOURNAL_KEY_FILE): checking the unkeyed chain only, without checkpoints`);
const checkpointFile = values.checkpoints ?? files.checkpointFile;
const pool = new pg.Pool({ connectionString: files.databaseUrl, max: 1 });
const result = await verifyJournalIntegrity(pool, { key: files.key, checkpointFile });
await pool.end();

const { verify } = result;
const newest = result.checkpoints.at(-1);
if (result.ok) {
  const keyed = verify.keyedFromSeq === null ? "unkeyed (legacy SHA-256)" : `keyed (HMAC-SHA256) from seq ${verify.keyedFromSeq}`;
  const anchored = newest
    ? `, matches ${result.checkpoints.length} signed checkpoints (newest: seq ${newest.seq} at ${newest.ts})`
    : files.key
      ? `, NO checkpoints in ${checkpointFile}: a deleted tail cannot be ruled out`
      : "";
  console.log(`journal verified: ${verify.events} events, hash chain intact, ${keyed}${anchored}`);
} else if (result.firstBadSeq !== null) {
  console.error(`journal BROKEN at event seq=${result.firstBadSeq}: ${result.reason} (${verify.events} events verified before it)`);
  process.exit(1);
} else {
  console.error(`journal checkpoints BROKEN: ${result.reason}`);
  process.exit(1);
}
