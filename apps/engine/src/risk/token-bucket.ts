/** A token bucket per key: `rate` tokens per second up to `burst`. Time comes from the caller. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  available(key: string, rate: number, burst: number, nowMs: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return burst;
    return Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * rate);
  }

  take(key: string, rate: number, burst: number, nowMs: number): void {
    this.buckets.set(key, { tokens: this.available(key, rate, burst, nowMs) - 1, at: nowMs });
  }
}
