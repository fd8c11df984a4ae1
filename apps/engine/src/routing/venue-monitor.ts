import type { AnyEvent, VenueHealthView } from "@fillmore/shared";
import type { BrokerAdapter } from "../venues/adapter";
import { DEFAULT_THRESHOLDS, ewma, type HealthState, type HealthStatus, type HealthThresholds, nextHealth } from "./health";

export type { VenueHealthView };

interface VenueStats {
  health: HealthStatus;
  ackEwmaMs: number;
  acks: number[];
  rejectRate: number;
  submissions: number;
  rejects: number;
  sendErrors: number;
  errorRate: number;
  lastChangeAt: string | null;
}

const WINDOW = 500;

/**
 * Watches every venue: connection, acknowledgement latency (EWMA and p99 over the last 500) and
 * reject rate, from journaled events; turns them into UP / DEGRADED / DOWN with hysteresis.
 */
export class VenueMonitor {
  private readonly stats = new Map<string, VenueStats>();
  private readonly submittedAt = new Map<string, { venueId: string; monoUs: number }>();
  private readonly listeners: ((venueId: string, state: HealthState) => void)[] = [];

  constructor(
    private readonly venues: ReadonlyMap<string, BrokerAdapter>,
    private readonly thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
  ) {
    for (const venueId of venues.keys()) this.track(venueId);
  }

  /** Starts watching a venue (one added at runtime: reference/service.ts); a venue already watched keeps its figures. */
  track(venueId: string): void {
    if (this.stats.has(venueId)) return;
    this.stats.set(venueId, {
      health: { state: "UP", candidate: "UP", streak: 0 },
      ackEwmaMs: 0,
      acks: [],
      rejectRate: 0,
      submissions: 0,
      rejects: 0,
      sendErrors: 0,
      errorRate: 0,
      lastChangeAt: null,
    });
  }

  onChange(listener: (venueId: string, state: HealthState) => void): void {
    this.listeners.push(listener);
  }

  observe(event: AnyEvent): void {
    if (event.type === "OrderSubmitted" && event.orderId) {
      this.submittedAt.set(event.orderId, { venueId: event.data.venueId, monoUs: event.monoUs });
      const s = this.stats.get(event.data.venueId);
      if (s) {
        s.submissions += 1;
        s.errorRate = ewma(s.errorRate, 0, 0.05);
      }
      return;
    }
    // The venue's first answer is the acknowledgement: an accept, a reject, or a fill from a venue
    // that fills at once without acknowledging first (QuickFIX executor does).
    const answer = ["OrderAccepted", "OrderRejected", "OrderPartiallyFilled", "OrderFilled"].includes(event.type);
    if (answer && event.orderId) {
      const sent = this.submittedAt.get(event.orderId);
      if (!sent) return;
      this.submittedAt.delete(event.orderId);
      const s = this.stats.get(sent.venueId);
      if (!s) return;
      const rejected = event.type === "OrderRejected";
      s.rejectRate = ewma(s.rejectRate, rejected ? 1 : 0, 0.05);
      if (rejected) s.rejects += 1;
      else {
        const ms = (event.monoUs - sent.monoUs) / 1000;
        s.ackEwmaMs = ewma(s.ackEwmaMs, ms);
        s.acks.push(ms);
        if (s.acks.length > WINDOW) s.acks.shift();
      }
    }
  }

  /** A send to the venue failed (its outcome is then resolved by reconciliation). */
  recordSendError(venueId: string): void {
    const s = this.stats.get(venueId);
    if (!s) return;
    s.sendErrors += 1;
    s.errorRate = ewma(s.errorRate, 1, 0.05);
  }

  /** One health sample per venue; call on a timer (and before routing, cheaply). */
  sample(nowIso: string): void {
    for (const [venueId, s] of this.stats) {
      const connected = this.venues.get(venueId)?.isHealthy() ?? false;
      if (s.health.state === "DOWN" && connected) {
        // Back from an outage with fresh figures: its rejects and late answers meanwhile were the
        // outage's, and a venue kept DEGRADED by them would get no order to prove otherwise
        // (DEGRADED venues are used only when no venue is UP).
        s.ackEwmaMs = 0;
        s.rejectRate = 0;
      }
      const next = nextHealth(s.health, { connected, ackEwmaMs: s.ackEwmaMs, rejectRate: s.rejectRate }, this.thresholds);
      const changed = next.state !== s.health.state;
      if (changed && next.state === "DOWN") this.forgetInFlight(venueId);
      s.health = next;
      if (changed) {
        s.lastChangeAt = nowIso;
        for (const listener of this.listeners) listener(venueId, next.state);
      }
    }
  }

  /** Orders sent before an outage: their answers, if any, would time the outage, not the venue. */
  private forgetInFlight(venueId: string): void {
    for (const [orderId, sent] of this.submittedAt) if (sent.venueId === venueId) this.submittedAt.delete(orderId);
  }

  state(venueId: string): HealthState {
    return this.stats.get(venueId)?.health.state ?? "DOWN";
  }

  ackEwmaMs(venueId: string): number {
    return this.stats.get(venueId)?.ackEwmaMs ?? 0;
  }

  snapshot(rateLimit: (venueId: string) => VenueHealthView["rateLimit"] = () => null): VenueHealthView[] {
    return [...this.stats].map(([venueId, s]) => {
      const sorted = [...s.acks].sort((a, b) => a - b);
      const p99 = sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? null) : null;
      return {
        venueId,
        state: s.health.state,
        connected: this.venues.get(venueId)?.isHealthy() ?? false,
        ackEwmaMs: Number(s.ackEwmaMs.toFixed(3)),
        ackP99Ms: p99 === null ? null : Number(p99.toFixed(3)),
        rejectRate: Number(s.rejectRate.toFixed(4)),
        submissions: s.submissions,
        rejects: s.rejects,
        sendErrors: s.sendErrors,
        errorRate: Number(s.errorRate.toFixed(4)),
        heartbeatAgeMs: this.venues.get(venueId)?.heartbeatAgeMs?.() ?? null,
        rateLimit: rateLimit(venueId),
        lastChangeAt: s.lastChangeAt,
      };
    });
  }
}
