import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ChainHead, checkDigest, loadOrCreateDigestKey, parseDigest, signDigest } from "./digest";

// The signed digest of the chain head: signed with a key made on first use, verified with the exported
// public key against the journal's event at its seq; any change to the digest, the key or the event fails.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fillmore-digest-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const head: ChainHead = { seq: 4711, hash: "ab".repeat(32), ts: "2026-03-02T20:59:59.123456Z" };
const boundary = "2026-03-02T21:00:00.000Z";

describe("chain digest", () => {
  const key = loadOrCreateDigestKey(path.join(dir, "keys", "digest-ed25519.pem"));
  const digest = signDigest(key, head, boundary, "2026-03-02T21:00:01.000Z");

  it("the key is made on first use, private 0600, its public key exported beside it, and read back the same", () => {
    expect(fs.statSync(key.file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(key.publicFile, "utf8")).toBe(key.publicKeyPem);
    expect(key.publicFile).toBe(path.join(dir, "keys", "digest-ed25519.pub.pem"));
    expect(loadOrCreateDigestKey(key.file).publicKeyPem).toBe(key.publicKeyPem);
  });

  it("a digest written to a file verifies against the journal's event at its seq", () => {
    const parsed = parseDigest(JSON.stringify(digest, null, 2));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(checkDigest(parsed.digest, key.publicKeyPem, head)).toEqual({ ok: true, digest });
  });

  it("a rewritten journal (another hash at that seq), a deleted event or another stamp fails", () => {
    expect(checkDigest(digest, key.publicKeyPem, { ...head, hash: "cd".repeat(32) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/hash cdcd.*the journal was rewritten/),
    });
    expect(checkDigest(digest, key.publicKeyPem, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/no event seq 4711/) });
    expect(checkDigest(digest, key.publicKeyPem, { ...head, ts: "2026-03-02T20:59:59Z" })).toMatchObject({ ok: false });
  });

  it("a digest edited after signing fails: seq, hash or boundary changed, signature replaced", () => {
    for (const tampered of [
      { ...digest, seq: 4712 },
      { ...digest, hash: "cd".repeat(32) },
      { ...digest, boundary: "2026-03-03T21:00:00.000Z" },
      { ...digest, signature: Buffer.alloc(64, 1).toString("base64") },
    ])
      expect(checkDigest(tampered, key.publicKeyPem, { ...head, seq: tampered.seq, hash: tampered.hash })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/signature does not verify/),
      });
  });

  it("a digest re-signed with another key fails against the trusted public key, even with that key inside it", () => {
    const other = loadOrCreateDigestKey(path.join(dir, "other", "k.pem"));
    const forged = signDigest(other, { ...head, hash: "cd".repeat(32) }, boundary, "2026-03-02T21:00:01.000Z");
    expect(checkDigest(forged, key.publicKeyPem, { ...head, hash: "cd".repeat(32) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/another key/),
    });
  });

  it("a file that is not a digest is refused with the reason", () => {
    expect(parseDigest("nope")).toEqual({ ok: false, reason: "the digest file is not JSON" });
    expect(parseDigest(JSON.stringify({ ...digest, seq: "4711" }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not a chain digest: seq/),
    });
  });
});
