/**
 * OsEngine's numbers read exactly (its tools answer C# decimals as JSON numbers inside the
 * double-encoded `text`, OSE-19; fills are read from positions, OSE-30). A number we cannot book
 * is an alert, never an exception out of a poll or a submit.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { VenueReport } from "../../src/venues/adapter";
import type { OsEngineVenue } from "../../src/venues/osengine/osengine-venue";
import type { VenueAlert } from "../../src/venues/venue-alert";
import { collect, order, SETTINGS, terminalFor, until } from "./helpers";
import { OsEngineDouble } from "./osengine-double";

const POSITION_TOOLS = [
  "bot_position_open_at_market",
  "bot_position_get_open",
  "bot_journal_get_open_positions",
  "bot_journal_get_closed_positions",
];

let double: OsEngineDouble;
let venue: OsEngineVenue;
let reports: VenueReport[];
let alerts: VenueAlert[];

beforeEach(async () => {
  double = new OsEngineDouble();
  await double.start();
  venue = terminalFor(double).venue("ose-tinvest", SETTINGS);
  reports = collect(venue);
  alerts = [];
  venue.onAlert((a) => alerts.push(a));
  await venue.connect();
  await until(() => venue.isHealthy());
});

afterEach(async () => {
  await venue.disconnect();
  await double.stop();
});

describe("OsEngine venue: exact numbers", () => {
  it("OSE-19, OSE-30: a fill at 123456789.123456789, as the terminal writes it, is booked with every digit", async () => {
    double.prices.SBER = 4242.5;
    double.rewriteAnswers(POSITION_TOOLS, (text) => text.replaceAll("4242.5", "123456789.123456789"));
    await venue.submitOrder(order());
    await until(() => reports.some((r) => r.kind === "fill"));
    expect(reports.find((r) => r.kind === "fill")).toMatchObject({ lastQty: "2", lastPx: "123456789.123456789" });
    expect(alerts).toEqual([]);
  });

  it("OSE-30: a volume of 0.00000012, which the terminal's JSON gives as 1.2e-7, fills as 0.00000012", async () => {
    await venue.submitOrder(order({ orderQty: "0.00000012" }));
    await until(() => reports.some((r) => r.kind === "fill"));
    expect(double.calls.find((c) => c.name === "bot_position_open_at_market")?.args.volume).toBe(1.2e-7);
    expect(reports.find((r) => r.kind === "fill")).toMatchObject({ lastQty: "0.00000012", lastPx: "250.5" });
    expect(await venue.getOrderStatus("O1")).toMatchObject({ state: "filled", cumQty: "0.00000012" });
    expect(alerts).toEqual([]);
  });

  it.each([
    ["12a", '"12a"'],
    ["an empty string", '""'],
  ])(
    "OSE-30: an entry price of %s is alerted (VENUE_BAD_DATA) and no fill is booked, not a crash; the order stays working",
    async (_, bad) => {
      double.rewriteAnswers(POSITION_TOOLS, (text) => text.replace(/"entry_price":[^,}]+/g, `"entry_price":${bad}`));
      await venue.submitOrder(order());
      // The open answer and the tab's positions each say it: one alert per distinct answer...
      await until(() => alerts.length >= 2);
      const raised = alerts.length;
      await new Promise((r) => setTimeout(r, 5 * (SETTINGS.fillPollMs ?? 30)));
      expect(alerts).toHaveLength(raised); // ...not one per poll
      for (const alert of alerts)
        expect(alert).toMatchObject({
          code: "VENUE_BAD_DATA",
          venueId: "ose-tinvest",
          orderId: "O1",
          message: expect.stringContaining("entry_price"),
        });
      expect(reports.map((r) => r.kind)).toEqual(["accepted"]);
      expect(await venue.getOrderStatus("O1")).toMatchObject({ state: "working", cumQty: "0" });
    },
  );

  it("OSE-33: a portfolio quantity the venue cannot express exactly refuses the read with a clear error and an alert", async () => {
    double.rewriteAnswers(["server_instance_get_portfolios"], (text) => text.replace(/"valueCurrent":10\b/, '"valueCurrent":"1O"'));
    await expect(venue.getPositions()).rejects.toThrow(/valueCurrent = "1O"/);
    expect(alerts).toEqual([expect.objectContaining({ code: "VENUE_BAD_DATA", orderId: null })]);
  });
});
