// What a venue's ExecutionReports say about quantities and prices, read exactly; what we cannot
// read is refused with a session Reject and an alert, never an exception out of the socket handler.
import { afterEach, describe, expect, it } from "vitest";
import { Tag } from "../../src/venues/fix/codec";
import { closeScripted, scriptedVenue } from "./fake-peer";
import { kinds, order, until } from "./helpers";

afterEach(closeScripted);

/** A submitted order the scripted peer acknowledged. */
async function acknowledged(orderQty = "100", price = "10") {
  const s = await scriptedVenue();
  const o = order({ orderQty, price });
  await s.venue.submitOrder(o);
  s.er([
    [11, o.orderId],
    [17, "E1"],
    [150, "0"],
    [39, "0"],
    [14, "0"],
    [151, orderQty],
  ]);
  await until(
    () => s.reports.length === 1,
    () => "no ack",
  );
  return { ...s, o };
}

describe("FIX venue: wire decimals", () => {
  it("books a fill of 0.00000012 at 123456789.123456789 with every digit, in plain form", async () => {
    const { venue, reports, alerts, er, o } = await acknowledged("1", "200000000");
    er([
      [11, o.orderId],
      [17, "E2"],
      [150, "F"],
      [39, "1"],
      [32, "0.00000012"],
      [31, "123456789.123456789"],
      [14, "0.00000012"],
      [151, "0.99999988"],
      [6, "123456789.123456789"],
    ]);
    await until(
      () => reports.length === 2,
      () => JSON.stringify({ reports, alerts }),
    );
    expect(reports[1]).toEqual({
      kind: "fill",
      orderId: o.orderId,
      execId: `${o.orderId}/E2`,
      lastQty: "0.00000012",
      lastPx: "123456789.123456789",
    });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ cumQty: "0.00000012" });
    expect(alerts).toEqual([]);
  });

  it("refuses a fill priced 12a with a session Reject naming tag 31, raises an alert, and keeps the session working", async () => {
    const { peer, venue, reports, alerts, er, o, nextSeq } = await acknowledged();
    const badSeq = nextSeq();
    er([
      [11, o.orderId],
      [17, "E2"],
      [150, "F"],
      [39, "1"],
      [32, "10"],
      [31, "12a"],
      [14, "10"],
      [151, "90"],
    ]);
    await until(
      () => peer.of("3").length === 1,
      () => "no session Reject",
    );
    const reject = peer.of("3")[0];
    expect(reject?.get(Tag.RefSeqNum)).toBe(String(badSeq));
    expect(reject?.get(Tag.RefTagID)).toBe("31");
    expect(reject?.get(Tag.RefMsgType)).toBe("8");
    expect(reject?.get(Tag.SessionRejectReason)).toBe("6");
    expect(alerts).toEqual([
      expect.objectContaining({ code: "VENUE_BAD_DATA", venueId: "SCRIPTED", orderId: o.orderId, message: expect.stringContaining("12a") }),
    ]);
    expect(kinds(reports)).toEqual(["accepted"]); // nothing booked from the refused message

    // The refused message used up its number: the next one is in sequence, no resend asked, and booked.
    er([
      [11, o.orderId],
      [17, "E3"],
      [150, "F"],
      [39, "1"],
      [32, "10"],
      [31, "10"],
      [14, "10"],
      [151, "90"],
    ]);
    await until(
      () => reports.length === 2,
      () => JSON.stringify(reports),
    );
    expect(reports[1]).toMatchObject({ kind: "fill", lastQty: "10", lastPx: "10" });
    expect(peer.of("2")).toEqual([]);
    expect(venue.isHealthy()).toBe(true);
  });

  it("refuses an empty CumQty with a session Reject 'tag specified without a value' (reason 4) and an alert", async () => {
    const { peer, alerts, er, o } = await acknowledged();
    er([
      [11, o.orderId],
      [17, "E2"],
      [150, "F"],
      [39, "1"],
      [32, "10"],
      [31, "10"],
      [14, ""],
      [151, "90"],
    ]);
    await until(
      () => peer.of("3").length === 1 && alerts.length === 1,
      () => "no session Reject",
    );
    expect(peer.of("3")[0]?.get(Tag.RefTagID)).toBe("14");
    expect(peer.of("3")[0]?.get(Tag.SessionRejectReason)).toBe("4");
  });

  it("a report listener that throws is alerted as an adapter fault; the session and later reports go on", async () => {
    const { venue, reports, alerts, er, o } = await acknowledged();
    let calls = 0;
    venue.onReport(() => {
      calls += 1;
      if (calls === 1) throw new TypeError("listener bug");
    });
    for (const execId of ["E2", "E3"])
      er([
        [11, o.orderId],
        [17, execId],
        [150, "F"],
        [39, "1"],
        [32, "5"],
        [31, "10"],
      ]);
    await until(
      () => reports.length === 3,
      () => JSON.stringify({ reports, alerts }),
    );
    expect(alerts).toEqual([
      expect.objectContaining({ code: "VENUE_ADAPTER_FAULT", orderId: o.orderId, message: expect.stringContaining("listener bug") }),
    ]);
    expect(venue.isHealthy()).toBe(true);
  });
});

