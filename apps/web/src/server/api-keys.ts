import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@fillmore/db";
import { isRole, type Role } from "@fillmore/shared";
import type { ApiKeyPrincipal } from "./auth";
import { journalAdminAction } from "./reports/admin-audit";

/**
 * API keys for programs: `fm_<prefix>_<secret>`. The prefix (8 hex characters) is not secret and
 * is what people see in the console; the secret is 32 random bytes in base64url. Only the SHA-256
 * of the whole key is stored (a high-entropy random key needs no slow hash); the key itself is
 * shown once, when it is created.
 */
const KEY_FORMAT = /^fm_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  /** Empty means every account. */
  accountIds: string[];
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  role: string;
  accountIds: string[];
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
}

/** The columns that leave this module: never key_hash. */
const PUBLIC_COLUMNS = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  accountIds: true,
  createdBy: true,
  createdAt: true,
  revokedAt: true,
  revokedBy: true,
  lastUsedAt: true,
} as const;

function view(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: isRole(row.role) ? row.role : "compliance",
    accountIds: row.accountIds,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revokedBy: row.revokedBy,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** Creates a key and returns it with its secret; the secret is not kept and cannot be shown again. */
export async function createApiKey(
  prisma: PrismaClient,
  input: { name: string; role: Role; accountIds: readonly string[] },
  createdBy: string,
): Promise<{ key: ApiKeyView; secret: string }> {
  for (let attempt = 0; ; attempt += 1) {
    const prefix = randomBytes(4).toString("hex");
    const secret = `fm_${prefix}_${randomBytes(32).toString("base64url")}`;
    try {
      const row = await prisma.apiKey.create({
        data: {
          id: `ak_${prefix}`,
          name: input.name,
          prefix,
          keyHash: hashApiKey(secret),
          role: input.role,
          accountIds: [...new Set(input.accountIds)],
          createdBy,
        },
        select: PUBLIC_COLUMNS,
      });
      const key = view(row);
      await journalAdminAction({
        type: "ApiKeyCreated",
        actor: createdBy,
        data: { keyId: key.id, name: key.name, role: key.role, accountIds: key.accountIds },
      });
      return { key, secret };
    } catch (error) {
      // A 32-bit prefix collides rarely; draw again.
      if (isUniqueViolation(error) && attempt < 4) continue;
      throw error;
    }
  }
}

/** Every key, newest first, without hashes. */
export async function listApiKeys(prisma: PrismaClient): Promise<ApiKeyView[]> {
  const rows = await prisma.apiKey.findMany({ select: PUBLIC_COLUMNS, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  return rows.map(view);
}

/** Revokes a key (idempotent: revoking it again keeps the first revocation). Null if there is no such key. */
export async function revokeApiKey(prisma: PrismaClient, id: string, revokedBy: string): Promise<ApiKeyView | null> {
  const { count } = await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(), revokedBy } });
  const row = await prisma.apiKey.findUnique({ where: { id }, select: PUBLIC_COLUMNS });
  // Journaled once, by the revocation that took effect (revoking again changes nothing).
  if (row && count > 0) await journalAdminAction({ type: "ApiKeyRevoked", actor: revokedBy, data: { keyId: row.id, name: row.name } });
  return row ? view(row) : null;
}

/** The token of an `Authorization: Bearer <token>` header, or null when the header is not a bearer one. */
export function bearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1] ?? null;
}

/**
 * The program behind an `Authorization: Bearer fm_…` header, or null for a missing, malformed,
 * unknown or revoked key. Records the use at most once a minute per key.
 */
export async function principalFromApiKey(prisma: PrismaClient, authorization: string | null | undefined): Promise<ApiKeyPrincipal | null> {
  const token = bearerToken(authorization);
  if (!token || !KEY_FORMAT.test(token)) return null;
  const row = await prisma.apiKey.findUnique({ where: { keyHash: hashApiKey(token) } });
  if (!row || row.revokedAt !== null || !isRole(row.role)) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests (or several servers) write once; a failure must not refuse the call.
    await prisma.apiKey
      .updateMany({
        where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }] },
        data: { lastUsedAt: new Date(now) },
      })
      .catch(() => undefined);
  }
  return { kind: "apiKey", id: row.id, name: row.name, role: row.role, accountIds: row.accountIds };
}
