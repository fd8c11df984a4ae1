// The adapter's paths the QuickFIX examples cannot show (they support neither cancel/replace nor
// OrderStatusRequest), against a scripted peer that answers the way a venue that does would.
import { afterEach, describe, expect, it } from "vitest";
import { Tag } from "../../src/venues/fix/codec";
import { closeScripted, scriptedVenue } from "./fake-peer";
import { kinds, order, until } from "./helpers";

afterEach(closeScripted);

const setup = scriptedVenue;

describe("FIX venue against a scripted 4.4 peer", () => {
  it("replaces an order, then cancels it on the ClOrdID the replace gave it", async () => {
    const { peer, venue, reports, er } = await setup();
    const o = order({ price: "5", orderQty: "10" });
    await venue.submitOrder(o);
    er([
      [11, o.orderId],
      [17, "E1"],
      [150, "0"],
      [39, "0"],
      [14, "0"],
      [151, "10"],
    ]);
    await until(
      () => reports.length === 1,
      () => "no ack",
    );

    await venue.modifyOrder({ ...o, lastSeq: 5 }, { orderQty: "20", price: "5.1", stopPx: null });
    await until(
      () => peer.of("G").length === 1,
      () => "no G",
    );
    expect(peer.of("G")[0]?.get(Tag.OrigClOrdID)).toBe(o.orderId);
    expect(peer.of("G")[0]?.get(Tag.ClOrdID)).toBe(`${o.orderId}.R5`);
    er([
      [11, `${o.orderId}.R5`],
      [41, o.orderId],
      [17, "E2"],
      [150, "5"],
      [39, "0"],
      [38, "20"],
      [44, "5.1"],
      [14, "0"],
      [151, "20"],
    ]);
    await until(
      () => reports.length === 2,
      () => "no replace",
    );
    expect(reports[1]).toEqual({ kind: "replaced", orderId: o.orderId, orderQty: "20", price: "5.1", stopPx: null });

    er([
      [11, `${o.orderId}.R5`],
      [17, "E3"],
      [150, "F"],
      [39, "1"],
      [32, "5"],
      [31, "5.1"],
      [14, "5"],
      [151, "15"],
    ]);
    await venue.cancelOrder({ ...o, lastSeq: 9 });
    await until(
      () => peer.of("F").length === 1,
      () => "no F",
    );
    expect(peer.of("F")[0]?.get(Tag.OrigClOrdID)).toBe(`${o.orderId}.R5`);
    expect(peer.of("F")[0]?.get(Tag.ClOrdID)).toBe(`${o.orderId}.C9`);
    peer.send("9", 5, [
      [37, "V1"],
      [11, `${o.orderId}.C9`],
      [41, `${o.orderId}.R5`],
      [39, "1"],
      [434, "1"],
      [102, "0"],
      [58, "too late"],
    ]);
    await until(
      () => reports.length === 4,
      () => JSON.stringify(reports),
    );
    expect(kinds(reports)).toEqual(["accepted", "replaced", "fill", "cancelRejected"]);
    expect(reports[3]).toEqual({ kind: "cancelRejected", orderId: o.orderId, reason: "cancel reject: reason 0: too late" });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ state: "working", orderQty: "20", price: "5.1", cumQty: "5" });
  });

  it("asks about an order it has no answer for and books what the status answer says traded", async () => {
    const { peer, venue, reports, er } = await setup();
    const o = order({ price: "10", orderQty: "100" });
    await venue.submitOrder(o); // the venue never answers it...
    const status = venue.getOrderStatus(o.orderId);
    await until(
      () => peer.of("H").length === 1,
      () => "no OrderStatusRequest",
    );
    expect(peer.of("H")[0]?.get(Tag.ClOrdID)).toBe(o.orderId);
    // ...until asked: 40 traded at an average of 10.25
    er([
      [11, o.orderId],
      [17, "S1"],
      [150, "I"],
      [39, "1"],
      [14, "40"],
      [6, "10.25"],
      [151, "60"],
    ]);
    expect(await status).toEqual({
      orderId: o.orderId,
      known: true,
      state: "working",
      orderQty: "100",
      price: "10",
      cumQty: "40",
      fills: [{ execId: `${o.orderId}/S1`, lastQty: "40", lastPx: "10.25" }],
      reason: null,
    });
    expect(reports).toEqual([]); // a status answer is not an event: reconciliation books it
  });
});
