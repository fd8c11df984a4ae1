import type { Principal } from "./auth";

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
    if (credential !== null) this.entries.delete(credential);
    this.forgotten();
  }

  /** A revoked API key stops working at once, on this server. */
  forgetApiKey(keyId: string): void {
    for (const [credential, entry] of this.entries)
      if (entry.principal?.kind === "apiKey" && entry.principal.id === keyId) this.entries.delete(credential);
    this.forgotten();
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
