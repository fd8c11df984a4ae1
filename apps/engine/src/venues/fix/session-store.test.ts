import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encode, parseMessage } from "./codec";
import { type RecordedMessage, readRecordedMessages, SessionStore } from "./session-store";

const KEY = "FIX.4.4-FILLMORE-EXECUTOR";
const dir = () => mkdtempSync(path.join(os.tmpdir(), "session-store-"));

/** An ExecutionReport as a peer frames it. */
function report(seq: number, clOrdId: string, ordStatus: string) {
  return parseMessage(
    encode("FIX.4.4", [
      [35, "8"],
      [49, "EXECUTOR"],
      [56, "FILLMORE"],
      [34, String(seq)],
      [52, "20261130-03:00:00.000"],
      [37, "V1"],
      [11, clOrdId],
      [17, `E${seq}`],
      [150, ordStatus],
      [39, ordStatus],
    ]),
  );
}

describe("SessionStore", () => {
  it("loads a file written before received messages were recorded (no r lines): numbers, sent messages and extras as before", () => {
    const storeDir = dir();
    const old = [{ x: { orderId: "O-1" } }, { o: 1 }, { o: 2, t: "D", b: [[11, "O-1"]], st: "20261130-03:00:00.000" }, { i: 3 }];
    writeFileSync(path.join(storeDir, `${KEY}.session.jsonl`), `${old.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const store = new SessionStore(storeDir, KEY, "os");
    expect(store.open()).toEqual([{ orderId: "O-1" }]);
    expect(store.nextSenderSeq).toBe(3);
    expect(store.nextTargetSeq).toBe(3);
    expect(store.sent(2)).toEqual({ seq: 2, msgType: "D", body: [[11, "O-1"]], sendingTime: "20261130-03:00:00.000" });
    store.close();
  });

  it("records a received message (body without the header) without changing numbers or extras, and loads it back the same", async () => {
    const storeDir = dir();
    const store = new SessionStore(storeDir, KEY, "os");
    store.open();
    store.takeSenderSeq({ msgType: "D", body: [[11, "O-1"]], sendingTime: "20261130-02:59:59.000" }, [{ orderId: "O-1" }]);
    store.received(report(1, "O-1", "0"));
    store.setNextTargetSeq(2);
    store.received(report(2, "O-2", "2"));
    store.close();

    const lines = readFileSync(store.file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[2] ?? "")).toEqual({
      r: 1,
      t: "8",
      b: [
        [37, "V1"],
        [11, "O-1"],
        [17, "E1"],
        [150, "0"],
        [39, "0"],
      ],
      st: "20261130-03:00:00.000",
    });

    const again = new SessionStore(storeDir, KEY, "os");
    expect(again.open()).toEqual([{ orderId: "O-1" }]);
    expect(again.nextSenderSeq).toBe(2);
    expect(again.nextTargetSeq).toBe(2);
    again.close();

    const isO1 = (m: RecordedMessage) => m.body.some(([t, v]) => t === 11 && v === "O-1");
    const forO1 = await readRecordedMessages(store.file, ["O-1"], isO1);
    expect(forO1.dropped).toBe(0);
    expect(forO1.messages.map((m) => [m.direction, m.seq, m.msgType])).toEqual([
      ["out", 1, "D"],
      ["in", 1, "8"],
    ]);
    const last = await readRecordedMessages(store.file, ["O-1"], isO1, undefined, 1);
    expect(last).toMatchObject({ dropped: 1, messages: [{ direction: "in", seq: 1, msgType: "8" }] });
  });

  it("reading a store that does not exist finds nothing", async () => {
    expect(await readRecordedMessages(path.join(dir(), "none.session.jsonl"), ["O-1"], () => true)).toEqual({ messages: [], dropped: 0 });
  });
});
