import { describe, expect, it } from "vitest";
import type { EngineConfig } from "../config";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import { RandomWalkFeed } from "../marketdata/quotes";
import type { ReferenceData, VenueRow } from "../reference";
import type { BrokerAdapter } from "../venues/adapter";
import type { VenueAlert } from "../venues/venue-alert";
import { journalVenueAlerts, routingFeeBps, setUpVenues } from "./venue-setup";

it("journals a venue's bad-data alert as AlertRaised, with the order's account when the order is known", () => {
  let raise: (alert: VenueAlert) => void = () => undefined;
  const fix = { name: "FIX-X", onAlert: (listener: (a: VenueAlert) => void) => (raise = listener) } as unknown as BrokerAdapter;
  const quiet = { name: "SIM-A" } as unknown as BrokerAdapter;
  const appended: unknown[] = [];
  const journal = { append: (draft: unknown) => appended.push(draft) } as unknown as Journal;
  const log = { warn: () => undefined } as unknown as Logger;
  journalVenueAlerts(
    new Map([
      ["FIX-X", fix],
      ["SIM-A", quiet],
    ]),
    journal,
    log,
    (orderId) => (orderId === "O1" ? "ACC-ALPHA" : null),
  );
  raise({ code: "VENUE_BAD_DATA", venueId: "FIX-X", message: "LastPx '12a' is not a decimal", orderId: "O1" });
  raise({ code: "VENUE_ADAPTER_FAULT", venueId: "FIX-X", message: "listener threw", orderId: null });
  expect(appended).toEqual([
    {
      type: "AlertRaised",
      orderId: "O1",
      accountId: "ACC-ALPHA",
      actor: "venue:FIX-X",
      data: { code: "VENUE_BAD_DATA", message: "LastPx '12a' is not a decimal" },
    },
    {
      type: "AlertRaised",
      orderId: null,
      accountId: null,
      actor: "venue:FIX-X",
      data: { code: "VENUE_ADAPTER_FAULT", message: "listener threw" },
    },
  ]);
});

describe("venue setup from reference data", () => {
  const config = { SIM_LATENCY_MS: 0, ROUTING_POLICY: "lowestCost" } as unknown as EngineConfig;
  const reference = (venues: VenueRow[]): ReferenceData => ({ instruments: new Map(), accounts: new Map(), venues });
  const sim = (id: string, c: Record<string, unknown>): VenueRow => ({ id, name: id, kind: "sim", config: c, enabled: true });

  it("leaves a bad row out with its reason and builds the others", () => {
    const setup = setUpVenues(
      reference([
        sim("SIM-A", { feeBps: 1 }),
        { id: "BAD-FIX", name: "typed by hand", kind: "fix", config: { host: "h", port: "5442", beginString: "FIX.4.2" }, enabled: true },
        sim("SIM-TYPO", { fesBps: 1 }),
      ]),
      config,
      new RandomWalkFeed([], 60_000, 1),
    );
    expect([...setup.venues.keys()]).toEqual(["SIM-A"]);
    expect(setup.invalid.map((v) => v.venueId)).toEqual(["BAD-FIX", "SIM-TYPO"]);
    expect(setup.invalid[0]?.reason).toMatch(/config\.port: .*expected number, received string/);
    expect(setup.invalid[0]?.reason).toMatch(/config\.senderCompId/);
    expect(setup.invalid[1]?.reason).toMatch(/fesBps/);
  });

  it("gives the router a fee only where the row has one; closes and reopens a venue", () => {
    const setup = setUpVenues(
      reference([sim("SIM-A", { feeBps: 1.5 }), sim("SIM-B", { fees: { currency: "USD", taker: { bps: "0.7" } } }), sim("SIM-C", {})]),
      config,
      new RandomWalkFeed([], 60_000, 1),
    );
    expect(["SIM-A", "SIM-B", "SIM-C"].map((v) => setup.routing.feeBps(v))).toEqual(["1.5", "0.7", null]);
    expect(setup.feeBps("SIM-C")).toBe("0");
    setup.setClosed("SIM-A", "disabled by user:a: maintenance");
    expect(setup.routing.closed?.("SIM-A")).toBe("disabled by user:a: maintenance");
    setup.setClosed("SIM-A", null);
    expect(setup.routing.closed?.("SIM-A")).toBeNull();
    setup.setConfig("SIM-C", { feeBps: 9 });
    expect(setup.routing.feeBps("SIM-C")).toBe("9");
  });

  it("a row's declared capabilities narrow the adapter's", () => {
    const setup = setUpVenues(
      reference([sim("SIM-N", { ordTypes: ["Limit"], timeInForces: ["DAY", "GTC"], modify: false })]),
      config,
      new RandomWalkFeed([], 60_000, 1),
    );
    expect(setup.venues.get("SIM-N")?.capabilities).toMatchObject({ ordTypes: ["Limit"], timeInForces: ["DAY", "GTC"], modify: false });
  });
});

it("routingFeeBps: feeBps, else the schedule's taker or flat bps, else 0 for a per-share schedule, else unknown", () => {
  expect(routingFeeBps({ feeBps: 0 })).toBe("0");
  expect(routingFeeBps({ fees: { bps: "0.5" } })).toBe("0.5");
  expect(routingFeeBps({ fees: {} })).toBe("0");
  expect(routingFeeBps({})).toBeNull();
  expect(routingFeeBps(undefined)).toBeNull();
});
