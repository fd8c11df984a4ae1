import { appendFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Client, client, kinds, order, tempDir, until, wire } from "./helpers";
import { type Acceptor, assertLoopbackOnly, executions, startAcceptor } from "./quickfix";

const BEGIN = "FIX.4.4" as const;
const session = { beginString: BEGIN, senderCompId: "FILLMORE", targetCompId: "EXECUTOR", ordTypes: ["Limit" as const] };

describe("FIX session recovery against QuickFIX executor", () => {
  let acceptor: Acceptor;
  const outputs: string[] = [];
  const clients: Client[] = [];
  const connect = async (storeDir?: string) => {
    const c = await client(acceptor, { ...session, statusTimeoutMs: 300, ...(storeDir ? { storeDir } : {}) });
    clients.push(c);
    return c;
  };
  const restartAcceptor = async (whileDown: (a: Acceptor) => Promise<void>) => {
    await acceptor.stop();
    outputs.push(acceptor.output());
    await whileDown(acceptor);
    acceptor = await startAcceptor("executor", {
      beginString: BEGIN,
      senderCompId: "EXECUTOR",
      clients: ["FILLMORE"],
      port: acceptor.port,
      dir: acceptor.dir,
    });
  };
  const allOutputs = () => [...outputs, acceptor.output()];
  const log = (c: Client) => () => `${c.lines.join("\n")}\n--- acceptor ---\n${acceptor.output()}`;

  beforeEach(async () => {
    assertLoopbackOnly();
    outputs.length = 0;
    acceptor = await startAcceptor("executor", { beginString: BEGIN, senderCompId: "EXECUTOR", clients: ["FILLMORE"] });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.venue.disconnect().catch(() => undefined);
    await acceptor?.stop();
  });

  it("loses no order when the connection drops mid-order, and the sequence carries on", async () => {
    const c = await connect();
    const a = order({ price: "11" });
    const b = order({ price: "12" });
    const outBefore = c.venue.session.store.nextSenderSeq;
    await c.venue.submitOrder(a);
    c.venue.session.dropConnection(); // the order, or its fill, may be lost on the wire
    await c.venue.submitOrder(b); // stored while logged off, sent when the peer asks for it
    await until(() => c.venue.isHealthy(), log(c));
    await until(() => kinds(c.reports).filter((k) => k === "fill").length === 2, log(c), 10_000);
    expect(kinds(c.reports, a.orderId)).toEqual(["fill"]);
    expect(kinds(c.reports, b.orderId)).toEqual(["fill"]);
    expect(executions(allOutputs(), a.orderId)).toBe(1);
    expect(executions(allOutputs(), b.orderId)).toBe(1);
    // b went out again as a PossDup resend with its original number
    expect(wire(c.lines, ">>", "D").some((l) => l.includes(`|11=${b.orderId}|`) && l.includes("|43=Y|"))).toBe(true);
    expect(c.venue.session.store.nextSenderSeq).toBeGreaterThan(outBefore + 2);
    const after = order({ price: "13" });
    await c.venue.submitOrder(after);
    await until(() => kinds(c.reports, after.orderId).includes("fill"), log(c));
  });

  it("answers the peer's ResendRequest after it restarts with a stale store: no order lost, none executed twice", async () => {
    const c = await connect();
    const a = order({ price: "21" });
    await c.venue.submitOrder(a);
    await until(() => kinds(c.reports, a.orderId).includes("fill"), log(c));
    const stale = acceptor.seqnums("EXECUTOR", "FILLMORE").nextTarget;
    // more traffic the acceptor will forget: a logout and a new logon
    await c.venue.session.stop();
    const again = await connect(c.config.storeDir);
    const maxSeqSeen = again.venue.session.store.nextSenderSeq;

    const b = order({ price: "22" });
    const d = order({ price: "23" });
    await restartAcceptor(async (acc) => {
      acc.setNextTarget("EXECUTOR", "FILLMORE", stale);
      // while it is down two orders are submitted: they wait in our store
      await until(() => !again.venue.isHealthy(), log(again));
      await again.venue.submitOrder(b);
      await again.venue.submitOrder(d);
    });
    await until(() => kinds(again.reports).filter((k) => k === "fill").length === 2, log(again), 15_000);

    const resendRequests = acceptor
      .output()
      .split("\n")
      .filter((l) => l.replaceAll("\x01", "|").includes("|35=2|"));
    expect(resendRequests.some((l) => l.replaceAll("\x01", "|").includes(`|7=${stale}|`))).toBe(true);
    expect(wire(again.lines, ">>", "4").some((l) => l.includes("|123=Y|"))).toBe(true);
    for (const o of [a, b, d]) expect(executions(allOutputs(), o.orderId)).toBe(1);
    expect(kinds(again.reports, b.orderId)).toEqual(["fill"]);
    expect(kinds(again.reports, d.orderId)).toEqual(["fill"]);
    // the resend did not wind our number back: new messages continue above everything sent
    expect(again.venue.session.store.nextSenderSeq).toBeGreaterThan(maxSeqSeen);
    const e = order({ price: "24" });
    await again.venue.submitOrder(e);
    await until(() => kinds(again.reports, e.orderId).includes("fill"), log(again));
    expect(acceptor.output()).not.toContain("MsgSeqNum too low");
  });

  it("asks for an incoming gap, applies the gap fill and drops PossDup reports it already has", async () => {
    const storeDir = tempDir("fix-gap-");
    const c = await connect(storeDir);
    const a = order({ price: "31" });
    await c.venue.submitOrder(a);
    await until(() => kinds(c.reports, a.orderId).includes("fill"), log(c));
    const expectedIn = c.venue.session.store.nextTargetSeq;
    await c.venue.disconnect();
    // lose the last incoming messages: the store now expects an older number
    appendFileSync(path.join(storeDir, `${BEGIN}-FILLMORE-EXECUTOR.session.jsonl`), `${JSON.stringify({ i: expectedIn - 2 })}\n`);

    const again = await connect(storeDir);
    await until(() => again.venue.session.store.nextTargetSeq > expectedIn, log(again));
    expect(wire(again.lines, ">>", "2")[0]).toContain(`|7=${expectedIn - 2}|16=0|`);
    expect(wire(again.lines, "<<", "8").some((l) => l.includes("|43=Y|") && l.includes(`|11=${a.orderId}|`))).toBe(true);
    expect(wire(again.lines, "<<", "4").length).toBeGreaterThan(0);
    expect(again.reports).toEqual([]); // the resent fill was a duplicate
    expect(again.venue.record(a.orderId)?.fills).toHaveLength(1);
    // after the restart the order is known from the store: submitting it again sends nothing
    await again.venue.submitOrder(a);
    expect(wire(again.lines, ">>", "D")).toEqual([]);
    expect(await again.venue.getOrderStatus(a.orderId)).toMatchObject({ known: true, state: "filled", cumQty: "100" });
    const b = order({ price: "32" });
    await again.venue.submitOrder(b);
    await until(() => kinds(again.reports, b.orderId).includes("fill"), log(again));
    expect(kinds(again.reports)).toEqual(["fill"]);
  });

  it("asks with OrderStatusRequest about an order whose outcome is unknown, and says so rather than guess", async () => {
    const c = await connect();
    const a = order({ price: "41" });
    await restartAcceptor(async () => {
      await until(() => !c.venue.isHealthy(), log(c));
      await c.venue.submitOrder(a);
      await expect(c.venue.getOrderStatus(a.orderId)).rejects.toThrow(/outcome unknown|no answer/);
    });
    await until(() => kinds(c.reports, a.orderId).includes("fill"), log(c), 10_000);
    expect(wire(c.lines, ">>", "H").some((l) => l.includes(`|11=${a.orderId}|`))).toBe(true);
    expect(await c.venue.getOrderStatus(a.orderId)).toMatchObject({ known: true, state: "filled", cumQty: "100" });
    expect(executions(allOutputs(), a.orderId)).toBe(1);
  });
});
