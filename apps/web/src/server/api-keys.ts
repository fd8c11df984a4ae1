import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@fillmore/db";
import { isRole, type Role } from "@fillmore/shared";
import type { ApiKeyPrincipal } from "./auth";
import { isJournaled, journalOrRefuse } from "./reports/admin-audit";

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

/** How long a key change may wait for its journal event (the engine answers once the event is durable). */
const JOURNAL_TX = { timeout: 15_000 } as const;

/**
 * Creates a key and returns it with its secret; the secret is not kept and cannot be shown again.
 * The row and its ApiKeyCreated event are all-or-nothing: the event is journaled inside the
 * transaction that writes the row, so a journal that cannot be reached leaves no key (NotJournaledError).
 */
export async function createApiKey(
  prisma: PrismaClient,
  input: { name: string; role: Role; accountIds: readonly string[] },
  createdBy: string,
): Promise<{ key: ApiKeyView; secret: string }> {
  for (let attempt = 0; ; attempt += 1) {
    const prefix = randomBytes(4).toString("hex");
    const secret = `fm_${prefix}_${randomBytes(32).toString("base64url")}`;
    try {
      const key = await prisma.$transaction(async (tx) => {
        const row = await tx.apiKey.create({
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
        const created = view(row);
        await journalOrRefuse({
          type: "ApiKeyCreated",
          actor: createdBy,
          data: { keyId: created.id, name: created.name, role: created.role, accountIds: created.accountIds },
        });
        return created;
      }, JOURNAL_TX);
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

/**
 * Revokes a key; null if there is no such key. The revocation and its ApiKeyRevoked event are
 * all-or-nothing (journaled inside the transaction that sets revoked_at: no journal, no revocation,
 * NotJournaledError), and idempotent: revoking a revoked key changes nothing and journals nothing,
 * unless the journal has no revocation of it (a key revoked before revocations were journaled this
 * way): then the revocation on its row is journaled, once, with the actor who made it.
 */
export async function revokeApiKey(prisma: PrismaClient, id: string, revokedBy: string): Promise<ApiKeyView | null> {
  return prisma.$transaction(async (tx) => {
    // One revocation of a key at a time: a second waits here until the first is journaled and committed.
    const locked = await tx.$queryRaw<unknown[]>`SELECT 1 FROM api_key WHERE id = ${id} FOR UPDATE`;
    if (locked.length === 0) return null;
    const { count } = await tx.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(), revokedBy } });
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id }, select: PUBLIC_COLUMNS });
    if (count > 0 || !(await isJournaled(tx, "ApiKeyRevoked", "keyId", id)))
      await journalOrRefuse({
        type: "ApiKeyRevoked",
        actor: count > 0 ? revokedBy : (row.revokedBy ?? revokedBy),
        data: { keyId: row.id, name: row.name },
      });
    return view(row);
  }, JOURNAL_TX);
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
