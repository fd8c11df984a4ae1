import { createHash, createHmac } from "node:crypto";
import type { AnyEvent } from "@fillmore/shared";

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every depth, so a jsonb round trip hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * The legacy, unkeyed link: SHA-256 over the predecessor's hash and the event. Anyone who can
 * write the table can recompute it, so it only catches naive edits. Journals written before the
 * chain was keyed use it up to their `JOURNAL_KEYED` marker.
 */
export function hashEvent(prevHash: string, event: AnyEvent): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(event)).digest("hex");
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
