import { type Decimal, venueRowSchema } from "@fillmore/shared";
import type { RandomWalkFeed } from "../marketdata/quotes";
import type { VenueRow } from "../reference";
import type { BrokerAdapter, VenueCapabilities } from "./adapter";
import { parseFixVenueConfig } from "./fix/config";
import { FixVenue } from "./fix/fix-venue";
import { createOsEngineVenue, type OsEngineVenueConfig } from "./osengine/config";
import { RemoteSimVenue } from "./sim/remote-sim-venue";
import { SimVenue } from "./sim/sim-venue";

export interface SimVenueConfig {
  latencyMs?: number;
  partialFillRate?: number;
  jitterMs?: number;
  rejectRate?: number;
  /** Fee charged by the venue, in basis points of notional; the router's lowest-cost policy uses it. */
  feeBps?: number;
  /** Shares shown per price level: the router splits by it and the simulator's fills honour it (a taking order walks the book). */
  depth?: number;
  /** A taking fill lands up to this many bps worse than its book level (the venue's slippage character). */
  slippageBps?: number;
  /** "host:port" of a simulated exchange process; absent means the venue runs inside the engine. */
  remote?: string;
}

export interface VenueDeps {
  feed: RandomWalkFeed;
  lotSize: (symbol: string) => Decimal;
  defaultLatencyMs: number;
}

/** A venue row that could not be built, and why (a bad config): the venue stays out, the engine runs. */
export interface InvalidVenue {
  venueId: string;
  reason: string;
}

/**
 * Checks a venue row with the shared schema (packages/shared reference-data.ts, the one admin
 * changes go through) and builds its adapter. Throws with the reason when the row is bad.
 */
export function createVenue(row: VenueRow, deps: VenueDeps): BrokerAdapter {
  const checked = venueRowSchema.safeParse({ id: row.id, name: row.name, kind: row.kind, config: row.config, enabled: row.enabled });
  if (!checked.success)
    throw new Error(`venue ${row.id}: ${checked.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; ")}`);
  return narrowCapabilities(buildAdapter(row, deps), row.config);
}

function buildAdapter(row: VenueRow, deps: VenueDeps): BrokerAdapter {
  if (row.kind === "osengine") return createOsEngineVenue(row.id, row.config as unknown as OsEngineVenueConfig);
  if (row.kind === "fix") return new FixVenue(row.id, parseFixVenueConfig(row.id, row.config));
  const config = row.config as SimVenueConfig;
  if (config.remote) {
    const [host = "127.0.0.1", port = "0"] = config.remote.split(":");
    return new RemoteSimVenue(row.id, host, Number(port));
  }
  return createSimVenue(row.id, config, deps);
}

/**
 * A row's declared capabilities (`ordTypes`, `timeInForces`, `modify`) narrow what the adapter can
 * take: the router and the order commands read `capabilities`, so a venue is never sent more than
 * both the adapter and its row allow.
 */
export function narrowCapabilities(adapter: BrokerAdapter, config: Record<string, unknown>): BrokerAdapter {
  const own = adapter.capabilities;
  const ordTypes = Array.isArray(config.ordTypes) ? own.ordTypes.filter((t) => (config.ordTypes as string[]).includes(t)) : own.ordTypes;
  const timeInForces = Array.isArray(config.timeInForces)
    ? own.timeInForces.filter((t) => (config.timeInForces as string[]).includes(t))
    : own.timeInForces;
  const modify = own.modify && config.modify !== false;
  if (ordTypes === own.ordTypes && timeInForces === own.timeInForces && modify === own.modify) return adapter;
  const narrowed: VenueCapabilities = { ...own, ordTypes, timeInForces, modify };
  Object.defineProperty(adapter, "capabilities", { value: narrowed, configurable: true });
  return adapter;
}

/** Builds one adapter per venue row; a row that fails its checks is left out and listed in `invalid`. */
export function createVenues(rows: readonly VenueRow[], deps: VenueDeps): { venues: Map<string, BrokerAdapter>; invalid: InvalidVenue[] } {
  const venues = new Map<string, BrokerAdapter>();
  const invalid: InvalidVenue[] = [];
  for (const row of rows) {
    try {
      venues.set(row.id, createVenue(row, deps));
    } catch (error) {
      invalid.push({ venueId: row.id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { venues, invalid };
}

export function createSimVenue(name: string, config: SimVenueConfig, deps: VenueDeps): SimVenue {
  return new SimVenue({
    name,
    feed: deps.feed,
    lotSize: deps.lotSize,
    latencyMs: config.latencyMs ?? deps.defaultLatencyMs,
    partialFillRate: config.partialFillRate ?? 0.3,
    jitterMs: config.jitterMs,
    rejectRate: config.rejectRate,
    displayedDepth: config.depth,
    slippageBps: config.slippageBps,
  });
}