describe("FIX venue: restatements, busts, corrections, expiry", () => {
  it("a restatement (ExecType D) reports the venue's new quantity and keeps the price it does not name", async () => {
    const { venue, reports, er, o } = await acknowledged("100", "10");
    er([
      [11, o.orderId],
      [17, "E2"],
      [150, "D"],
      [39, "0"],
      [38, "60"],
      [14, "0"],
      [151, "60"],
      [58, "venue capped size"],
    ]);
    await until(
      () => reports.length === 2,
      () => JSON.stringify(reports),
    );
    expect(reports[1]).toEqual({ kind: "restated", orderId: o.orderId, orderQty: "60", price: "10", reason: "venue capped size" });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ orderQty: "60", price: "10" });
  });

  it("a bust (ExecType H) names the fill it cancels and takes it out of what the venue holds", async () => {
    const { venue, reports, er, o } = await acknowledged();
    er([
      [11, o.orderId],
      [17, "E2"],
      [150, "F"],
      [39, "1"],
      [32, "40"],
      [31, "10"],
    ]);
    er([
      [11, o.orderId],
      [17, "E3"],
      [19, "E2"],
      [150, "H"],
      [39, "0"],
      [32, "40"],
      [31, "10"],
      [14, "0"],
      [151, "100"],
    ]);
    await until(
      () => reports.length === 3,
      () => JSON.stringify(reports),
    );
    expect(reports[2]).toEqual({
      kind: "tradeBusted",
      orderId: o.orderId,
      refExecId: `${o.orderId}/E2`,
      reason: "trade cancelled (busted) by the venue",
    });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ cumQty: "0", fills: [] });
  });

  it("a correction (ExecType G) after a replace names the fill booked under the old ClOrdID and replaces it", async () => {
    const { venue, reports, er, o } = await acknowledged();
    er([
      [11, o.orderId],
      [17, "E2"],
      [150, "F"],
      [39, "1"],
      [32, "40"],
      [31, "10"],
    ]);
    await venue.modifyOrder({ ...o, lastSeq: 7 }, { orderQty: "120", price: "10", stopPx: null });
    er([
      [11, `${o.orderId}.R7`],
      [41, o.orderId],
      [17, "E3"],
      [150, "5"],
      [39, "1"],
      [38, "120"],
      [44, "10"],
    ]);
    er([
      [11, `${o.orderId}.R7`],
      [17, "E4"],
      [19, "E2"],
      [150, "G"],
      [39, "1"],
      [32, "30"],
      [31, "9.99"],
      [14, "30"],
      [151, "90"],
    ]);
    await until(
      () => reports.length === 4,
      () => JSON.stringify(reports),
    );
    expect(reports[3]).toEqual({
      kind: "tradeCorrected",
      orderId: o.orderId,
      refExecId: `${o.orderId}/E2`,
      execId: `${o.orderId}.R7/E4`,
      lastQty: "30",
      lastPx: "9.99",
      reason: "trade corrected by the venue",
    });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({
      cumQty: "30",
      fills: [{ execId: `${o.orderId}.R7/E4`, lastQty: "30", lastPx: "9.99" }],
    });
  });

  it("an order that expired at the venue while we were away answers status 'expired' (OrdStatus C), not cancelled", async () => {
    const { peer, venue, er } = await scriptedVenue();
    const o = order();
    await venue.submitOrder(o);
    const status = venue.getOrderStatus(o.orderId);
    await until(
      () => peer.of("H").length === 1,
      () => "no OrderStatusRequest",
    );
    er([
      [11, o.orderId],
      [17, "S1"],
      [150, "I"],
      [39, "C"],
      [14, "0"],
      [151, "0"],
    ]);
    expect(await status).toMatchObject({ known: true, state: "expired", cumQty: "0" });
  });
});
