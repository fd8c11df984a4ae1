import { createHash, createHmac } from "node:crypto";
import type { AnyEvent } from "@fillmore/shared";

export const GENESIS_HASH = "0".repeat(64);

const quotedKeys = new Map<string, string>();

/** A key as JSON, memoised: events use a few dozen distinct keys, and this runs for every event. */
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** JSON with object keys sorted at every depth, so a jsonb round trip hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += canonicalJson(value[i]) ?? "";
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = sortedKeys(object);
  let out = "{";
  let first = true;
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += `${quotedKey(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * The object's keys in UTF-16 code-unit order (what `Array.prototype.sort` does by default, and the
 * order jsonb and the verifier rely on), sorted in place by insertion: objects here have a few dozen
 * keys at most, and the default sort allocated a fifth of the journal's garbage.
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * The legacy, unkeyed link: SHA-256 over the predecessor's hash and the event. Anyone who can
 * write the table can recompute it, so it only catches naive edits. Journals written before the
 * chain was keyed use it up to their `JOURNAL_KEYED` marker.
 */
export function hashEvent(prevHash: string, event: AnyEvent): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(event)).digest("hex");
}

/** A link over an event already in canonical form (`canonicalJson`): the journal serialises once. */
export function chainHashText(key: Buffer | undefined, prevHash: string, canonicalText: string): string {
  return (key ? createHmac("sha256", key) : createHash("sha256")).update(prevHash).update(canonicalText).digest("hex");
}

/**
 * The keyed link: HMAC-SHA256 with a secret kept outside the database, over the predecessor's hash
 * and the event. Without the key an edited event cannot be given a hash that verifies.
 */
export function hmacEvent(key: Buffer, prevHash: string, event: AnyEvent): string {
  return createHmac("sha256", key).update(prevHash).update(canonicalJson(event)).digest("hex");
}

/** The link for an event: keyed when a key is given, the legacy SHA-256 otherwise. */
export function chainHash(key: Buffer | undefined, prevHash: string, event: AnyEvent): string {
  return key ? hmacEvent(key, prevHash, event) : hashEvent(prevHash, event);
}

/** The marker event's alert code: the chain is keyed from this event (included) on. */
export const JOURNAL_KEYED = "JOURNAL_KEYED";

export function isKeyedMarker(event: AnyEvent): boolean {
  return event.type === "AlertRaised" && (event.data as { code?: string }).code === JOURNAL_KEYED;
}
