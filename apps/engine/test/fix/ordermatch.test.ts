import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, kinds, order, until, wire } from "./helpers";
import { type Acceptor, assertLoopbackOnly, startAcceptor } from "./quickfix";

describe("FIX venue against QuickFIX ordermatch (FIX.4.2)", () => {
  let acceptor: Acceptor;
  beforeAll(async () => {
    assertLoopbackOnly();
    acceptor = await startAcceptor("ordermatch", { beginString: "FIX.4.2", senderCompId: "ORDERMATCH", clients: ["FILLMORE", "OTHER"] });
  });
  afterAll(async () => {
    await acceptor?.stop();
  });
  const connect = (senderCompId = "FILLMORE") =>
    client(acceptor, { beginString: "FIX.4.2", senderCompId, targetCompId: "ORDERMATCH", timeInForces: ["DAY"] });

  it("fills crossing orders in part and cancels the remainder", async () => {
    const { venue, reports, lines } = await connect();
    const buy = order({ symbol: "CROSS", side: "Buy", price: "10.5", orderQty: "100" });
    const sell = order({ symbol: "CROSS", side: "Sell", price: "10.4", orderQty: "40" });
    await venue.submitOrder(buy);
    await venue.submitOrder(sell);
    await until(
      () => kinds(reports, sell.orderId).includes("fill") && kinds(reports, buy.orderId).includes("fill"),
      () => lines.join("\n"),
    );
    expect(reports.filter((r) => r.orderId === buy.orderId)).toEqual([
      { kind: "accepted", orderId: buy.orderId, venueOrderId: buy.orderId },
      { kind: "fill", orderId: buy.orderId, execId: expect.any(String), lastQty: "40", lastPx: "10.4" },
    ]);
    expect(reports.filter((r) => r.orderId === sell.orderId)).toEqual([
      { kind: "accepted", orderId: sell.orderId, venueOrderId: sell.orderId },
      { kind: "fill", orderId: sell.orderId, execId: expect.any(String), lastQty: "40", lastPx: "10.4" },
    ]);
    expect(await venue.getOrderStatus(buy.orderId)).toMatchObject({ state: "working", cumQty: "40" });

    await venue.cancelOrder({ ...buy, lastSeq: buy.lastSeq + 10 });
    await until(
      () => kinds(reports, buy.orderId).includes("cancelled"),
      () => lines.join("\n"),
    );
    expect(kinds(reports, buy.orderId)).toEqual(["accepted", "fill", "cancelled"]);
    expect(wire(lines, ">>", "F")[0]).toContain(`|41=${buy.orderId}|11=${buy.orderId}.C${buy.lastSeq + 10}|`);
    expect(await venue.getOrderStatus(buy.orderId)).toMatchObject({
      state: "cancelled",
      cumQty: "40",
      fills: [{ lastQty: "40", lastPx: "10.4" }],
    });
    await venue.disconnect();
  });

  it("crosses orders of two sessions against each other", async () => {
    const a = await connect("FILLMORE");
    const b = await connect("OTHER");
    const bid = order({ symbol: "TWO", side: "Buy", price: "20", orderQty: "50" });
    const offer = order({ symbol: "TWO", side: "Sell", price: "20", orderQty: "80" });
    await a.venue.submitOrder(bid);
    await b.venue.submitOrder(offer);
    await until(
      () => kinds(a.reports).includes("fill") && kinds(b.reports).includes("fill"),
      () => a.lines.join("\n"),
    );
    expect(kinds(a.reports)).toEqual(["accepted", "fill"]);
    expect(b.reports.at(-1)).toMatchObject({ kind: "fill", lastQty: "50", lastPx: "20" });
    await a.venue.disconnect();
    await b.venue.disconnect();
  });

  it("sends a cancel/replace chained on the live ClOrdID; ordermatch refuses it and the order keeps working", async () => {
    const { venue, reports, lines } = await connect();
    const o = order({ symbol: "REPL", side: "Buy", price: "5", orderQty: "10" });
    await venue.submitOrder(o);
    await until(
      () => kinds(reports).includes("accepted"),
      () => lines.join("\n"),
    );
    await venue.modifyOrder({ ...o, lastSeq: 77 }, { orderQty: "20", price: "5.1", stopPx: null });
    await until(
      () => kinds(reports).includes("replaceRejected"),
      () => lines.join("\n"),
    );
    const [g] = wire(lines, ">>", "G");
    expect(g).toContain(`|41=${o.orderId}|11=${o.orderId}.R77|21=1|55=REPL|54=1|`);
    expect(g).toContain("|38=20|40=2|44=5.1|59=0|");
    expect(reports.at(-1)).toEqual({ kind: "replaceRejected", orderId: o.orderId, reason: expect.stringContaining("business reject") });
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ state: "working", orderQty: "10", price: "5" });
    await venue.disconnect();
  });

  it("maps ordermatch's ExecutionReport rejection (TIF other than Day) onto a venue rejection", async () => {
    const { venue, reports, lines } = await connect();
    const o = order({ symbol: "GTC", timeInForce: "GTC" });
    await venue.submitOrder(o);
    await until(
      () => reports.length > 0,
      () => lines.join("\n"),
    );
    expect(reports).toEqual([{ kind: "rejected", orderId: o.orderId, reason: "Unsupported TIF, use Day" }]);
    expect(await venue.getOrderStatus(o.orderId)).toMatchObject({ known: true, state: "rejected", reason: "Unsupported TIF, use Day" });
    await venue.disconnect();
  });

  it("refuses a cancel of an order it never sent, without asking the venue", async () => {
    const { venue, reports, lines } = await connect();
    await venue.cancelOrder(order({ symbol: "NONE" }, "O-unknown"));
    expect(reports).toEqual([{ kind: "cancelRejected", orderId: "O-unknown", reason: expect.stringContaining("never received") }]);
    expect(wire(lines, ">>", "F")).toEqual([]);
    await venue.disconnect();
  });
});
