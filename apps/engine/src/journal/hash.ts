import { createHash } from "node:crypto";
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

/** The hash covers every field of the event and its predecessor's hash, so any edit breaks the chain. */
export function hashEvent(prevHash: string, event: AnyEvent): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(event)).digest("hex");
}
