import type { Order } from "@fillmore/shared";

/**
 * The `quality` routing policy: venues scored by what their recent executions cost, measured in the
 * execution_metrics projection (quality/venue-scores.ts refreshes the figures every few seconds).
 *
 *   expected cost (bps) = arrival slippage (notional-weighted, + cost)
 *                       + fees (the venue's routing fee, bps)
 *                       + reject rate × REJECT_PENALTY_BPS   (a reject costs a re-route and the move meanwhile)
 *                       + ack p99 (ms) × LATENCY_PENALTY_BPS_PER_MS
 *   score = −expected cost (higher is better; ties are broken by the router as for other policies).
 *
 * Slippage is the venue's figure for the order's symbol when it has at least MIN_SAMPLES orders with a
 * benchmark there, else the venue's figure over every symbol, else the mean of the venues that have
 * one (so a venue without history is neither favoured nor shunned, and gets flow to measure).
 */
export const MIN_SAMPLES = 30;
export const REJECT_PENALTY_BPS = 5;
export const LATENCY_PENALTY_BPS_PER_MS = 0.01;

export interface VenueQuality {
  venue: string;
  /** null: over every symbol. */
  symbol: string | null;
  slippageBps: number | null;
  slippageN: number;
  /** Rejects ÷ orders sent, 0..1. */
  rejectRate: number | null;
  sent: number;
  ackP99Ms: number | null;
}

export class QualityScores {
  private bySymbol = new Map<string, VenueQuality>();
  private byVenue = new Map<string, VenueQuality>();
  private prior: number | null = null;
  /** When the figures were last replaced (epoch ms); 0: never. */
  asOfMs = 0;
  /** Scores given since start: the figures are refreshed only while something reads them (venue-scores.ts). */
  reads = 0;

  /** Replaces the figures (one row per venue with symbol null, and per venue × symbol). */
  set(rows: readonly VenueQuality[], asOfMs: number): void {
    this.bySymbol = new Map(rows.filter((r) => r.symbol !== null).map((r) => [`${r.venue}|${r.symbol}`, r]));
    this.byVenue = new Map(rows.filter((r) => r.symbol === null).map((r) => [r.venue, r]));
    const known = [...this.byVenue.values()].filter((r) => r.slippageBps !== null && r.slippageN >= MIN_SAMPLES);
    this.prior = known.length === 0 ? null : known.reduce((s, r) => s + (r.slippageBps ?? 0), 0) / known.length;
    this.asOfMs = asOfMs;
  }

  /** Expected cost in bps of sending this order to the venue, and what it is made of. */
  expectedCostBps(
    order: Pick<Order, "symbol">,
    venueId: string,
    feeBps: number,
  ): { bps: number; slippageFrom: "symbol" | "venue" | "prior" | "none" } {
    const sym = this.bySymbol.get(`${venueId}|${order.symbol}`);
    const all = this.byVenue.get(venueId);
    let slippage = 0;
    let slippageFrom: "symbol" | "venue" | "prior" | "none" = "none";
    if (sym && sym.slippageBps !== null && sym.slippageN >= MIN_SAMPLES) {
      slippage = sym.slippageBps;
      slippageFrom = "symbol";
    } else if (all && all.slippageBps !== null && all.slippageN >= MIN_SAMPLES) {
      slippage = all.slippageBps;
      slippageFrom = "venue";
    } else if (this.prior !== null) {
      slippage = this.prior;
      slippageFrom = "prior";
    }
    const rejects = all?.rejectRate ?? 0;
    const latency = all?.ackP99Ms ?? 0;
    return { bps: slippage + feeBps + rejects * REJECT_PENALTY_BPS + latency * LATENCY_PENALTY_BPS_PER_MS, slippageFrom };
  }

  /** The router's score (higher is better). */
  score(order: Pick<Order, "symbol">, candidate: { venueId: string; feeBps: string | null }): number {
    this.reads += 1;
    const fee = candidate.feeBps === null ? 0 : Number(candidate.feeBps);
    return -Number(this.expectedCostBps(order, candidate.venueId, fee).bps.toFixed(6));
  }
}

/** The engine's figures, refreshed by the quality component; read by routing/policies.ts. */
export const qualityScores = new QualityScores();
