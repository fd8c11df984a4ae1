import type { FixMessageView } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../harness";
import { buyAaplAndSettle, useExecutorAsOnlyVenue } from "./helpers";
import { type Acceptor, assertLoopbackOnly, startAcceptor } from "./quickfix";

type Answer = { orderId: string; messages: FixMessageView[]; truncated: boolean };
const value = (m: FixMessageView, tag: number) => m.fields.find(([t]) => t === tag)?.[2];

describe("GET /v1/orders/:id/fix-messages (engine with a QuickFIX executor, FIX.4.4)", () => {
  let acceptor: Acceptor;
  let h: Harness;
  beforeAll(async () => {
    assertLoopbackOnly();
    acceptor = await startAcceptor("executor", { beginString: "FIX.4.4", senderCompId: "EXECUTOR", clients: ["FILLMORE"] });
    h = await createHarness();
    await useExecutorAsOnlyVenue(h.pool, acceptor);
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
    await acceptor?.stop();
  });

  const submit = (clOrdId: string, ordType: "Limit" | "Market") => buyAaplAndSettle(h, clOrdId, ordType);

  it("lists the NewOrderSingle sent and the ExecutionReports received for a filled order, oldest first, with tag names", async () => {
    const order = await submit("FIXMSG-1", "Limit");
    expect(order).toMatchObject({ ordStatus: "Filled", venueId: "QF-EXEC" });
    const { status, json } = await h.api(`/v1/orders/${order.orderId}/fix-messages`);
    expect(status).toBe(200);
    const answer = json as unknown as Answer;
    expect(answer.orderId).toBe(order.orderId);
    expect(answer.truncated).toBe(false);
    const [first, ...rest] = answer.messages;
    expect(first).toMatchObject({ venueId: "QF-EXEC", direction: "out", msgType: "D", msgTypeName: "NewOrderSingle" });
    expect(first?.fields).toContainEqual([11, "ClOrdID", order.orderId]);
    expect(first?.fields).toContainEqual([38, "OrderQty", "100"]);
    expect(rest.length).toBeGreaterThanOrEqual(1); // QuickFIX's executor answers with the fill (an earlier New if it sends one)
    for (const m of rest) {
      expect(m).toMatchObject({ venueId: "QF-EXEC", direction: "in", msgType: "8", msgTypeName: "ExecutionReport" });
      expect(value(m, 11)).toBe(order.orderId);
      expect(m.sendingTime).toMatch(/^\d{8}-\d{2}:\d{2}:\d{2}/);
    }
    const seqs = rest.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const last = rest.at(-1) as FixMessageView;
    expect(value(last, 39)).toBe("2"); // Filled
    expect(value(last, 14)).toBe("100"); // CumQty
    expect(last.fields.find(([t]) => t === 32)?.[1]).toBe("LastQty");
  });

  it("another order's messages are not listed; an order never sent over FIX has none; unknown and bad ids are refused", async () => {
    const one = await submit("FIXMSG-2", "Limit");
    const two = await submit("FIXMSG-3", "Limit");
    const { json } = await h.api(`/v1/orders/${two.orderId}/fix-messages`);
    const ids = (json as unknown as Answer).messages.map((m) => value(m, 11));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id === two.orderId)).toBe(true);
    expect(ids).not.toContain(one.orderId);

    const market = await submit("FIXMSG-4", "Market"); // the venue takes limit orders only: refused before routing
    expect(market.ordStatus).toBe("Rejected");
    const none = await h.api(`/v1/orders/${market.orderId}/fix-messages`);
    expect(none).toMatchObject({ status: 200, json: { orderId: market.orderId, messages: [], truncated: false } });

    expect((await h.api("/v1/orders/NO-SUCH-ORDER/fix-messages")).status).toBe(404);
    expect((await h.api(`/v1/orders/${"x".repeat(200)}/fix-messages`)).status).toBe(400);
    expect((await h.api(`/v1/orders/${one.orderId}/fix-messages`, { token: null })).status).toBe(401);
  });
});
