// npm run audit:verify [-- --checkpoints <exported file>] [-- --digest <file> [--public-key <pem>]]:
// checks the hash chain with the key and against the signed checkpoints kept outside the database;
// with --digest, also a signed daily digest of the chain head (the console's scheduler writes them,
// apps/web/src/server/scheduler/digest.ts) against the journal's event at its seq, so a rewrite of
// the whole table shows. Exit 0 intact, 1 broken, 2 usage.
import fs from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { digestKeyFile } from "../../../web/src/server/scheduler/config";
import { checkDigest, EVENT_AT_SQL, parseDigest, publicKeyFileOf, toChainHead } from "../../../web/src/server/scheduler/digest";
import { auditFiles } from "./audit-files";
import { verifyJournalIntegrity } from "./integrity";

const { values } = parseArgs({
  options: { checkpoints: { type: "string" }, digest: { type: "string" }, "public-key": { type: "string" } },
});
const files = auditFiles();
if (!files.databaseUrl) {
  console.error("audit:verify needs DATABASE_URL (npm start writes .data/database-url; FILLMORE_DATA_DIR points elsewhere)");
  process.exit(2);
}
if (!files.key) console.warn(`no journal key at ${files.keyFile} (JOURNAL_KEY_FILE): checking the unkeyed chain only, without checkpoints`);
const checkpointFile = values.checkpoints ?? files.checkpointFile;
const pool = new pg.Pool({ connectionString: files.databaseUrl, max: 1 });
const result = await verifyJournalIntegrity(pool, { key: files.key, checkpointFile });
const digestProblem = values.digest ? await checkDigestFile(values.digest, values["public-key"]) : null;
await pool.end();

/** The digest's check, or null when it holds; the trusted public key is the exported one, not the digest's own copy. */
async function checkDigestFile(file: string, publicKeyFile = publicKeyFileOf(digestKeyFile(process.env))): Promise<string | null> {
  if (!fs.existsSync(file)) return `no digest file ${file}`;
  if (!fs.existsSync(publicKeyFile)) return `no public key ${publicKeyFile} (--public-key <file>)`;
  const parsed = parseDigest(fs.readFileSync(file, "utf8"));
  if (!parsed.ok) return parsed.reason;
  const rows = (await pool.query(EVENT_AT_SQL, [parsed.digest.seq])).rows;
  const checked = checkDigest(parsed.digest, fs.readFileSync(publicKeyFile, "utf8"), rows[0] ? toChainHead(rows[0]) : null);
  if (!checked.ok) return checked.reason;
  console.log(
    `digest verified: seq ${parsed.digest.seq} (${parsed.digest.ts}) has hash ${parsed.digest.hash}, signed at ${parsed.digest.signedAt} with ${publicKeyFile}`,
  );
  return null;
}

if (digestProblem !== null) {
  console.error(`digest BROKEN: ${digestProblem}`);
  process.exitCode = 1;
}

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
