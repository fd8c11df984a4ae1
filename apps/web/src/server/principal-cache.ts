import { createHash } from "node:crypto";
import type { Principal } from "./auth";

/**
 * What one console process tells the others when a credential ends (scale-out, over the socket.io
 * adapter): never the credential itself, only its SHA-256 or the API key's id.
 */
export interface ForgetNotice {
  credentialHash?: string;
  keyId?: string;
  /** A user disabled or given another role (users.ts): every credential of theirs. */
  userId?: string;
}

const hashCredential = (credential: string) => createHash("sha256").update(credential).digest("hex");

/**
 * Who a credential (session cookie or API key) belongs to, remembered for a few seconds so that a
 * burst of requests does not look the same session up in the database each time: under load that
 * lookup, not the order, was most of a request's time. The price is that a session ended or a role
 * changed elsewhere takes effect within `ttlMs` rather than at once; signing out or revoking a key
 * through this server takes effect at once.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal | null; expires: number }>();
  private readonly forgetListeners = new Set<() => void>();
  private readonly noticeListeners = new Set<(notice: ForgetNotice) => void>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(credential: string | null, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    if (credential === null) return lookup();
    const hit = this.entries.get(credential);
    if (hit && hit.expires > this.now()) return hit.principal;
    const principal = await lookup();
    // A refusal is not remembered: a user who just signed in must not wait for it to expire.
    if (principal === null) {
      this.entries.delete(credential);
      return null;
    }
    if (this.entries.size >= this.maxEntries) this.evictExpired();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(credential, { principal, expires: this.now() + this.ttlMs });
    return principal;
  }

  forget(credential: string | null): void {
    if (credential !== null) {
      this.entries.delete(credential);
      this.notify({ credentialHash: hashCredential(credential) });
    }
    this.forgotten();
  }

  /** A revoked API key stops working at once, on this server (and, told through `onNotice`, on the others). */
  forgetApiKey(keyId: string): void {
    this.dropApiKey(keyId);
    this.notify({ keyId });
    this.forgotten();
  }

  /** A user disabled or given another role stops holding their old access at once, here and (through `onNotice`) on the others. */
  forgetUser(userId: string): void {
    this.dropUser(userId);
    this.notify({ userId });
    this.forgotten();
  }

  /** Another console process forgot a credential: forget it here too, without telling anyone again. */
  applyNotice(notice: ForgetNotice): void {
    if (notice.keyId !== undefined) this.dropApiKey(notice.keyId);
    if (notice.userId !== undefined) this.dropUser(notice.userId);
    if (notice.credentialHash !== undefined)
      for (const credential of this.entries.keys())
        if (hashCredential(credential) === notice.credentialHash) this.entries.delete(credential);
    this.forgotten();
  }

  /** Called when this process forgets a credential, to tell the other console processes. */
  onNotice(listener: (notice: ForgetNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  private dropApiKey(keyId: string): void {
    for (const [credential, entry] of this.entries)
      if (entry.principal?.kind === "apiKey" && entry.principal.id === keyId) this.entries.delete(credential);
  }

  private dropUser(userId: string): void {
    for (const [credential, entry] of this.entries)
      if (entry.principal?.kind === "user" && entry.principal.id === userId) this.entries.delete(credential);
  }

  private notify(notice: ForgetNotice): void {
    for (const listener of this.noticeListeners) listener(notice);
  }

  /** Called after a credential is forgotten (sign-out, revocation): live connections re-check theirs at once. */
  onForget(listener: () => void): () => void {
    this.forgetListeners.add(listener);
    return () => this.forgetListeners.delete(listener);
  }

  private forgotten(): void {
    for (const listener of this.forgetListeners) listener();
  }

  private evictExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}

/** The credential a request carries: its bearer key, else its session cookie; null if neither. */
export function credentialOf(authorization: string | undefined, cookie: string | undefined): string | null {
  if (authorization?.startsWith("Bearer ")) return authorization;
  const session = cookie
    ?.split(";")
    .map((c) => c.trim())
    .find((c) => /^(__Secure-)?better-auth\.session_token=/.test(c));
  return session ? `cookie:${session}` : null;
}
