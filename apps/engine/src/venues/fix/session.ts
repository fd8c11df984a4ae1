import net from "node:net";
import { encode, type Field, FixFieldError, FixFramer, type FixMessage, printable, Tag, utcTimestamp } from "./codec";
import { SessionStore } from "./session-store";

export interface FixSessionConfig {
  host: string;
  port: number;
  /** A Unix socket to connect to instead of host and port (the demo's acceptor in its own network namespace). */
  socketPath?: string;
  beginString: "FIX.4.2" | "FIX.4.4";
  senderCompId: string;
  targetCompId: string;
  heartBtInt: number;
  storeDir: string;
  /** Wait between reconnect attempts. */
  reconnectMs?: number;
  /** Send 141=Y on every logon (both sides start again at 1; stored messages are forgotten). */
  resetOnLogon?: boolean;
  /** "fsync" (default): the store is fdatasync'd before a message goes out; "os": write() only. */
  durability?: "fsync" | "os";
}

export interface FixSessionEvents {
  /** An application message (or a session Reject 35=3), in sequence, each exactly once per number. */
  onApp(message: FixMessage): void;
  onLoggedOn?(): void;
  onLoggedOff?(reason: string): void;
  /**
   * `onApp` threw for this message. A FixFieldError (a field we cannot read) has been answered
   * with a session Reject naming the tag (`rejected`); either way the message is not processed again.
   */
  onAppError?(message: FixMessage, error: unknown, rejected: boolean): void;
  /** Anything else that failed while handling socket input or a timer: logged, never thrown into the socket. */
  onFault?(what: string, error: unknown): void;
  log?(line: string): void;
}

const ADMIN = new Set(["0", "1", "2", "4", "5", "A"]);

/**
 * The FIX session layer, initiator side: logon/logout, heartbeats and test requests, sequence
 * numbers in a durable store, ResendRequest answered by replaying stored application messages
 * (PossDupFlag=Y, OrigSendingTime) and gap-filling admin ones, incoming gaps detected and
 * requested, SequenceReset handled. The sender number never moves backwards.
 */
export class FixSession {
  readonly store: SessionStore;
  /** What the application stored with its messages (see SessionStore), as loaded at start. */
  readonly extras: unknown[];
  private socket: net.Socket | undefined;
  private framer = new FixFramer();
  private wanted = false;
  private loggedOn = false;
  private logoutSent = false;
  private lastSentAt = 0;
  private lastReceivedAt = 0;

  /** Milliseconds since the counterparty last sent anything; null before the first message. */
  heardFromMs(now = Date.now()): number | null {
    return this.lastReceivedAt === 0 ? null : now - this.lastReceivedAt;
  }
  private testRequestAt: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Highest incoming number seen beyond a gap, while a resend we asked for is outstanding. */
  private resendTarget: number | null = null;
  private resendRequestedAt = 0;
  private readonly logonWaiters: (() => void)[] = [];

  constructor(
    readonly config: FixSessionConfig,
    private readonly events: FixSessionEvents,
  ) {
    this.store = new SessionStore(
      config.storeDir,
      `${config.beginString}-${config.senderCompId}-${config.targetCompId}`,
      config.durability,
    );
    this.extras = this.store.open();
  }

  get isLoggedOn(): boolean {
    return this.loggedOn;
  }

  /** Connects and logs on; keeps reconnecting until `stop`. Resolves at the first logon. */
  start(): Promise<void> {
    this.wanted = true;
    const loggedOn = this.waitForLogon();
    this.open();
    this.timer ??= setInterval(() => this.guard("heartbeat timer", () => this.tick()), 250);
    this.timer.unref();
    return loggedOn;
  }

  waitForLogon(): Promise<void> {
    if (this.loggedOn) return Promise.resolve();
    return new Promise((resolve) => this.logonWaiters.push(resolve));
  }

