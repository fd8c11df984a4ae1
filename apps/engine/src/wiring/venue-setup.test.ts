import { expect, it } from "vitest";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { BrokerAdapter } from "../venues/adapter";
import type { VenueAlert } from "../venues/venue-alert";
import { journalVenueAlerts } from "./venue-setup";

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
