import path from "node:path";
import type { Field } from "./codec";
import { DurableLog } from "./durable-log";

/** One sent application message, kept so a peer's ResendRequest can be answered with it. */
export interface StoredMessage {
  seq: number;
  msgType: string;
  /** Body fields (after the standard header). */
  body: Field[];
  sendingTime: string;
}

type Line = { o: number; t?: string; b?: Field[]; st?: string } | { i: number } | { reset: true };

/**
 * Sequence numbers and sent application messages of one FIX session, durable (fdatasync per
 * record) in `<storeDir>/<BeginString>-<Sender>-<Target>.session.jsonl`. The next sender number
 * only ever moves forward: it is one past the highest number ever stamped on a message.
 */
export class SessionStore {
  private readonly log: DurableLog<Line>;
  private readonly messages = new Map<number, StoredMessage>();
  nextSenderSeq = 1;
  nextTargetSeq = 1;

  constructor(storeDir: string, sessionKey: string) {
    this.log = new DurableLog(path.join(storeDir, `${sessionKey}.session.jsonl`));
  }

  open(): void {
    for (const line of this.log.open()) {
      if ("reset" in line) {
        this.messages.clear();
        this.nextSenderSeq = 1;
        this.nextTargetSeq = 1;
      } else if ("o" in line) {
        this.nextSenderSeq = Math.max(this.nextSenderSeq, line.o + 1);
        if (line.t && line.b && line.st) this.messages.set(line.o, { seq: line.o, msgType: line.t, body: line.b, sendingTime: line.st });
      } else {
        this.nextTargetSeq = line.i;
      }
    }
  }

  close(): void {
    this.log.close();
  }

  /** Takes the next sender number and records it (with the message, for application messages). */
  takeSenderSeq(app?: { msgType: string; body: Field[]; sendingTime: string }): number {
    const seq = this.nextSenderSeq;
    this.log.append(app ? { o: seq, t: app.msgType, b: app.body, st: app.sendingTime } : { o: seq });
    this.nextSenderSeq = seq + 1;
    if (app) this.messages.set(seq, { seq, ...app });
    return seq;
  }

  setNextTargetSeq(next: number): void {
    if (next === this.nextTargetSeq) return;
    this.log.append({ i: next });
    this.nextTargetSeq = next;
  }

  sent(seq: number): StoredMessage | undefined {
    return this.messages.get(seq);
  }

  /** Both numbers back to 1 and the messages forgotten: only with ResetSeqNumFlag=Y. */
  reset(): void {
    this.log.append({ reset: true });
    this.messages.clear();
    this.nextSenderSeq = 1;
    this.nextTargetSeq = 1;
  }
}
