import { newOrder, type Order, type SubmitOrder } from "@fillmore/shared";
import type { VenueReport } from "../../src/venues/adapter";
import { OsEngineTerminal, type OsEngineTerminalOptions } from "../../src/venues/osengine/osengine-terminal";
import type { OsEngineVenue, OsEngineVenueSettings } from "../../src/venues/osengine/osengine-venue";
import type { OsEngineDouble } from "./osengine-double";

export function order(overrides: Partial<Order> = {}): Order {
  const base = newOrder(
    { accountId: "ACC1", symbol: "SBER", side: "Buy", ordType: "Market", timeInForce: "DAY", orderQty: "2" } as SubmitOrder,
    { orderId: "O1", clOrdId: "O1", actor: "test", now: new Date().toISOString() },
  );
  return { ...base, ordStatus: "Submitted", venueId: "ose-tinvest", lastSeq: 1, ...overrides };
}

export function terminalFor(double: OsEngineDouble, overrides: Partial<OsEngineTerminalOptions> = {}): OsEngineTerminal {
  return new OsEngineTerminal({
    url: double.url,
    apiKey: double.apiKey,
    requestTimeoutMs: 2000,
    pollMs: 100,
    heartbeatTimeoutMs: 500,
    reconnectMs: 50,
    ...overrides,
  });
}

export const SETTINGS: OsEngineVenueSettings = {
  connector: { type: "TInvest", number: 0 },
  portfolio: "2000123456",
  strategy: "FillmoreBlank",
  orderTimeoutMs: 1000,
  fillPollMs: 30,
  unknownGraceMs: 300,
};

export function collect(venue: OsEngineVenue): VenueReport[] {
  const reports: VenueReport[] = [];
  venue.onReport((r) => reports.push(r));
  return reports;
}

export async function until<T>(probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
