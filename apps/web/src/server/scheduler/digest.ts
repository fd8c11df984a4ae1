import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The signed daily digest of the journal's chain head: `{seq, hash, ts}` of the newest event, signed
 * with an Ed25519 key that lives outside the database (and outside the repository). A copy kept
 * elsewhere (downloaded, mailed, printed) lets `npm run audit:verify -- --digest <file>` show later
 * that the journal still holds that event with that hash: a rewrite of the whole table, which the
 * chain alone cannot reveal (a rewriter recomputes every link), changes the hash at that seq.
 *
 * Used by the console's scheduler (signing) and the audit:verify CLI (checking); node:crypto only.
 */

/** The journal's head as the digest states it; `ts` in UTC with microseconds, as Postgres keeps it. */
export interface ChainHead {
  seq: number;
  hash: string;
  ts: string;
}

const DIGEST_KIND = "fillmore-chain-digest-v1";

export const chainDigestSchema = z
  .object({
    kind: z.literal(DIGEST_KIND),
    seq: z.number().int().min(0),
    hash: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lower-case hex"),
    ts: z.string().min(1).max(64),
    /** The session boundary the digest was taken at (UTC). */
    boundary: z.iso.datetime(),
    signedAt: z.iso.datetime(),
    /** The signer's public key (SPKI PEM); a verifier checks it against the key it trusts. */
    publicKey: z.string().min(1).max(1000),
    /** Ed25519 over the digest's signed text (signedText), base64. */
    signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, "base64"),
  })
  .strict();
export type ChainDigest = z.output<typeof chainDigestSchema>;

/** The exact bytes signed: the fields in a fixed order, one per line. */
function signedText(d: Omit<ChainDigest, "signature" | "publicKey">): Buffer {
  return Buffer.from([d.kind, d.seq, d.hash, d.ts, d.boundary, d.signedAt].join("\n"), "utf8");
}

/** SQL (both Prisma and pg) for the head at a boundary ($1, the newest event before it), and for the event at a seq, in the digest's shape. */
const HEAD_COLUMNS = `seq::text AS seq, hash, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts`;
export const HEAD_AT_SQL = `SELECT ${HEAD_COLUMNS} FROM journal WHERE ts < $1::timestamptz ORDER BY ts DESC, seq DESC LIMIT 1`;
export const EVENT_AT_SQL = `SELECT ${HEAD_COLUMNS} FROM journal WHERE seq = $1::bigint`;
export const toChainHead = (row: { seq: string; hash: string; ts: string }): ChainHead => ({
  seq: Number(row.seq),
  hash: row.hash,
  ts: row.ts,
});

export interface DigestKey {
  privateKey: KeyObject;
  /** SPKI PEM. */
  publicKeyPem: string;
  file: string;
  publicFile: string;
}

/** Where the public key is written: beside the private key, `<name>.pub.pem`. */
export const publicKeyFileOf = (keyFile: string) => keyFile.replace(/(\.pem)?$/, ".pub.pem");

/**
 * The signing key: read from `file` (PKCS#8 PEM), or made on first use (Ed25519; the file 0600 in a
 * 0700 directory) with its public key beside it.
 */
export function loadOrCreateDigestKey(file: string): DigestKey {
  const publicFile = publicKeyFileOf(file);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync("ed25519");
    const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    try {
      fs.writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another console process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const privateKey = createPrivateKey(fs.readFileSync(file, "utf8"));
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${file} is not an Ed25519 private key`);
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  if (!fs.existsSync(publicFile) || fs.readFileSync(publicFile, "utf8") !== publicKeyPem)
    fs.writeFileSync(publicFile, publicKeyPem, { mode: 0o644 });
  return { privateKey, publicKeyPem, file, publicFile };
}

export function signDigest(
  key: Pick<DigestKey, "privateKey" | "publicKeyPem">,
  head: ChainHead,
  boundary: string,
  signedAt: string,
): ChainDigest {
  const body = { kind: DIGEST_KIND, seq: head.seq, hash: head.hash, ts: head.ts, boundary, signedAt } as const;
  return { ...body, publicKey: key.publicKeyPem, signature: sign(null, signedText(body), key.privateKey).toString("base64") };
}

export type DigestCheck = { ok: true; digest: ChainDigest } | { ok: false; reason: string };

/** Parses a digest file's text (a clear reason for anything that is not a digest). */
export function parseDigest(text: string): DigestCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the digest file is not JSON" };
  }
  const parsed = chainDigestSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: `not a chain digest: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
  return { ok: true, digest: parsed.data };
}

/**
 * Checks the signature with the public key the verifier trusts (the exported one, not the copy in
 * the digest: anyone can sign with a key of their own), then the journal's event at the digest's seq.
 */
export function checkDigest(digest: ChainDigest, trustedPublicKeyPem: string, event: ChainHead | null): DigestCheck {
  const trusted = createPublicKey(trustedPublicKeyPem);
  const embedded = createPublicKey(digest.publicKey);
  if (!trusted.equals(embedded)) return { ok: false, reason: "the digest was signed with another key than the trusted public key" };
  let valid = false;
  try {
    valid = verify(null, signedText(digest), trusted, Buffer.from(digest.signature, "base64"));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "the digest's signature does not verify: it was altered after signing" };
  if (!event) return { ok: false, reason: `the journal has no event seq ${digest.seq}: events were deleted or the table replaced` };
  if (event.hash !== digest.hash)
    return {
      ok: false,
      reason: `the journal's event seq ${digest.seq} has hash ${event.hash}, the digest says ${digest.hash}: the journal was rewritten`,
    };
  if (event.ts !== digest.ts)
    return { ok: false, reason: `the journal's event seq ${digest.seq} is stamped ${event.ts}, the digest says ${digest.ts}` };
  return { ok: true, digest };
}
