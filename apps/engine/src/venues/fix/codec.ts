/**
 * A minimal FIX tag=value codec: BeginString, BodyLength and CheckSum framing, fields kept in wire
 * order. Repeating groups are not interpreted (the adapter reads no group), so fields are a list.
 */
export const SOH = "\x01";

export type Field = readonly [tag: number, value: string];

export interface FixMessage {
  /** Every field in wire order, header and trailer included. */
  fields: Field[];
  /** First value of each tag. */
  get(tag: number): string | undefined;
  msgType: string;
  seq: number;
  possDup: boolean;
  raw: string;
}

export class FixParseError extends Error {}

/** FIX SessionRejectReason (373) values we send. */
export const SessionRejectReason = {
  RequiredTagMissing: 1,
  TagWithoutValue: 4,
  ValueIncorrect: 5,
  IncorrectDataFormat: 6,
} as const;

/**
 * One field of a well-framed message is missing or unreadable: the message is refused with a
 * session-level Reject (35=3) naming the tag, never half applied.
 */
export class FixFieldError extends Error {
  constructor(
    readonly tag: number,
    readonly reason: (typeof SessionRejectReason)[keyof typeof SessionRejectReason],
    message: string,
  ) {
    super(message);
    this.name = "FixFieldError";
  }
}

export const Tag = {
  BeginString: 8,
  BodyLength: 9,
  CheckSum: 10,
  MsgType: 35,
  MsgSeqNum: 34,
  SenderCompID: 49,
  TargetCompID: 56,
  SendingTime: 52,
  PossDupFlag: 43,
  OrigSendingTime: 122,
  BeginSeqNo: 7,
  EndSeqNo: 16,
  NewSeqNo: 36,
  GapFillFlag: 123,
  TestReqID: 112,
  HeartBtInt: 108,
  EncryptMethod: 98,
  ResetSeqNumFlag: 141,
  Text: 58,
  RefSeqNum: 45,
  RefTagID: 371,
  RefMsgType: 372,
  SessionRejectReason: 373,
  BusinessRejectReason: 380,
  ClOrdID: 11,
  OrigClOrdID: 41,
  OrderID: 37,
  ExecID: 17,
  ExecRefID: 19,
  ExecRestatementReason: 378,
  Commission: 12,
  MinQty: 110,
  MaxFloor: 111,
  GrossTradeAmt: 381,
  DayOrderQty: 424,
  DayCumQty: 425,
  DayAvgPx: 426,
  ExecTransType: 20,
  ExecType: 150,
  OrdStatus: 39,
  Symbol: 55,
  Side: 54,
  OrderQty: 38,
  OrdType: 40,
  Price: 44,
  StopPx: 99,
  TimeInForce: 59,
  TransactTime: 60,
  HandlInst: 21,
  LastQty: 32,
  LastPx: 31,
  CumQty: 14,
  LeavesQty: 151,
  AvgPx: 6,
  OrdRejReason: 103,
  CxlRejResponseTo: 434,
  CxlRejReason: 102,
} as const;

export function checksum(text: string): string {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  return String(sum % 256).padStart(3, "0");
}

/** Frames a message: `fields` are everything after BodyLength (MsgType first) and before CheckSum. */
export function encode(beginString: string, fields: readonly Field[]): string {
  let body = "";
  for (const [tag, value] of fields) {
    if (value.includes(SOH)) throw new FixParseError(`tag ${tag} value contains SOH`);
    body += `${tag}=${value}${SOH}`;
  }
  const head = `8=${beginString}${SOH}9=${Buffer.byteLength(body, "latin1")}${SOH}`;
  return `${head}${body}10=${checksum(head + body)}${SOH}`;
}

/** FIX UTCTimestamp with milliseconds: YYYYMMDD-HH:MM:SS.sss */
export function utcTimestamp(date = new Date()): string {
  const iso = date.toISOString(); // 2025-01-02T14:30:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 23)}`;
}

export function parseMessage(raw: string): FixMessage {
  const fields: Field[] = [];
  const first = new Map<number, string>();
  let start = 0;
  while (start < raw.length) {
    const end = raw.indexOf(SOH, start);
    if (end < 0) throw new FixParseError("field without SOH");
    const eq = raw.indexOf("=", start);
    if (eq < 0 || eq > end) throw new FixParseError(`malformed field at ${start}`);
    const tag = Number(raw.slice(start, eq));
    if (!Number.isInteger(tag) || tag <= 0) throw new FixParseError(`bad tag at ${start}`);
    const value = raw.slice(eq + 1, end);
    fields.push([tag, value]);
    if (!first.has(tag)) first.set(tag, value);
    start = end + 1;
  }
  const msgType = first.get(Tag.MsgType);
  if (msgType === undefined) throw new FixParseError("no MsgType");
  return {
    fields,
    get: (tag) => first.get(tag),
    msgType,
    seq: Number(first.get(Tag.MsgSeqNum) ?? 0),
    possDup: first.get(Tag.PossDupFlag) === "Y",
    raw,
  };
}

/**
 * Splits a byte stream into whole messages, checking BodyLength and CheckSum. Garbled input throws
 * FixParseError; the session then drops the connection (the peer resends after the next logon).
 */
export class FixFramer {
  private buffer = "";

  push(chunk: Buffer | string): FixMessage[] {
    this.buffer += typeof chunk === "string" ? chunk : chunk.toString("latin1");
    const out: FixMessage[] = [];
    for (;;) {
      if (this.buffer.length < 2) return out;
      const begin = this.buffer.indexOf("8=");
      if (begin < 0) {
        this.buffer = this.buffer.slice(-1); // may be the "8" of the next message
        return out;
      }
      if (begin > 0) this.buffer = this.buffer.slice(begin);
      const afterBegin = this.buffer.indexOf(SOH);
      if (afterBegin < 0 || this.buffer.length < afterBegin + 3) return out;
      if (!this.buffer.startsWith("9=", afterBegin + 1)) throw new FixParseError("BodyLength must follow BeginString");
      const afterLength = this.buffer.indexOf(SOH, afterBegin + 1);
      if (afterLength < 0) return out;
      const bodyLength = Number(this.buffer.slice(afterBegin + 3, afterLength));
      if (!Number.isInteger(bodyLength) || bodyLength < 0) throw new FixParseError("bad BodyLength");
      const bodyEnd = afterLength + 1 + bodyLength;
      const total = bodyEnd + 7; // "10=nnn" + SOH
      if (this.buffer.length < total) return out;
      const trailer = this.buffer.slice(bodyEnd, total);
      if (!trailer.startsWith("10=") || trailer[6] !== SOH) throw new FixParseError("CheckSum not where BodyLength says");
      if (trailer.slice(3, 6) !== checksum(this.buffer.slice(0, bodyEnd))) throw new FixParseError("bad CheckSum");
      const raw = this.buffer.slice(0, total);
      this.buffer = this.buffer.slice(total);
      out.push(parseMessage(raw));
    }
  }
}

/** Human-readable form for logs and test failures. */
export const printable = (raw: string): string => raw.replaceAll(SOH, "|");