  /** Logs out (waiting briefly for the peer's Logout) and stops reconnecting; `start` may follow. */
  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    if (socket && !socket.destroyed && this.loggedOn) {
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      this.sendAdmin("5", []);
      this.logoutSent = true;
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
    }
    this.socket?.destroy();
    this.socket = undefined;
    this.loggedOn = false;
    this.store.flush();
  }

  /** Cuts the TCP connection without a logout, as a network failure would (tests and operators). */
  dropConnection(): void {
    this.socket?.destroy();
  }

  /**
   * Sends an application message, stored durably first. While logged off it is only stored: the
   * peer sees the gap at the next logon, asks for it, and gets it with PossDupFlag=Y. `extras`
   * are written in the same durable write.
   */
  sendApp(msgType: string, body: Field[], extras: readonly unknown[] = []): number {
    const sendingTime = utcTimestamp();
    const seq = this.store.takeSenderSeq({ msgType, body, sendingTime }, extras);
    if (this.loggedOn) this.write(this.frame(msgType, seq, sendingTime, body));
    return seq;
  }

  private open(): void {
    if (!this.wanted || this.socket) return;
    const { socketPath, host, port } = this.config;
    const socket = socketPath ? net.connect({ path: socketPath }) : net.connect({ host, port });
    if (!socketPath) socket.setNoDelay(true);
    this.socket = socket;
    this.framer = new FixFramer();
    socket.on("connect", () => this.guard("logon", () => this.onConnect(), socket));
    socket.on("data", (chunk) => this.guard("socket input", () => this.onData(socket, chunk), socket));
    socket.on("error", (error) => this.events.log?.(`socket error: ${error.message}`));
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const was = this.loggedOn;
      this.loggedOn = false;
      if (this.wanted) {
        this.reconnectTimer = setTimeout(() => this.guard("reconnect", () => this.open()), this.config.reconnectMs ?? 1000);
        this.reconnectTimer.unref();
      }
      if (was) this.guard("logoff", () => this.events.onLoggedOff?.("connection closed"));
    });
  }

  /**
   * Runs a handler of socket or timer input: nothing it throws escapes into Node's event loop. The
   * failure is logged and reported (onFault); with `socket`, the connection is dropped, so whatever
   * was not recorded is resent by the peer after the next logon.
   */
  private guard(what: string, fn: () => void, socket?: net.Socket): void {
    try {
      fn();
    } catch (error) {
      this.events.log?.(`${what} failed: ${String(error)}`);
      try {
        this.events.onFault?.(what, error);
      } catch (inner) {
        this.events.log?.(`fault listener failed: ${String(inner)}`);
      }
      socket?.destroy();
    }
  }

  private onConnect(): void {
    this.lastReceivedAt = Date.now();
    this.testRequestAt = null;
    this.resendTarget = null;
    this.logoutSent = false;
    if (this.config.resetOnLogon) this.store.reset();
    const extra: Field[] = [
      [Tag.EncryptMethod, "0"],
      [Tag.HeartBtInt, String(this.config.heartBtInt)],
    ];
    if (this.config.resetOnLogon) extra.push([Tag.ResetSeqNumFlag, "Y"]);
    this.sendAdmin("A", extra);
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    let messages: FixMessage[];
    try {
      messages = this.framer.push(chunk);
    } catch (error) {
      this.events.log?.(`garbled input, dropping the connection: ${String(error)}`);
      socket.destroy();
      return;
    }
    for (const m of messages) {
      if (this.socket !== socket) return;
      this.lastReceivedAt = Date.now();
      this.testRequestAt = null;
      this.receive(m);
    }
  }

  private receive(m: FixMessage): void {
    this.events.log?.(`<< ${printable(m.raw)}`);
    if (!this.loggedOn && m.msgType !== "A" && m.msgType !== "5") {
      this.events.log?.("message before logon; disconnecting");
      this.socket?.destroy();
      return;
    }
    // Processed whatever their number: a logon, a reset, a resend request, a logout, a test request.
    switch (m.msgType) {
      case "A":
        this.onLogon(m);
        break;
      case "2":
        this.answerResend(Number(m.get(Tag.BeginSeqNo) ?? 1), Number(m.get(Tag.EndSeqNo) ?? 0));
        break;
      case "5":
        if (!this.logoutSent) this.sendAdmin("5", []);
        this.events.log?.(`peer logged out: ${m.get(Tag.Text) ?? ""}`);
        this.socket?.end();
        break;
      case "1":
        this.sendAdmin("0", [[Tag.TestReqID, m.get(Tag.TestReqID) ?? ""]]);
        break;
      case "4":
        if (m.get(Tag.GapFillFlag) !== "Y") {
          this.store.setNextTargetSeq(Number(m.get(Tag.NewSeqNo)));
          this.closeResendIfDone();
          return;
        }
        break;
    }
    this.sequence(m);
  }

  /** Applies the MsgSeqNum rules, then delivers application messages that are next in line. */
  private sequence(m: FixMessage): void {
    const expected = this.store.nextTargetSeq;
    if (m.seq < expected) {
      if (m.possDup) return; // a duplicate of something already processed
      const text = `MsgSeqNum too low, expecting ${expected} but received ${m.seq}`;
      this.events.log?.(text);
      this.sendAdmin("5", [[Tag.Text, text]]);
      this.logoutSent = true;
      this.socket?.end();
      return;
    }
    if (m.seq > expected) {
      // A gap: ask for everything from the first missing number; later messages come again.
      // Asked again if a resend we asked for has not closed the gap within a heartbeat interval.
      if (this.resendTarget === null || Date.now() - this.resendRequestedAt > this.config.heartBtInt * 1000) {
        this.resendRequestedAt = Date.now();
        this.sendAdmin("2", [
          [Tag.BeginSeqNo, String(expected)],
          [Tag.EndSeqNo, "0"],
        ]);
      }
      this.resendTarget = Math.max(this.resendTarget ?? 0, m.seq);
      return;
    }
    if (m.msgType === "4") {
      // gap fill in line
      const next = Number(m.get(Tag.NewSeqNo));
      this.store.setNextTargetSeq(next > expected ? next : expected + 1);
    } else {
      if (!ADMIN.has(m.msgType)) {
        this.store.received(m); // the message as received, for the audit trail (not synced)
        this.deliver(m);
      }
      this.store.setNextTargetSeq(expected + 1);
    }
    this.closeResendIfDone();
  }

  /** Hands an application message over; one we cannot read is refused with a session Reject, never thrown. */
  private deliver(m: FixMessage): void {
    try {
      this.events.onApp(m);
    } catch (error) {
      const rejected = error instanceof FixFieldError;
      if (rejected) this.reject(m, error);
      this.events.log?.(`${rejected ? "rejected" : "failed to process"} ${m.msgType} #${m.seq}: ${String(error)}`);
      this.events.onAppError?.(m, error, rejected);
    }
  }

  /** Session-level Reject (35=3) of a received message: RefSeqNum, RefTagID, RefMsgType, SessionRejectReason, Text. */
  private reject(m: FixMessage, error: FixFieldError): void {
    this.sendAdmin("3", [
      [Tag.RefSeqNum, String(m.seq)],
      [Tag.RefTagID, String(error.tag)],
      [Tag.RefMsgType, m.msgType],
      [Tag.SessionRejectReason, String(error.reason)],
      [Tag.Text, error.message.slice(0, 200)],
    ]);
  }

  private closeResendIfDone(): void {
    if (this.resendTarget !== null && this.store.nextTargetSeq > this.resendTarget) this.resendTarget = null;
  }

  private onLogon(m: FixMessage): void {
    if (m.get(Tag.ResetSeqNumFlag) === "Y" && !this.config.resetOnLogon) {
      this.store.reset();
      this.store.takeSenderSeq(); // our logon already went out as 1 under the old numbers: stay forward
    }
    this.loggedOn = true;
    this.events.log?.(`logged on (next out ${this.store.nextSenderSeq}, next in ${this.store.nextTargetSeq})`);
    for (const waiter of this.logonWaiters.splice(0)) waiter();
    this.events.onLoggedOn?.();
  }

  /**
   * Answers a peer's ResendRequest: stored application messages go again with their own numbers,
   * PossDupFlag=Y and OrigSendingTime; runs of admin (or unknown) numbers become one
   * SequenceReset-GapFill each. Nothing here takes a new number.
   */
  private answerResend(begin: number, end: number): void {
    const last = this.store.nextSenderSeq - 1;
    const to = end === 0 || end > last ? last : end;
    let gapFrom: number | null = null;
    const flushGap = (upTo: number) => {
      if (gapFrom === null) return;
      this.writeGapFill(gapFrom, upTo);
      gapFrom = null;
    };
    for (let seq = Math.max(1, begin); seq <= to; seq++) {
      const stored = this.store.sent(seq);
      if (!stored) {
        gapFrom ??= seq;
        continue;
      }
      flushGap(seq);
      const header: Field[] = [
        [Tag.PossDupFlag, "Y"],
        [Tag.OrigSendingTime, stored.sendingTime],
      ];
      this.write(this.frame(stored.msgType, seq, utcTimestamp(), stored.body, header));
    }
    flushGap(to + 1);
  }

  private writeGapFill(from: number, newSeqNo: number): void {
    this.write(
      this.frame(
        "4",
        from,
        utcTimestamp(),
        [
          [Tag.GapFillFlag, "Y"],
          [Tag.NewSeqNo, String(newSeqNo)],
        ],
        [[Tag.PossDupFlag, "Y"]],
      ),
    );
  }

  private sendAdmin(msgType: string, body: Field[]): void {
    if (!this.socket) return;
    const seq = this.store.takeSenderSeq();
    this.write(this.frame(msgType, seq, utcTimestamp(), body));
  }

  private frame(msgType: string, seq: number, sendingTime: string, body: readonly Field[], header: readonly Field[] = []): string {
    return encode(this.config.beginString, [
      [Tag.MsgType, msgType],
      [Tag.SenderCompID, this.config.senderCompId],
      [Tag.TargetCompID, this.config.targetCompId],
      [Tag.MsgSeqNum, String(seq)],
      ...header,
      [Tag.SendingTime, sendingTime],
      ...body,
    ]);
  }

  private write(raw: string): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    this.events.log?.(`>> ${printable(raw)}`);
    socket.write(raw, "latin1");
    this.lastSentAt = Date.now();
  }

  /** Heartbeats when quiet, a TestRequest when the peer is quiet, a disconnect when it stays quiet. */
  private tick(): void {
    if (!this.loggedOn || !this.socket) return;
    const now = Date.now();
    const interval = this.config.heartBtInt * 1000;
    if (now - this.lastSentAt >= interval) this.sendAdmin("0", []);
    if (this.testRequestAt === null && now - this.lastReceivedAt >= interval * 1.2) {
      this.testRequestAt = now;
      this.sendAdmin("1", [[Tag.TestReqID, `TEST-${now}`]]);
    } else if (this.testRequestAt !== null && now - this.testRequestAt >= interval) {
      this.events.log?.("no answer to TestRequest; dropping the connection");
      this.socket.destroy();
    }
  }
}
