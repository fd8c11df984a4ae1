import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Field, FixMessage } from "./codec";
import { DurableLog } from "./durable-log";

/** One sent application message, kept so a peer's ResendRequest can be answered with it. */
export interface StoredMessage {
  seq: number;
  msgType: string;
  /** Body fields (after the standard header). */
  body: Field[];
  sendingTime: string;
}

/** A received application message as recorded (`r`: its MsgSeqNum), for the audit trail only. */
type ReceivedLine = { r: number; t: string; b: Field[]; st: string };
type Line = { o: number; t?: string; b?: Field[]; st?: string } | ReceivedLine | { i: number } | { reset: true } | { x: unknown };

/** One application message of the store, either way. */
export interface RecordedMessage extends StoredMessage {
  direction: "out" | "in";
}

/** The standard header and trailer: what `received` leaves out of the body it records. */
const HEADER = new Set([8, 9, 10, 34, 35, 49, 52, 56]);

/**
 * Sequence numbers and sent application messages of one FIX session in one append-only file,
 * (plus each received application message, not synced: for the audit trail, never read back here),
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

  /** The store's file (read by the audit trail's GET /v1/orders/:id/fix-messages). */
  get file(): string {
    return this.log.file;
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
      } else if ("r" in line) {
        // a received message: kept for the audit trail only
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

  /**
   * Records a received application message as it came (body without the standard header): one
   * write, not synced (the journal is the durable record of what it did; a crash may lose the last
   * few lines, which the peer's resend then records again).
   */
  received(m: FixMessage): void {
    const line: ReceivedLine = { r: m.seq, t: m.msgType, b: m.fields.filter(([tag]) => !HEADER.has(tag)), st: m.get(52) ?? "" };
    this.log.append([line], false);
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

/**
 * Every application message of a store file, in and out, oldest first, that `wanted` keeps. Streams
 * the file (bounded memory) and parses only lines that contain one of `needles` (session rejects
 * and business rejects, which name no order, are parsed too; `wanted` decides). `reset` is called
 * at each sequence reset (numbers start again at 1). Keeps the last `keepLast` (bounded memory);
 * `dropped` counts the older ones left out.
 */
export async function readRecordedMessages(
  file: string,
  needles: readonly string[],
  wanted: (m: RecordedMessage) => boolean,
  reset: () => void = () => undefined,
  keepLast = Number.POSITIVE_INFINITY,
): Promise<{ messages: RecordedMessage[]; dropped: number }> {
  const out: RecordedMessage[] = [];
  let dropped = 0;
  if (!existsSync(file)) return { messages: out, dropped };
  const stream = createReadStream(file, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const text of lines) {
      const refusal = text.startsWith('{"r":') && (text.includes('"t":"3"') || text.includes('"t":"j"'));
      if (text !== '{"reset":true}' && !refusal && !needles.some((n) => text.includes(n))) continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue; // a torn last line
      }
      if ("reset" in line) reset();
      const m = recorded(line);
      if (m && wanted(m)) out.push(m);
      if (out.length >= 2 * keepLast) dropped += out.splice(0, out.length - keepLast).length;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (out.length > keepLast) dropped += out.splice(0, out.length - keepLast).length;
  return { messages: out, dropped };
}

function recorded(line: Line): RecordedMessage | null {
  if ("r" in line) return { direction: "in", seq: line.r, msgType: line.t, body: line.b, sendingTime: line.st };
  if ("o" in line && line.t && line.b && line.st)
    return { direction: "out", seq: line.o, msgType: line.t, body: line.b, sendingTime: line.st };
  return null;
}
