import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RandomWalkFeed } from "../../src/marketdata/quotes";
import type { VenueReport } from "../../src/venues/adapter";
import { parseFixVenueConfig } from "../../src/venues/fix/config";
import { FixVenue } from "../../src/venues/fix/fix-venue";
import { createVenues } from "../../src/venues/registry";
import { order, tempDir, until } from "./helpers";
import { type Acceptor, assertLoopbackOnly, freePort, startAcceptor } from "./quickfix";

describe("an engine venue of kind fix", () => {
  let acceptor: Acceptor;
  beforeAll(async () => {
    assertLoopbackOnly();
    acceptor = await startAcceptor("executor", { beginString: "FIX.4.2", senderCompId: "EXECUTOR", clients: ["ENGINE"] });
  });
  afterAll(async () => {
    await acceptor?.stop();
  });

  it("is built from its venue row's session settings and trades", async () => {
    const config = {
      host: "127.0.0.1",
      port: acceptor.port,
      beginString: "FIX.4.2",
      senderCompId: "ENGINE",
      targetCompId: "EXECUTOR",
      heartBtInt: 30,
      storeDir: tempDir("fix-registry-"),
      ordTypes: ["Limit"],
      timeInForces: ["DAY"],
    };
    const { venues } = createVenues([{ id: "QF-EXEC", name: "QuickFIX executor", kind: "fix", config, enabled: true }], {
      feed: new RandomWalkFeed([], 60_000, 1),
      lotSize: () => "1",
      defaultLatencyMs: 0,
    });
    const venue = venues.get("QF-EXEC");
    expect(venue).toBeInstanceOf(FixVenue);
    if (!venue) return;
    expect(venue.capabilities).toMatchObject({ ordTypes: ["Limit"], timeInForces: ["DAY"], modify: true, cancel: true });
    const reports: VenueReport[] = [];
    venue.onReport((r) => reports.push(r));
    await venue.connect();
    expect(venue.isHealthy()).toBe(true);
    const o = order({ price: "99.5", orderQty: "7" });
    await venue.submitOrder(o);
    await until(
      () => reports.length > 0,
      () => "no report",
    );
    expect(reports).toEqual([{ kind: "fill", orderId: o.orderId, execId: expect.any(String), lastQty: "7", lastPx: "99.5" }]);
    await venue.disconnect();
    expect(venue.isHealthy()).toBe(false);
  });

  it("connects in the background when the venue is down at start, and becomes healthy when it comes up", async () => {
    const port = await freePort();
    const config = { host: "127.0.0.1", port, beginString: "FIX.4.4", senderCompId: "LATE", targetCompId: "EXECUTOR", reconnectMs: 100 };
    const venue = new FixVenue("LATE", { ...parseFixVenueConfig("LATE", config), storeDir: tempDir("fix-late-"), connectTimeoutMs: 300 });
    await expect(venue.connect()).rejects.toThrow("no FIX logon within 300 ms; still trying");
    expect(venue.isHealthy()).toBe(false);
    const late = await startAcceptor("executor", { beginString: "FIX.4.4", senderCompId: "EXECUTOR", clients: ["LATE"], port });
    try {
      await until(
        () => venue.isHealthy(),
        () => "never logged on",
      );
      await venue.disconnect();
    } finally {
      await late.stop();
    }
  });

  it.each([
    [{}, "needs beginString"],
    [{ host: "h", port: 1, beginString: "FIX.5.0", senderCompId: "A", targetCompId: "B" }, "beginString must be"],
    [{ host: "h", port: -1, beginString: "FIX.4.2", senderCompId: "A", targetCompId: "B" }, "positive integer port"],
    [{ host: "h", port: 1, beginString: "FIX.4.4", senderCompId: "A", targetCompId: "B", ordTypes: ["Iceberg"] }, "ordTypes must list"],
  ])("refuses settings %j", (raw, message) => {
    expect(() => parseFixVenueConfig("V", raw)).toThrow(message);
  });

  it("fills in defaults for the optional settings", () => {
    expect(parseFixVenueConfig("V", { host: "h", port: 1, beginString: "FIX.4.4", senderCompId: "A", targetCompId: "B" })).toMatchObject({
      heartBtInt: 30,
      reconnectMs: 1000,
      storeDir: expect.stringMatching(/\.data\/fix\/V$/),
      resetOnLogon: false,
      connectTimeoutMs: 10_000,
      durability: "fsync",
    });
  });
});
