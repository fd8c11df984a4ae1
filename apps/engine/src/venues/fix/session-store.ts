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

type Line = { o: number; t?: string; b?: Field[]; st?: string } | { i: number } | { reset: true } | { x: unknown };

/**
 * Sequence numbers and sent application messages of one FIX session in one append-only file,
 * `<storeDir>/<BeginString>-<Sender>-<Target>.session.jsonl`, together with the adapter's own
 * records ("extras": what it knows of each order), so one write covers both. A message is on disk
 * (fdatasync) before it goes on the wire. The next sender number only ever moves forward: it is one
 * past the highest number ever stamped on a message.
 */
export class SessionStore {
  private readonly log: DurableLog<Line>;
  private readonly messages = new Map<number, StoredMessage>();
  nextSenderSeq = 1;
  nextTargetSeq = 1;

  constructor(storeDir: string, sessionKey: string, durability: "fsync" | "os" = "fsync") {
    this.log = new DurableLog(path.join(storeDir, `${sessionKey}.session.jsonl`), durability);
  }

  /** Loads the store; returns the extras in the order they were written. */
  open(): unknown[] {
    const extras: unknown[] = [];
    for (const line of this.log.open()) {
      if ("reset" in line) {
        this.messages.clear();
        this.nextSenderSeq = 1;
        this.nextTargetSeq = 1;
      } else if ("o" in line) {
        this.nextSenderSeq = Math.max(this.nextSenderSeq, line.o + 1);
        if (line.t && line.b && line.st) this.messages.set(line.o, { seq: line.o, msgType: line.t, body: line.b, sendingTime: line.st });
      } else if ("i" in line) {
        this.nextTargetSeq = line.i;
      } else {
        extras.push(line.x);
      }
    }
    return extras;
  }

  /** Makes everything written so far durable now. */
  flush(): void {
    this.log.flush();
  }

  close(): void {
    this.log.close();
  }

  /** Takes the next sender number and records it durably (with the message and extras, if any). */
  takeSenderSeq(app?: { msgType: string; body: Field[]; sendingTime: string }, extras: readonly unknown[] = []): number {
    const seq = this.nextSenderSeq;
    const lines: Line[] = extras.map((x) => ({ x }));
    lines.push(app ? { o: seq, t: app.msgType, b: app.body, st: app.sendingTime } : { o: seq });
    this.log.append(lines, true);
    this.nextSenderSeq = seq + 1;
    if (app) this.messages.set(seq, { seq, ...app });
    return seq;
  }

  /**
   * Advances the expected incoming number. Durable a moment later (same event-loop turn): losing it
   * in a crash only means the peer resends, and duplicates are dropped by ExecID.
   */
  setNextTargetSeq(next: number): void {
    if (next === this.nextTargetSeq) return;
    this.log.append([{ i: next }], false);
    this.nextTargetSeq = next;
  }

  /** Records an extra; `sync` makes it durable before returning. */
  note(extra: unknown, sync: boolean): void {
    this.log.append([{ x: extra }], sync);
  }

  sent(seq: number): StoredMessage | undefined {
    return this.messages.get(seq);
  }

  /** Both numbers back to 1 and the messages forgotten: only with ResetSeqNumFlag=Y. Extras stay. */
  reset(): void {
    this.log.append([{ reset: true }], true);
    this.messages.clear();
    this.nextSenderSeq = 1;
    this.nextTargetSeq = 1;
  }
}
