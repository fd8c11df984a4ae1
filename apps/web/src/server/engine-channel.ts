import http from "node:http";
import type { Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/**
 * The console's end of the engine's order channel (apps/engine/src/api/order-channel.ts): submit,
 * cancel and modify over one long-lived connection, newline-delimited JSON, answers matched by id.
 * Cheaper than an HTTP request each on both sides; the answers are the same status and JSON.
 *
 * It opens on first use and, until it is open (or while the engine refuses it, e.g. an older engine),
 * `ready()` is false and the caller sends over HTTP. When the connection drops, the requests it
 * carried are answered `lost` (their fate is unknown, as with an HTTP request cut off), and the next
 * use opens a new one.
 */
export const ORDER_CHANNEL_PATH = "/v1/orders/channel";
const PROTOCOL = "fillmore-orders";
/** After a refusal (not upgraded), HTTP only for this long before trying again. */
const REFUSED_BACKOFF_MS = 30_000;
const FAILED_BACKOFF_MS = 1_000;

export type ChannelOp = "submit" | "cancel" | "modify";
export interface ChannelAnswer {
  status: number;
  json: unknown;
}
interface Pending {
  resolve: (answer: ChannelAnswer) => void;
  reject: (error: Error) => void;
}

export class ChannelLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChannelLostError";
  }
}

export class EngineChannel {
  private socket: Duplex | null = null;
  private opening = false;
  private notBefore = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private corked = false;
  private closed = false;

  constructor(
    private readonly baseUrl: string,
    private readonly authHeader: string,
  ) {}

  /** Whether a call can go over the channel now; if not, opens it for the calls to come. */
  ready(): boolean {
    if (this.socket) return true;
    this.open();
    return false;
  }

  /** One command over the open channel (check `ready()` first); rejects with ChannelLostError if the connection drops before the answer. */
  call(op: ChannelOp, body: unknown): Promise<ChannelAnswer> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new ChannelLostError("the engine's order channel is not open"));
    const id = this.nextId++;
    const line = `{"id":${id},"op":"${op}","body":${JSON.stringify(body)}}\n`;
    return new Promise<ChannelAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Calls made in one tick leave in one write.
      if (!this.corked) {
        this.corked = true;
        socket.cork();
        process.nextTick(() => {
          this.corked = false;
          socket.uncork();
        });
      }
      socket.write(line);
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private open(): void {
    if (this.opening || this.closed || Date.now() < this.notBefore) return;
    this.opening = true;
    const request = http.request(`${this.baseUrl}${ORDER_CHANNEL_PATH}`, {
      agent: false,
      headers: { authorization: this.authHeader, connection: "Upgrade", upgrade: PROTOCOL },
    });
    request.on("upgrade", (_response, socket, head) => {
      this.opening = false;
      if (this.closed) return void socket.destroy();
      this.attach(socket, head);
    });
    request.on("response", (response) => {
      // Not upgraded: an engine without the channel, or a refusal. HTTP serves meanwhile.
      response.resume();
      this.opening = false;
      this.notBefore = Date.now() + REFUSED_BACKOFF_MS;
    });
    request.on("error", () => {
      this.opening = false;
      this.notBefore = Date.now() + FAILED_BACKOFF_MS;
    });
    request.end();
  }

  private attach(socket: Duplex, head: Buffer): void {
    this.socket = socket;
    (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    const decoder = new StringDecoder("utf8");
    let partial = "";
    const onData = (chunk: Buffer) => {
      const text = partial + decoder.write(chunk);
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        this.answer(text.slice(start, end));
        start = end + 1;
      }
      partial = text.slice(start);
    };
    socket.on("data", onData);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (this.socket === socket) this.socket = null;
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) p.reject(new ChannelLostError("the engine's order channel closed before the engine answered"));
    });
    if (head.length > 0) onData(head);
  }

  private answer(line: string): void {
    let frame: { id?: unknown; status?: unknown; body?: unknown };
    try {
      frame = JSON.parse(line);
    } catch {
      return;
    }
    const pending = typeof frame.id === "number" ? this.pending.get(frame.id) : undefined;
    if (!pending || typeof frame.status !== "number") return;
    this.pending.delete(frame.id as number);
    pending.resolve({ status: frame.status, json: frame.body });
  }
}
