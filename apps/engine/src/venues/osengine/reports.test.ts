import { describe, expect, it } from "vitest";
import type { VenueReport } from "../adapter";
import { newTracked, type Observation, type PositionView, reportsFor, type TrackedOrder } from "./reports";

const view = (over: Partial<PositionView> = {}): PositionView => ({
  number: 7,
  direction: "long",
  state: "Open",
  openVolume: "2",
  volume: null,
  entryPrice: "100",
  closePrice: null,
  closed: false,
  ...over,
});

function tracked(over: Partial<TrackedOrder> = {}): TrackedOrder {
  return { ...newTracked("O1", "open", "2", "bot"), ...over };
}
const working = (over: Partial<TrackedOrder> = {}) => tracked({ state: "working", positionNumber: 7, ...over });

/** What OsEngine showed → which venue reports (MCP-PROTOCOL.md OSE-29..32, §4). */
const table: { name: string; t: TrackedOrder; obs: Observation; reports: VenueReport[]; state: TrackedOrder["state"] }[] = [
  {
    name: "tool refusal before acceptance → rejected with OsEngine's text (OSE-29)",
    t: tracked(),
    obs: { kind: "refused", reason: "Position was not created on tab 'x'" },
    reports: [{ kind: "rejected", orderId: "O1", reason: "Position was not created on tab 'x'" }],
    state: "rejected",
  },
  {
    name: "unknown outcome refused after the grace period → rejected",
    t: tracked({ state: "unknown" }),
    obs: { kind: "refused", reason: "timed out" },
    reports: [{ kind: "rejected", orderId: "O1", reason: "timed out" }],
    state: "rejected",
  },
  {
    name: "open/close call answered → accepted, venue order id = bot#position (OSE-30)",
    t: tracked(),
    obs: { kind: "submitted", positionNumber: 7 },
    reports: [{ kind: "accepted", orderId: "O1", venueOrderId: "bot#7" }],
    state: "working",
  },
  {
    name: "timed-out open found in the tab → accepted",
    t: tracked({ state: "unknown" }),
    obs: { kind: "submitted", positionNumber: 7 },
    reports: [{ kind: "accepted", orderId: "O1", venueOrderId: "bot#7" }],
    state: "working",
  },
  {
    name: "second submitted for the same order → nothing (accepted once)",
    t: working(),
    obs: { kind: "submitted", positionNumber: 7 },
    reports: [],
    state: "working",
  },
  {
    name: "position still Opening with no volume → nothing (OSE-30 snapshot is not a fill)",
    t: working(),
    obs: { kind: "position", view: view({ state: "Opening", openVolume: "0", entryPrice: "0" }) },
    reports: [],
    state: "working",
  },
  {
    name: "position Open with full volume → one fill at the entry price",
    t: working(),
    obs: { kind: "position", view: view() },
    reports: [{ kind: "fill", orderId: "O1", execId: "bot#7:open:2", lastQty: "2", lastPx: "100" }],
    state: "filled",
  },
  {
    name: "partial volume → partial fill, order stays working",
    t: working({ orderQty: "3" }),
    obs: { kind: "position", view: view({ openVolume: "1" }) },
    reports: [{ kind: "fill", orderId: "O1", execId: "bot#7:open:1", lastQty: "1", lastPx: "100" }],
    state: "working",
  },
  {
    name: "more volume later → the increment, priced so the average matches",
    t: working({ orderQty: "3", cumQty: "1", notional: "100" }),
    obs: { kind: "position", view: view({ openVolume: "3", entryPrice: "102" }) },
    reports: [{ kind: "fill", orderId: "O1", execId: "bot#7:open:3", lastQty: "2", lastPx: "103" }],
    state: "filled",
  },
  {
    name: "same volume read twice → nothing new (exec ids are cumulative volume)",
    t: working({ orderQty: "3", cumQty: "1", notional: "100" }),
    obs: { kind: "position", view: view({ openVolume: "1" }) },
    reports: [],
    state: "working",
  },
  {
    name: "opened then already closed (journal volume) → the open is still filled",
    t: working(),
    obs: { kind: "position", view: view({ state: "Done", openVolume: "0", volume: "2", closed: true, closePrice: "105" }) },
    reports: [{ kind: "fill", orderId: "O1", execId: "bot#7:open:2", lastQty: "2", lastPx: "100" }],
    state: "filled",
  },
  {
    name: "OpeningFail without volume → rejected",
    t: working(),
    obs: { kind: "position", view: view({ state: "OpeningFail", openVolume: "0", entryPrice: "0", closed: true }) },
    reports: [{ kind: "rejected", orderId: "O1", reason: "position 7 ended OpeningFail in OsEngine without any volume" }],
    state: "rejected",
  },
  {
    name: "close: open volume reduced by our quantity → fill at the close price (OSE-32)",
    t: working({ action: "close", baseline: "5" }),
    obs: { kind: "position", view: view({ openVolume: "3", closePrice: "110" }) },
    reports: [{ kind: "fill", orderId: "O1", execId: "bot#7:close:2", lastQty: "2", lastPx: "110" }],
    state: "filled",
  },
  {
    name: "close: position Done in the journal → the whole close filled",
    t: working({ action: "close", baseline: "2" }),
    obs: { kind: "position", view: view({ state: "Done", openVolume: "0", closed: true, closePrice: "99" }) },
    reports: [{ kind: "fill", orderId: "O1", execId: "bot#7:close:2", lastQty: "2", lastPx: "99" }],
    state: "filled",
  },
  {
    name: "close: volume reduced but no close price yet → wait",
    t: working({ action: "close", baseline: "2" }),
    obs: { kind: "position", view: view({ state: "Closing", openVolume: "0", closePrice: null }) },
    reports: [],
    state: "working",
  },
  {
    name: "another position's read → nothing",
    t: working(),
    obs: { kind: "position", view: view({ number: 8 }) },
    reports: [],
    state: "working",
  },
  {
    name: "anything after filled → nothing",
    t: working({ state: "filled", cumQty: "2" }),
    obs: { kind: "refused", reason: "late" },
    reports: [],
    state: "filled",
  },
];

describe("OsEngine observations → venue reports (the one mapping module)", () => {
  it.each(table)("$name", ({ t, obs, reports, state }) => {
    expect(reportsFor(t, obs)).toEqual(reports);
    expect(t.state).toBe(state);
  });
});
