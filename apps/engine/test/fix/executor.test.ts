import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, kinds, order, until, wire } from "./helpers";
import { type Acceptor, assertLoopbackOnly, startAcceptor } from "./quickfix";

describe.each(["FIX.4.4", "FIX.4.2"] as const)("FIX venue against QuickFIX executor (%s)", (beginString) => {
  let acceptor: Acceptor;
  beforeAll(async () => {
    assertLoopbackOnly();
    acceptor = await startAcceptor("executor", { beginString, senderCompId: "EXECUTOR", clients: ["FILLMORE"] });
  });
  afterAll(async () => {
    await acceptor?.stop();
  });
  const connect = () => client(acceptor, { beginString, senderCompId: "FILLMORE", targetCompId: "EXECUTOR", ordTypes: ["Limit"] });

  it("fills a limit order in full at its price, and keeps what it knows for getOrderStatus", async () => {
    const { venue, reports, lines } = await connect();
    const o = order({ price: "123.45", orderQty: "100" });
    await venue.submitOrder(o);
    await until(
      () => kinds(reports).includes("fill"),
      () => lines.join("\n"),
    );
    expect(reports).toEqual([
      { kind: "fill", orderId: o.orderId, execId: expect.stringContaining(`${o.orderId}/`), lastQty: "100", lastPx: "123.45" },
    ]);
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({
      known: true,
      state: "filled",
      cumQty: "100",
      fills: [reports[0]].map((r) => r && "execId" in r && { execId: r.execId, lastQty: "100", lastPx: "123.45" }),
    });
    expect(await venue.getOrderStatus("never-sent")).toEqual({ orderId: "never-sent", known: false });
    await venue.disconnect();
  });

  it("surfaces the session Reject of a market order as a venue rejection of that order", async () => {
    const { venue, reports, lines } = await connect();
    const o = order({ ordType: "Market", price: undefined });
    await venue.submitOrder(o);
    await until(
      () => reports.length > 0,
      () => lines.join("\n"),
    );
    expect(wire(lines, "<<", "3")).toHaveLength(1);
    expect(reports).toEqual([{ kind: "rejected", orderId: o.orderId, reason: expect.stringContaining("tag 40") }]);
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ known: true, state: "rejected" });
    await venue.disconnect();
  });
});
