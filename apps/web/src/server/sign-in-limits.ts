/**
 * Sign-in limits that slow a password guesser without locking out the desk.
 *
 * - Per account: the first `accountFreeFailures` consecutive failures cost nothing; each further one
 *   doubles the wait before that account may try again (1 s, 2 s, 4 s, … up to `maxDelayMs`). A
 *   correct password resets it. Other accounts are not affected.
 * - Per client address: `addressFreeFailures` failures within `addressWindowMs` are free, then the
 *   same doubling, against one address trying many accounts (password spraying). Everyone behind a
 *   reverse proxy may share one address, so an account that has signed in from that address before
 *   is not held by the address limit, only by its own: one person's typos, or an attacker on the
 *   shared address, never block a colleague who has signed in from there.
 *
 * State is kept in memory, bounded; the record of failures is the sign_in_attempt table.
 */
export interface SignInLimitOptions {
  accountFreeFailures: number;
  addressFreeFailures: number;
  addressWindowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long an account is remembered as having signed in from an address. */
  knownForMs: number;
  maxEntries: number;
  now: () => number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimitOptions = {
  accountFreeFailures: 5,
  addressFreeFailures: 30,
  addressWindowMs: 15 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  knownForMs: 30 * 24 * 3600_000,
  maxEntries: 50_000,
  now: Date.now,
};

interface Failures {
  count: number;
  last: number;
}

/** `first`: the first refusal since the last failure, the one worth a row in sign_in_attempt (a flood adds none). */
export type SignInVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; limit: "account" | "address"; first: boolean };

export class SignInLimits {
  private readonly options: SignInLimitOptions;
  private readonly accounts = new Map<string, Failures>();
  private readonly addresses = new Map<string, Failures>();
  /** `<account>|<address>` → when it last signed in from there. */
  private readonly known = new Map<string, number>();
  /** Accounts and addresses refused since their last failure. */
  private readonly refused = new Set<string>();

  constructor(options: Partial<SignInLimitOptions> = {}) {
    this.options = { ...DEFAULT_SIGN_IN_LIMITS, ...options };
  }

  /** Whether an attempt may check its password now; when not, how long to wait. */
  check(account: string, address: string): SignInVerdict {
    const key = normalise(account);
    const accountWait = this.wait(this.accounts.get(key), this.options.accountFreeFailures, Number.POSITIVE_INFINITY);
    if (accountWait > 0) return { allowed: false, retryAfterMs: accountWait, limit: "account", first: this.firstRefusal(`a|${key}`) };
    if (!this.isKnown(key, address)) {
      const addressWait = this.wait(this.addresses.get(address), this.options.addressFreeFailures, this.options.addressWindowMs);
      if (addressWait > 0) return { allowed: false, retryAfterMs: addressWait, limit: "address", first: this.firstRefusal(`i|${address}`) };
    }
    return { allowed: true };
  }

  failed(account: string, address: string): void {
    const now = this.options.now();
    this.refused.delete(`a|${normalise(account)}`);
    this.refused.delete(`i|${address}`);
    this.bump(this.accounts, normalise(account), now, Number.POSITIVE_INFINITY);
    this.bump(this.addresses, address, now, this.options.addressWindowMs);
  }

  succeeded(account: string, address: string): void {
    const key = normalise(account);
    this.accounts.delete(key);
    this.bounded(this.known);
    this.known.set(`${key}|${address}`, this.options.now());
  }

  private firstRefusal(key: string): boolean {
    if (this.refused.has(key)) return false;
    if (this.refused.size >= this.options.maxEntries) this.refused.clear();
    this.refused.add(key);
    return true;
  }

  private isKnown(account: string, address: string): boolean {
    const at = this.known.get(`${account}|${address}`);
    return at !== undefined && this.options.now() - at < this.options.knownForMs;
  }

  private wait(failures: Failures | undefined, free: number, windowMs: number): number {
    if (!failures) return 0;
    const now = this.options.now();
    if (now - failures.last >= windowMs) return 0;
    if (failures.count <= free) return 0;
    const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (failures.count - free - 1));
    return Math.max(0, failures.last + delay - now);
  }

  private bump(map: Map<string, Failures>, key: string, now: number, windowMs: number): void {
    const previous = map.get(key);
    // An address's count starts again after a quiet window; an account's only on success or after the longest wait twice over.
    const stale = previous && (now - previous.last >= windowMs || now - previous.last >= 2 * this.options.maxDelayMs);
    this.bounded(map);
    map.set(key, { count: previous && !stale ? previous.count + 1 : 1, last: now });
  }

  private bounded(map: Map<string, unknown>): void {
    if (map.size < this.options.maxEntries) return;
    // Oldest first (insertion order): drop a tenth.
    let drop = Math.ceil(this.options.maxEntries / 10);
    for (const key of map.keys()) {
      if (drop-- <= 0) break;
      map.delete(key);
    }
  }
}

function normalise(account: string): string {
  return account.trim().toLowerCase();
}
