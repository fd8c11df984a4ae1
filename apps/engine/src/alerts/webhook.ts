import { createHmac, timingSafeEqual } from "node:crypto";
import type { Logger } from "../log";

export const SIGNATURE_HEADER = "x-fillmore-signature";
export const TIMESTAMP_HEADER = "x-fillmore-timestamp";
export const DELIVERY_HEADER = "x-fillmore-delivery";

/**
 * The signature of a webhook body: `sha256=` + hex HMAC-SHA256 under the shared secret of
 * `<timestamp>.<body>` (the timestamp header's value, a dot, the raw body bytes). Signing the
 * timestamp with the body lets a receiver refuse replays: reject a timestamp older than a few
 * minutes, and remember delivery ids it has seen.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** A receiver's check (what docs/OPERATIONS.md shows): the signature matches and the timestamp is within `toleranceS` of now. */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowS - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookOptions {
  url: string;
  secret: string;
  /** Attempts per notification, the first included. */
  maxAttempts: number;
  /** Wait before the 2nd attempt; doubled for each next one, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** One attempt's limit: no answer by then is a failure. */
  timeoutMs: number;
  /** Notifications waiting (retries included) at most; past it a new one is refused (recorded as failed, logged). */
  queueMax: number;
}

export interface WebhookDelivery {
  deliveryId: string;
  alertId: string;
  /** The JSON body, serialized once: every attempt sends the same bytes. */
  body: string;
}

export type AttemptResult =
  | { ok: true; delivery: WebhookDelivery; attempt: number; status: number; ms: number }
  | { ok: false; delivery: WebhookDelivery; attempt: number; error: string; final: boolean; retryInMs: number | null };

/** The wait before attempt `attempt + 1`: backoff × 2^(attempt−1), capped. */
export function backoffAfter(options: Pick<WebhookOptions, "backoffMs" | "maxBackoffMs">, attempt: number): number {
  return Math.min(options.backoffMs * 2 ** (attempt - 1), options.maxBackoffMs);
}

/**
 * Sends alert notifications to one webhook, off the engine's hot path: a bounded queue, a few
 * requests in flight, retries with exponential backoff on timers, every attempt reported to
 * `onAttempt` (the alert centre journals it). Enqueueing never waits.
 */
export class WebhookSender {
  private readonly waiting: { delivery: WebhookDelivery; attempt: number }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private retrying = 0;
  private stopped = false;
  private static readonly CONCURRENCY = 4;

  constructor(
    readonly options: WebhookOptions,
    private readonly onAttempt: (result: AttemptResult) => void,
    private readonly log: Logger,
  ) {}

  /** Queues a notification; false (and nothing sent) when the queue is full or the sender stopped. */
  enqueue(delivery: WebhookDelivery): boolean {
    if (this.stopped || this.pending() >= this.options.queueMax) return false;
    this.waiting.push({ delivery, attempt: 1 });
    this.pump();
    return true;
  }

  /** Notifications not yet done: waiting, in flight, or waiting to be retried. */
  pending(): number {
    return this.waiting.length + this.inFlight.size + this.retrying;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.waiting.length = 0;
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < WebhookSender.CONCURRENCY && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (next) void this.attempt(next.delivery, next.attempt);
    }
  }

  private async attempt(delivery: WebhookDelivery, attempt: number): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const started = performance.now();
    let error: string | null = null;
    let status = 0;
    try {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await fetch(this.options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "fillmore-alerts/1",
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, delivery.body),
          [DELIVERY_HEADER]: delivery.deliveryId,
          "x-fillmore-attempt": String(attempt),
        },
        body: delivery.body,
        signal: controller.signal,
        redirect: "manual",
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error =
        controller.signal.aborted && !this.stopped ? `no answer within ${this.options.timeoutMs} ms` : String((e as Error)?.message ?? e);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (this.stopped) return;
    const ms = Math.round(performance.now() - started);
    if (error === null) {
      this.report({ ok: true, delivery, attempt, status, ms });
    } else {
      const final = attempt >= this.options.maxAttempts;
      const retryInMs = final ? null : backoffAfter(this.options, attempt);
      this.report({ ok: false, delivery, attempt, error, final, retryInMs });
      if (retryInMs !== null) {
        this.retrying += 1;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.retrying -= 1;
          this.waiting.push({ delivery, attempt: attempt + 1 });
          this.pump();
        }, retryInMs);
        timer.unref();
        this.timers.add(timer);
      }
    }
    this.pump();
  }

  private report(result: AttemptResult): void {
    try {
      this.onAttempt(result);
    } catch (e) {
      this.log.error({ err: String(e), deliveryId: result.delivery.deliveryId }, "recording a webhook attempt failed");
    }
  }
}
