import type { Decimal } from "@fillmore/shared";
import type { RandomWalkFeed } from "../marketdata/quotes";
import type { VenueRow } from "../reference";
import type { BrokerAdapter } from "./adapter";
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
  /** "host:port" of a simulated exchange process; absent means the venue runs inside the engine. */
  remote?: string;
}

/** Builds one adapter per enabled venue row. */
export function createVenues(
  rows: readonly VenueRow[],
  deps: { feed: RandomWalkFeed; lotSize: (symbol: string) => Decimal; defaultLatencyMs: number },
): Map<string, BrokerAdapter> {
  const venues = new Map<string, BrokerAdapter>();
  for (const row of rows) {
    if (row.kind === "osengine") {
      venues.set(row.id, createOsEngineVenue(row.id, row.config as unknown as OsEngineVenueConfig));
      continue;
    }
    if (row.kind === "fix") {
      venues.set(row.id, new FixVenue(row.id, parseFixVenueConfig(row.id, row.config)));
      continue;
    }
    if (row.kind !== "sim") continue;
    const config = row.config as SimVenueConfig;
    if (config.remote) {
      const [host = "127.0.0.1", port = "0"] = config.remote.split(":");
      venues.set(row.id, new RemoteSimVenue(row.id, host, Number(port)));
    } else {
      venues.set(row.id, createSimVenue(row.id, config, deps));
    }
  }
  return venues;
}

export function createSimVenue(
  name: string,
  config: SimVenueConfig,
  deps: { feed: RandomWalkFeed; lotSize: (symbol: string) => Decimal; defaultLatencyMs: number },
): SimVenue {
  return new SimVenue({
    name,
    feed: deps.feed,
    lotSize: deps.lotSize,
    latencyMs: config.latencyMs ?? deps.defaultLatencyMs,
    partialFillRate: config.partialFillRate ?? 0.3,
    jitterMs: config.jitterMs,
    rejectRate: config.rejectRate,
  });
}
