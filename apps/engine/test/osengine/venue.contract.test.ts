/**
 * Contract tests of the OsEngine venue adapter (one BrokerAdapter per connector instance)
 * against the loopback OsEngine double. Each test names the MCP-PROTOCOL.md points (OSE-n).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { VenueReport } from "../../src/venues/adapter";
import { createOsEngineVenue } from "../../src/venues/osengine/config";
import type { OsEngineTerminal } from "../../src/venues/osengine/osengine-terminal";
import { NOT_SUPPORTED, OSENGINE_CAPABILITIES, type OsEngineVenue } from "../../src/venues/osengine/osengine-venue";
import { collect, order, SETTINGS, terminalFor, until } from "./helpers";
import { OsEngineDouble } from "./osengine-double";

let double: OsEngineDouble;
let terminal: OsEngineTerminal;
let venue: OsEngineVenue;
let reports: VenueReport[];

const kinds = () => reports.map((r) => r.kind);
const opensCalled = () => double.calls.filter((c) => c.name === "bot_position_open_at_market").length;

beforeEach(async () => {
  double = new OsEngineDouble();
  await double.start();
  terminal = terminalFor(double);
  venue = terminal.venue("ose-tinvest", SETTINGS);
  reports = collect(venue);
  await venue.connect();
  await until(() => venue.isHealthy());
});

afterEach(async () => {
  await venue.disconnect();
  await double.stop();
});

describe("OsEngine venue contract", () => {
  it("declares exactly what the API allows (§4): Market only, DAY/GTC, no cancel, no modify, no native stops", () => {
    expect(venue.capabilities).toEqual({
      ordTypes: ["Market"],
      timeInForces: ["DAY", "GTC"],
      nativeStops: false,
      modify: false,
      cancel: false,
    });
    expect(OSENGINE_CAPABILITIES.ordTypes).not.toContain("Limit");
  });

  it("every connector instance in the terminal is one venue (server_management_get_list)", async () => {
    const venues = await terminal.discoverVenues({ portfolio: "BinanceSpot", strategy: "FillmoreBlank" });
    expect(venues.map((v) => v.name)).toEqual(["TInvest#0", "Binance#0"]);
  });

  it("OSE-30, OSE-27: a market order provisions a robot tab (bot_create, bot_set_config_tab_simple, real not emulated), opens, is accepted and fills", async () => {
    await venue.submitOrder(order());
    await until(() => reports.some((r) => r.kind === "fill"));
    expect(reports[0]).toEqual({ kind: "accepted", orderId: "O1", venueOrderId: "fillmore_TInvest0_SBER#1" });
    expect(reports[1]).toEqual({ kind: "fill", orderId: "O1", execId: "fillmore_TInvest0_SBER#1:open:2", lastQty: "2", lastPx: "250.5" });
    expect(double.bots).toHaveLength(1);
    expect(double.bots[0]?.config).toMatchObject({
      server_type: "TInvest",
      portfolio_name: "2000123456",
      security_name: "SBER",
      emulator_is_on: false,
    });
    expect(double.opens).toBe(1);
    const status = await venue.getOrderStatus("O1");
    expect(status).toMatchObject({ known: true, state: "filled", cumQty: "2", fills: [{ lastQty: "2", lastPx: "250.5" }] });
  });

  it("OSE-32: a sell against an open long closes it at market (by position number), reusing the tab, opening nothing", async () => {
    await venue.submitOrder(order());
    await until(() => reports.some((r) => r.kind === "fill"));
    double.prices.SBER = 260;
    await venue.submitOrder(order({ orderId: "O2", side: "Sell" }));
    await until(() => reports.filter((r) => r.kind === "fill").length === 2);
    expect(reports.filter((r) => r.orderId === "O2")).toEqual([
      { kind: "accepted", orderId: "O2", venueOrderId: "fillmore_TInvest0_SBER#1" },
      { kind: "fill", orderId: "O2", execId: "fillmore_TInvest0_SBER#1:close:2", lastQty: "2", lastPx: "260" },
    ]);
    expect(double.calls.filter((c) => c.name === "bot_position_close_at_market")[0]?.args).toMatchObject({ position_number: 1, volume: 2 });
    expect(double.opens).toBe(1);
    expect(double.bots).toHaveLength(1);
  });

  it("OSE-32: a second sell while the first close is still in flight does not close the same volume twice; it opens a short", async () => {
    await venue.submitOrder(order());
    await until(() => reports.some((r) => r.kind === "fill"));
    double.fillDelayMs = null; // the close stays in flight
    await venue.submitOrder(order({ orderId: "O2", side: "Sell" }));
    await venue.submitOrder(order({ orderId: "O3", side: "Sell" }));
    expect(double.calls.filter((c) => c.name === "bot_position_close_at_market")).toHaveLength(1);
    expect(double.opens).toBe(2);
    expect(double.positions.map((p) => p.side)).toEqual(["Buy", "Sell"]);
  });

  it("OSE-30, OSE-31: an open whose answer times out becomes unknown, is resolved from positions/journal, and opens exactly one position", async () => {
    double.delayTool("bot_position_open_at_market", 1500); // the open runs, the answer comes after our 1 s timeout
    const sent = venue.submitOrder(order());
    await until(() => venue.trackedOrder("O1")?.state === "unknown", 3000);
    await expect(venue.getOrderStatus("O1")).rejects.toThrow(/unknown/); // never known:false, which would make the engine resend
    await venue.submitOrder(order()); // the engine resending the same order id: not sent again
    await sent;
    await until(() => reports.some((r) => r.kind === "fill"));
    expect(kinds()).toEqual(["accepted", "fill"]);
    expect(double.opens).toBe(1);
    expect(opensCalled()).toBe(1);
    expect(double.openPositions()).toHaveLength(1);
  });

  it("OSE-31: a timed-out open that never ran is resolved as rejected after the grace period, with nothing sent twice", async () => {
    double.failTool(
      "bot_position_open_at_market",
      "Position was not created on tab 'x'. Check the tab configuration (security, portfolio) and the robot log",
    );
    double.delayTool("bot_position_open_at_market", 1500);
    await venue.submitOrder(order());
    expect(reports).toEqual([
      { kind: "rejected", orderId: "O1", reason: expect.stringMatching(/timed out and no matching position appeared/) },
    ]);
    expect(double.opens).toBe(0);
    expect(opensCalled()).toBe(1);
  });

  it("OSE-31: concurrent orders on one tab are serialised; each opens exactly one position and gets its own", async () => {
    await Promise.all([venue.submitOrder(order()), venue.submitOrder(order({ orderId: "O2", orderQty: "3" }))]);
    await until(() => reports.filter((r) => r.kind === "fill").length === 2);
    expect(double.opens).toBe(2);
    expect(double.bots).toHaveLength(1);
    const accepted = reports.filter((r) => r.kind === "accepted").map((r) => (r.kind === "accepted" ? r.venueOrderId : ""));
    expect(new Set(accepted).size).toBe(2);
    expect(reports.find((r) => r.kind === "fill" && r.orderId === "O2")).toMatchObject({ lastQty: "3" });
  });

  it("OSE-29: with the connector disconnected the open is refused and the order is rejected with OsEngine's message", async () => {
    double.setConnectorStatus("TInvest", 0, "Disconnect");
    await venue.submitOrder(order());
    expect(reports).toEqual([
      { kind: "rejected", orderId: "O1", reason: expect.stringMatching(/^Position was not created on tab 'fillmore_TInvest0_SBERtab0'/) },
    ]);
    expect(double.opens).toBe(0);
  });

  it("OSE-21, OSE-30: a connector that disconnects mid-order leaves the order accepted and unfilled, health DOWN, and it fills after reconnecting", async () => {
    double.fillDelayMs = null;
    double.disconnectAfterNextOpen("TInvest");
    await venue.submitOrder(order());
    expect(kinds()).toEqual(["accepted"]);
    await until(() => !venue.isHealthy());
    expect(await venue.getOrderStatus("O1")).toMatchObject({ known: true, state: "working", cumQty: "0" });
    double.setConnectorStatus("TInvest", 0, "Connect");
    await until(() => venue.isHealthy());
    double.fillOpening();
    await until(() => reports.some((r) => r.kind === "fill"));
    expect(double.opens).toBe(1);
  });

  it("OSE-16 style tool errors during provisioning reject the order: unknown strategy", async () => {
    const other = terminal.venue("ose-bad", { ...SETTINGS, strategy: "NoSuchStrategy" });
    const seen = collect(other);
    await other.connect();
    await other.submitOrder(order());
    expect(seen).toEqual([{ kind: "rejected", orderId: "O1", reason: expect.stringContaining("Unknown strategy: NoSuchStrategy") }]);
    await other.disconnect();
  });

  it("OSE-25: outside the robots mode health is DOWN and an order is refused before any bot_* call (the tester has robots too)", async () => {
    double.mode = "IsTester";
    await until(() => !venue.isHealthy());
    await venue.submitOrder(order());
    expect(reports).toEqual([
      { kind: "rejected", orderId: "O1", reason: expect.stringContaining("mode IsTester, not the robots (OsTrader) mode") },
    ]);
    expect(double.calls.some((c) => c.name.startsWith("bot_"))).toBe(false);
    double.mode = "IsMainWindow";
    await expect(terminal.client.callTool("bot_get_list")).rejects.toMatchObject({
      toolMessage: "Robot master is not available. Open a mode that supports robots first.",
    });
  });

  it('§4: limit orders are refused with the reason; cancel and modify reject with "not supported by OsEngine\'s MCP API"', async () => {
    await venue.submitOrder(order({ ordType: "Limit", price: "250" }));
    expect(reports).toEqual([{ kind: "rejected", orderId: "O1", reason: expect.stringContaining(`Limit orders are ${NOT_SUPPORTED}`) }]);
    await expect(venue.cancelOrder(order())).rejects.toThrow(/cancel is not supported by OsEngine's MCP API: it has no cancel/);
    await expect(venue.modifyOrder(order(), { orderQty: "3", price: null, stopPx: null })).rejects.toThrow(
      /modify is not supported by OsEngine's MCP API: it has no cancel\/replace/,
    );
    await until(() => reports.length === 3);
    expect(kinds()).toEqual(["rejected", "cancelRejected", "replaceRejected"]);
    expect(double.opens).toBe(0);
  });

  it("OSE-21, OSE-22, OSE-35: health UP → DOWN on status_changed Disconnect → UP on Connect → DOWN when heartbeats stop → UP after restart (OSE-12)", async () => {
    expect(venue.isHealthy()).toBe(true);
    double.setConnectorStatus("TInvest", 0, "Disconnect");
    await until(() => !venue.isHealthy(), 200); // the event, well before the next poll
    double.setConnectorStatus("TInvest", 0, "Connect");
    await until(() => venue.isHealthy());
    const port = double.port;
    await double.stop();
    await until(() => !venue.isHealthy(), 2000);
    double = new OsEngineDouble();
    await double.start(port);
    await until(() => venue.isHealthy(), 5000);
  });

  it("OSE-22: a connector connected outside the API sends no status events; polling server_instance_get_status still sees it", async () => {
    const c = double.connectors[0];
    if (c) c.connectedViaApi = false;
    double.setConnectorStatus("TInvest", 0, "Disconnect");
    await until(() => !venue.isHealthy(), 1000);
    expect(double.calls.some((x) => x.name === "server_instance_get_status")).toBe(true);
  });

  it("positions come from server_instance_get_portfolios; reconciliation input from compare_positions_get (OSE-33)", async () => {
    expect(await venue.getPositions()).toEqual([{ symbol: "SBER", qty: "10" }]);
    expect(await venue.comparePositions()).toEqual([
      { portfolio: "2000123456", security: "SBER", robots: "0", portfolioQty: "10", mismatch: true },
    ]);
    expect(double.calls.find((c) => c.name === "compare_positions_get")?.args).toEqual({ server_type: "TInvest", number: 0 });
  });

  it("OSE-3: a wrong key fails connect with 401 and the venue stays DOWN; the key comes from the env var named in the row", async () => {
    const env = { OSE_KEY: "wrong" };
    const bad = createOsEngineVenue(
      "ose-x",
      { url: double.url, apiKeyEnv: "OSE_KEY", connector: "TInvest", portfolio: "p", strategy: "s" },
      new Map(),
      env,
    );
    await expect(bad.connect()).rejects.toMatchObject({ status: 401 });
    expect(bad.isHealthy()).toBe(false);
    await bad.disconnect();
    const unset = createOsEngineVenue(
      "ose-y",
      { url: double.url, apiKeyEnv: "MISSING_KEY", connector: "TInvest", portfolio: "p", strategy: "s" },
      new Map(),
      {},
    );
    await expect(unset.connect()).rejects.toThrow(/environment variable MISSING_KEY .* is not set/);
    expect(unset.isHealthy()).toBe(false);
    await unset.disconnect();
    expect(double.calls.filter((c) => c.name === "terminal_get_status").length).toBeGreaterThan(0);
  });

  it("a terminal unreachable at connect: connect fails, the venue stays DOWN and attaches by itself once OsEngine is up", async () => {
    const port = double.port;
    await venue.disconnect();
    await double.stop();
    const late = terminalFor(double).venue("ose-late", { ...SETTINGS, reconnectMs: 50 });
    await expect(late.connect()).rejects.toThrow();
    expect(late.isHealthy()).toBe(false);
    double = new OsEngineDouble();
    await double.start(port);
    await until(() => late.isHealthy(), 3000);
    await late.disconnect();
  });

  it("OSE-2: an address outside the allow-list makes polls fail and the venue DOWN", async () => {
    double.allowedIps = [];
    await until(() => !venue.isHealthy(), 2000);
    expect(double.refused).toContain(403);
  });

  it("OSE-12: after a terminal restart mid-session, the next order re-initializes and opens exactly once", async () => {
    await double.restart();
    await venue.submitOrder(order());
    await until(() => reports.some((r) => r.kind === "fill"));
    expect(double.opens).toBe(1);
  });
});
