import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "../harness";
import { client, order, tempDir } from "./helpers";
import { type Acceptor, assertLoopbackOnly, startAcceptor } from "./quickfix";

// The operator's path from the issue, with no restart: an instrument and QuickFIX's ordermatch added
// through the engine's admin API while the engine runs (connection test first), then a partial fill
// against another session, the remainder cancelled, and the position right. The venue row is the one
// docs/ADAPTERS.md shows (modify false: ordermatch refuses every replace; feeBps set, so undirected
// flow is not sent there because it looks free).

const ADMIN = "user:admin@test";

/** The ordermatch row exactly as docs/ADAPTERS.md shows it (the JSON block after its example marker). */
function documentedRow(): Record<string, unknown> {
  const doc = readFileSync(path.resolve(import.meta.dirname, "../../../../docs/ADAPTERS.md"), "utf8");
  const after = doc.slice(doc.indexOf("<!-- example:ordermatch-venue"));
  const block = /```json\n([\s\S]*?)```/.exec(after)?.[1];
  if (!block) throw new Error("docs/ADAPTERS.md has no ordermatch example row");
  return JSON.parse(block);
}

describe("a FIX venue added at runtime (QuickFIX ordermatch, FIX.4.2)", () => {
  let acceptor: Acceptor;
  let h: Harness;
  let row: { id: string; name: string; kind: "fix"; config: Record<string, unknown> };

  beforeAll(async () => {
    assertLoopbackOnly();
    const documented = documentedRow();
    // The peer as the doc names it: ordermatch on the row's port (this namespace has only loopback, so it is free).
    acceptor = await startAcceptor("ordermatch", {
      beginString: "FIX.4.2",
      senderCompId: "ORDERMATCH",
      clients: ["FILLMORE", "OTHER"],
      port: Number(documented.port),
    });
    h = await createHarness({ ROUTING_POLICY: "lowestCost" });
    const engine = await h.start();
    await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "10" } }, "user:test");
    row = {
      id: "QF-OM",
      name: "QuickFIX ordermatch",
      kind: "fix",
      // Verbatim but for the store, which a test keeps in a temp directory.
      config: { ...documented, storeDir: tempDir("fix-admin-") },
    };
  });
  afterAll(async () => {
    await h?.close();
    await acceptor?.stop();
  });

  const engine = () => {
    if (!h.engine) throw new Error("engine not started");
    return h.engine;
  };
  const buy = (clOrdId: string, extra: Record<string, unknown> = {}) =>
    engine().orders.submit(
      {
        clOrdId,
        accountId: "ACC-ALPHA",
        symbol: "OMX",
        side: "Buy",
        ordType: "Limit",
        timeInForce: "DAY",
        orderQty: "100",
        price: "10.00",
        ...extra,
      } as Parameters<ReturnType<typeof engine>["orders"]["submit"]>[0],
      "user:trader",
    );

  it("tests the connection step by step: logon, heartbeat, logout", async () => {
    const res = await h.api("/v1/admin/venues/test", { body: { actor: ADMIN, venue: row } });
    expect(res.status).toBe(200);
    expect(res.json.ok).toBe(true);
    expect(res.json.steps.map((s: { step: string; ok: boolean }) => [s.step, s.ok])).toEqual([
      ["settings", true],
      ["logon", true],
      ["heartbeat", true],
      ["logout", true],
    ]);
  });

  it("adds the instrument and the venue without a restart and trades on it: partial fill, cancel of the rest, position right", async () => {
    const instrument = await h.api("/v1/admin/instruments", {
      body: {
        actor: ADMIN,
        reason: "list OMX for the ordermatch venue",
        instrument: { symbol: "OMX", name: "Ordermatch test stock", tickSize: "0.01", lotSize: "1", refPrice: "10.00" },
      },
    });
    expect(instrument.status).toBe(200);
    const added = await h.api("/v1/admin/venues", { body: { actor: ADMIN, reason: "add QuickFIX ordermatch as a venue", venue: row } });
    expect(added.status).toBe(200);
    await until(() => (engine().venues.get("QF-OM")?.isHealthy() ? true : undefined), 10_000);

    // Undirected flow goes to the cheaper simulators, not to the new venue.
    const undirected = await buy("OM-U1");
    const routed = (
      await h.pool.query("SELECT payload FROM journal WHERE type = 'RouteDecided' AND order_id = $1", [undirected.order.orderId])
    ).rows[0];
    expect(undirected.order.venueId, JSON.stringify(routed)).not.toBe("QF-OM");

    const mine = await buy("OM-1", { venueId: "QF-OM" });
    expect(mine.order.venueId).toBe("QF-OM");
    await until(() => (engine().orders.get(mine.order.orderId)?.ordStatus === "Accepted" ? true : undefined));

    // A second session sells 40 into our bid.
    const other = await client(acceptor, {
      beginString: "FIX.4.2",
      senderCompId: "OTHER",
      targetCompId: "ORDERMATCH",
      timeInForces: ["DAY"],
    });
    await other.venue.submitOrder(order({ symbol: "OMX", side: "Sell", price: "10.00", orderQty: "40", timeInForce: "DAY" }));
    const partial = await until(() => {
      const o = engine().orders.get(mine.order.orderId);
      return o?.ordStatus === "PartiallyFilled" ? o : undefined;
    });
    expect(partial).toMatchObject({ cumQty: "40", leavesQty: "60", avgPx: "10" });

    // ordermatch refuses replaces; the row says so, so the engine refuses a modify itself.
    await expect(engine().orders.modify({ orderId: mine.order.orderId, orderQty: "90" }, "user:trader")).rejects.toThrow(/cancel\/replace/);
    // Market orders are not in the row's capabilities: refused with the reason, never sent.
    const market = await buy("OM-M", { venueId: "QF-OM", ordType: "Market", price: undefined });
    expect(market.order.ordStatus).toBe("Rejected");
    expect(market.order.rejectReason).toMatch(/directed to QF-OM, which does not take this order type/);

    await engine().orders.cancel(mine.order.orderId, "user:trader");
    const done = await until(() => {
      const o = engine().orders.get(mine.order.orderId);
      return o?.ordStatus === "Cancelled" ? o : undefined;
    });
    expect(done).toMatchObject({ cumQty: "40" });
    const positions = (await h.api("/v1/positions")).json.positions as { accountId: string; symbol: string; qty: string }[];
    expect(positions.find((p) => p.accountId === "ACC-ALPHA" && p.symbol === "OMX")?.qty).toBe(
      undirectedFilledQty(undirected.order.orderId),
    );
    await other.venue.disconnect();
  });

  /** The position is our 40 at ordermatch plus whatever the simulator filled of the undirected order. */
  function undirectedFilledQty(orderId: string): string {
    const sim = engine().orders.get(orderId)?.cumQty ?? "0";
    return String(40 + Number(sim));
  }
});
