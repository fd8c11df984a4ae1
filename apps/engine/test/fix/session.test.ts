import { afterEach, describe, expect, it } from "vitest";
import { type Field, type FixMessage, Tag, utcTimestamp } from "../../src/venues/fix/codec";
import { FixSession } from "../../src/venues/fix/session";
import { fakePeer } from "./fake-peer";
import { tempDir, until } from "./helpers";

type Peer = Awaited<ReturnType<typeof fakePeer>>;

const sessions: FixSession[] = [];
const peers: Peer[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) {
    s.dropConnection();
    await s.stop();
  }
  for (const p of peers.splice(0)) await p.close();
});

async function setup(options: { heartBtInt?: number; storeDir?: string; peerSeq?: number } = {}) {
  const peer = await fakePeer();
  peers.push(peer);
  const app: FixMessage[] = [];
  const storeDir = options.storeDir ?? tempDir("fix-session-");
  const session = new FixSession(
    {
      host: "127.0.0.1",
      port: peer.port,
      beginString: "FIX.4.4",
      senderCompId: "US",
      targetCompId: "PEER",
      heartBtInt: options.heartBtInt ?? 30,
      storeDir,
      reconnectMs: 50,
    },
    { onApp: (m) => app.push(m) },
  );
  sessions.push(session);
  const loggedOn = session.start();
  await until(
    () => peer.of("A").length > 0,
    () => "no logon",
  );
  peer.send("A", options.peerSeq ?? 1, [
    [98, "0"],
    [108, String(options.heartBtInt ?? 30)],
  ]);
  await loggedOn;
  return { peer, session, app, storeDir };
}

const er = (id: string): Field[] => [
  [Tag.ClOrdID, id],
  [Tag.ExecID, id],
  [Tag.ExecType, "0"],
  [Tag.OrdStatus, "0"],
];

describe("FIX session layer against a scripted peer", () => {
  it("keeps its sequence numbers across a restart of the process", async () => {
    const { peer, session, storeDir } = await setup();
    session.sendApp("D", [[11, "A"]]);
    peer.send("8", 2, er("A"));
    await until(
      () => session.store.nextTargetSeq === 3,
      () => "no ER",
    );
    session.dropConnection();
    await session.stop();
    sessions.splice(0);

    const next = new FixSession(
      { host: "127.0.0.1", port: peer.port, beginString: "FIX.4.4", senderCompId: "US", targetCompId: "PEER", heartBtInt: 30, storeDir },
      { onApp: () => undefined },
    );
    sessions.push(next);
    expect(next.store.nextSenderSeq).toBe(3);
    expect(next.store.nextTargetSeq).toBe(3);
    expect(next.store.sent(2)).toMatchObject({ msgType: "D", body: [[11, "A"]] });
  });

  it("answers a bounded ResendRequest with PossDup copies and gap fills, and never winds its number back", async () => {
    const { peer, session } = await setup();
    session.sendApp("D", [[11, "A"]]); // 2
    peer.send("1", 2, [[Tag.TestReqID, "T"]]); // we answer with a Heartbeat: 3
    await until(
      () => peer.of("0").length === 1,
      () => "no heartbeat",
    );
    session.sendApp("D", [[11, "B"]]); // 4
    session.sendApp("F", [[11, "C"]]); // 5
    await until(
      () => peer.received.length === 5,
      () => "not sent",
    );
    const before = session.store.nextSenderSeq;
    peer.received.length = 0;
    peer.send("2", 3, [
      [Tag.BeginSeqNo, "1"],
      [Tag.EndSeqNo, "4"],
    ]);
    await until(
      () => peer.received.length === 4,
      () => JSON.stringify(peer.received.map((m) => m.raw)),
    );
    expect(peer.received.map((m) => [m.seq, m.msgType, m.possDup, m.get(Tag.NewSeqNo) ?? m.get(11)])).toEqual([
      [1, "4", true, "2"],
      [2, "D", true, "A"],
      [3, "4", true, "4"],
      [4, "D", true, "B"],
    ]);
    expect(peer.received[1]?.get(Tag.OrigSendingTime)).toMatch(/^\d{8}-\d\d:\d\d:\d\d\.\d{3}$/);
    expect(session.store.nextSenderSeq).toBe(before);
    session.sendApp("D", [[11, "E"]]);
    await until(
      () => peer.received.length === 5,
      () => "not sent",
    );
    expect(peer.received[4]?.seq).toBe(before);
  });

  it("asks for a gap, delivers nothing past it until it is filled, then everything once in order", async () => {
    const { peer, session, app } = await setup();
    peer.send("8", 4, er("X4")); // 2 and 3 missing
    peer.send("8", 5, er("X5"));
    await until(
      () => peer.of("2").length === 1,
      () => "no ResendRequest",
    );
    expect(peer.of("2")[0]?.get(Tag.BeginSeqNo)).toBe("2");
    expect(peer.of("2")[0]?.get(Tag.EndSeqNo)).toBe("0");
    expect(app).toEqual([]);
    const dup: Field[] = [
      [Tag.PossDupFlag, "Y"],
      [Tag.OrigSendingTime, utcTimestamp()],
    ];
    peer.send(
      "4",
      2,
      [
        [Tag.GapFillFlag, "Y"],
        [Tag.NewSeqNo, "3"],
      ],
      dup,
    );
    peer.send("8", 3, er("X3"), dup);
    peer.send("8", 4, er("X4"), dup);
    peer.send("8", 5, er("X5"), dup);
    peer.send("8", 4, er("X4"), dup); // a stray duplicate below the expected number
    peer.send("8", 6, er("X6"));
    await until(
      () => app.length === 4,
      () => JSON.stringify(app.map((m) => m.get(11))),
    );
    expect(app.map((m) => m.get(11))).toEqual(["X3", "X4", "X5", "X6"]);
    expect(session.store.nextTargetSeq).toBe(7);
    expect(peer.of("2")).toHaveLength(1);
  });

  it("follows a SequenceReset-Reset wherever it lands", async () => {
    const { peer, session } = await setup();
    peer.send("4", 9, [[Tag.NewSeqNo, "20"]]);
    await until(
      () => session.store.nextTargetSeq === 20,
      () => String(session.store.nextTargetSeq),
    );
    expect(peer.of("2")).toEqual([]);
  });

  it("logs out when the peer's number is too low without PossDup", async () => {
    const { peer, session } = await setup();
    peer.send("0", 2);
    await until(
      () => session.store.nextTargetSeq === 3,
      () => "no heartbeat",
    );
    peer.send("0", 2);
    await until(
      () => peer.of("5").length === 1,
      () => "no logout",
    );
    expect(peer.of("5")[0]?.get(Tag.Text)).toBe("MsgSeqNum too low, expecting 3 but received 2");
  });

  it("heartbeats when quiet, tests a silent peer and drops it when it stays silent", async () => {
    const { peer } = await setup({ heartBtInt: 1 });
    await until(
      () => peer.of("0").length > 0,
      () => "no heartbeat",
      3000,
    );
    await until(
      () => peer.of("1").length === 1,
      () => "no TestRequest",
      3000,
    );
    await until(
      () => peer.connections() === 2,
      () => "did not reconnect",
      5000,
    );
  });
});
