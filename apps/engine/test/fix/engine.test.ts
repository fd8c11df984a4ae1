import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../harness";
import { buyAaplAndSettle, useExecutorAsOnlyVenue } from "./helpers";
import { type Acceptor, assertLoopbackOnly, executions, startAcceptor } from "./quickfix";

describe("the engine trading through a FIX venue (QuickFIX executor, FIX.4.4)", () => {
  let acceptor: Acceptor;
  let h: Harness;
  beforeAll(async () => {
    assertLoopbackOnly();
    acceptor = await startAcceptor("executor", { beginString: "FIX.4.4", senderCompId: "EXECUTOR", clients: ["FILLMORE"] });
    h = await createHarness();
    await useExecutorAsOnlyVenue(h.pool, acceptor);
  });
  afterAll(async () => {
    await h?.close();
    await acceptor?.stop();
  });

  const submit = (clOrdId: string) => buyAaplAndSettle(h, clOrdId);

  it("routes an order to the venue and books its fill; after a restart the session goes on and nothing is sent twice", async () => {
    const engine = await h.start();
    expect(engine.venues.get("QF-EXEC")?.isHealthy()).toBe(true);
    const first = await submit("ENG-1");
    expect(first).toMatchObject({ ordStatus: "Filled", venueId: "QF-EXEC", cumQty: "100", avgPx: expect.any(String) });

    await engine.stop();
    const again = await h.start();
    expect(again.venues.get("QF-EXEC")?.isHealthy()).toBe(true);
    const second = await submit("ENG-2");
    expect(second).toMatchObject({ ordStatus: "Filled", venueId: "QF-EXEC" });
    expect(executions([acceptor.output()], first.orderId)).toBe(1);
    expect(executions([acceptor.output()], second.orderId)).toBe(1);
    expect(acceptor.output()).not.toContain("MsgSeqNum too low");
  });
});
