import { can, isTerminal, type Order } from "@fillmore/shared";
import type { Logger } from "pino";
import type { Socket, Server as SocketServer } from "socket.io";
import type { Principal } from "./auth";
import type { EngineClient } from "./engine-client";

export const ORDERS_ROOM = "orders";
const SNAPSHOT_TERMINAL_LIMIT = 500;

/**
 * Snapshots a credential may ask for: a burst (tabs reconnecting after a restart, a resync after a
 * gap), then one every `refillMs`. A snapshot is up to a few hundred kilobytes; unbounded, 50
 * subscribes sent 10–18 MB.
 */
export interface SubscribeLimit {
  burst: number;
  refillMs: number;
}
export const DEFAULT_SUBSCRIBE_LIMIT: SubscribeLimit = { burst: 10, refillMs: 1000 };

/** A token bucket per key (a socket's credential). */
export class SubscribeBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: SubscribeLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 if a snapshot may be sent now (and takes it), else the milliseconds until one may. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    const tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.at) / this.limit.refillMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil((1 - tokens) * this.limit.refillMs);
    }
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }
}

export interface OrdersSnapshot {
  streamSeq: number;
  orders: Order[];
}

/** One committed engine event with the order after it, as the engine's stream carries it. */
export interface LiveItem {
  seq: number;
  event?: { type: string; data?: unknown };
  order: Order;
}

export interface OrderUpdate {
  streamSeq: number;
  order: Order;
}

/** `idle`: nobody needs the stream, so this process does not follow it (health: not a fault). */
export type LiveStreamState = "connected" | "disconnected" | "idle";

/** How long the mirror keeps following after its last listener left (a page reload, a reconnect). */
const DEFAULT_IDLE_AFTER_MS = 30_000;

/**
 * The gateway's mirror of the engine's orders: a snapshot, then the engine's ordered event
 * stream. Every console process keeps its own mirror and emits to its own sockets only (`io.local`):
 * with several processes (a socket.io adapter) a broadcast would otherwise reach each socket once
 * per process. Each update sent to browsers carries a stream sequence number that rises by one, so a
 * browser that sees a gap knows to ask for a new snapshot.
 *
 * The mirror follows the engine only while someone needs it (a socket in the orders room, or a
 * demand such as the streaming door's connections), and stops `idleAfterMs` after the last one:
 * with no browser open, a console serving programs parses no event it would throw away.
 */
export class LiveOrders {
  private readonly orders = new Map<string, Order>();
  private engineSeq = 0;
  private streamSeq = 0;
  private running = false;
  private synced = false;
  private abort: AbortController | undefined;
  private readonly subscribes: SubscribeBuckets;
  private readonly listeners = new Set<(item: LiveItem) => void>();
  private readonly demands = new Set<() => boolean>();
  private readonly wakers = new Set<() => void>();
  private readonly syncWaiters = new Set<() => void>();
  private state: LiveStreamState = "idle";
  connected = false;

  constructor(
    private readonly engine: Pick<EngineClient, "snapshot" | "streamUrl" | "authHeader">,
    private readonly io: SocketServer,
    private readonly log: Logger,
    subscribeLimit: SubscribeLimit = DEFAULT_SUBSCRIBE_LIMIT,
    private readonly idleAfterMs = DEFAULT_IDLE_AFTER_MS,
  ) {
    this.subscribes = new SubscribeBuckets(subscribeLimit);
  }

  start(): void {
    this.running = true;
    void this.loop();
  }

  /** `connected`, `disconnected` (wanted but lost), or `idle` (not wanted, not followed). */
  get streamState(): LiveStreamState {
    return this.state;
  }

  /** Another reason to follow the engine (besides sockets in the orders room); call `wake()` when it turns true. */
  addDemand(wanted: () => boolean): () => void {
    this.demands.add(wanted);
    return () => this.demands.delete(wanted);
  }

  /** Starts following now if idle and wanted. */
  wake(): void {
    for (const wake of this.wakers) wake();
  }

  /**
   * Resolves once the mirror follows the engine (a snapshot taken, the stream open), so that a
   * listener added now misses no event after it; rejects after `timeoutMs`.
   */
  ready(timeoutMs = 5000): Promise<void> {
    if (this.synced) return Promise.resolve();
    this.wake();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.syncWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.syncWaiters.delete(done);
        reject(new Error("the engine's event stream is not available"));
      }, timeoutMs);
      this.syncWaiters.add(done);
    });
  }

  /** Called for every order event, in the engine's order (the streaming door's execution reports). */
  onOrder(listener: (item: LiveItem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.wake();
  }

  snapshot(): OrdersSnapshot {
    const all = [...this.orders.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    const live = all.filter((o) => !isTerminal(o.ordStatus));
    const done = all.filter((o) => isTerminal(o.ordStatus)).slice(0, SNAPSHOT_TERMINAL_LIMIT);
    return { streamSeq: this.streamSeq, orders: [...live, ...done] };
  }

  /**
   * Socket subscriptions check the permission on the server, like every procedure, against the
   * socket's current principal (`socket.data.principal`, kept up to date by LiveSessions). One
   * subscription per socket; a client that wants a fresh snapshot unsubscribes and subscribes again,
   * within its credential's snapshot budget.
   */
  attach(socket: Socket): void {
    socket.on("orders:subscribe", () => {
      const principal = socket.data.principal as Principal | undefined;
      if (!principal || !can(principal.role, "orders:read")) {
        socket.emit("error:forbidden", { channel: ORDERS_ROOM, message: `role ${principal?.role ?? "none"} may not read orders` });
        return;
      }
      if (socket.rooms.has(ORDERS_ROOM)) {
        socket.emit("error:subscribe", {
          channel: ORDERS_ROOM,
          message: "already subscribed: one subscription per socket (unsubscribe first for a new snapshot)",
        });
        return;
      }
      const waitMs = this.subscribes.take(String(socket.data.credential ?? socket.id));
      if (waitMs > 0) {
        socket.emit("error:subscribe", {
          channel: ORDERS_ROOM,
          message: `too many subscribes: try again in ${waitMs} ms`,
          retryAfterMs: waitMs,
        });
        return;
      }
      void socket.join(ORDERS_ROOM);
      // Idle or catching up: the resync sends the snapshot to the room once it has one.
      if (this.synced) socket.emit("orders:snapshot", this.snapshot());
      else this.wake();
    });
    socket.on("orders:unsubscribe", () => void socket.leave(ORDERS_ROOM));
  }

  private wanted(): boolean {
    if (this.subscribed()) return true;
    for (const wanted of this.demands) if (wanted()) return true;
    return false;
  }

  /** Until something wants the stream (checked at each wake, and each second). */
  private async untilWanted(): Promise<void> {
    while (this.running && !this.wanted()) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 1000);
        this.wakers.add(wake);
      });
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (!this.wanted()) {
        this.goIdle();
        await this.untilWanted();
        continue;
      }
      let idled = false;
      try {
        await this.resync();
        idled = await this.follow();
      } catch (error) {
        if (!this.running) return;
        this.log.warn({ err: String(error) }, "engine stream lost; resyncing");
      }
      this.synced = false;
      if (idled) continue;
      this.setConnected(false);
      if (this.running) await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Nobody listens: drop the mirror (the next listener gets a fresh snapshot). */
  private goIdle(): void {
    this.orders.clear();
    this.synced = false;
    this.connected = false;
    this.state = "idle";
  }

  private async resync(): Promise<void> {
    const snap = await this.engine.snapshot();
    this.orders.clear();
    for (const order of snap.orders) this.orders.set(order.orderId, order);
    this.engineSeq = snap.seq;
    this.streamSeq += 1;
  }

  /** Follows the stream until it ends (false) or nobody has wanted it for `idleAfterMs` (true). */
  private async follow(): Promise<boolean> {
    const abort = new AbortController();
    this.abort = abort;
    let idled = false;
    let unwantedSince: number | undefined;
    const idleCheck = setInterval(
      () => {
        if (this.wanted()) unwantedSince = undefined;
        else if (unwantedSince === undefined) unwantedSince = Date.now();
        else if (Date.now() - unwantedSince >= this.idleAfterMs) {
          idled = true;
          abort.abort();
        }
      },
      Math.min(1000, Math.max(10, this.idleAfterMs / 2)),
    );
    try {
      await this.read(abort.signal);
    } catch (error) {
      if (!idled) throw error;
    } finally {
      clearInterval(idleCheck);
    }
    return idled;
  }

  private async read(signal: AbortSignal): Promise<void> {
    const response = await fetch(this.engine.streamUrl(this.engineSeq), {
      headers: { authorization: this.engine.authHeader },
      signal,
    });
    if (!response.ok || !response.body) throw new Error(`engine stream answered ${response.status}`);
    // The snapshot goes out once the stream is open: whoever is in the room by now gets it, whoever
    // joins later gets one at subscribe, and no event falls between the two.
    this.synced = true;
    this.io.local.to(ORDERS_ROOM).emit("orders:snapshot", this.snapshot());
    this.setConnected(true);
    for (const done of [...this.syncWaiters]) done();
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // Messages are cut out by index and the rest kept once per chunk: a chunk holds hundreds of them.
      let start = 0;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const message = buffer.slice(start, end);
        start = end + 2;
        if (message.startsWith("event: reset")) return;
        const data = message.indexOf("data: ");
        if (data >= 0) this.apply(JSON.parse(message.slice(data + 6)) as { seq: number; event?: LiveItem["event"]; order: Order | null });
        end = buffer.indexOf("\n\n", start);
      }
      buffer = buffer.slice(start);
    }
  }

  private apply(item: { seq: number; event?: LiveItem["event"]; order: Order | null }): void {
    if (item.seq !== this.engineSeq + 1) throw new Error(`engine stream gap: expected ${this.engineSeq + 1}, got ${item.seq}`);
    this.engineSeq = item.seq;
    if (!item.order) return;
    this.orders.set(item.order.orderId, item.order);
    this.streamSeq += 1;
    // Encoding an update for a room nobody is in costs as much as sending it: skipped.
    if (this.subscribed()) {
      const update: OrderUpdate = { streamSeq: this.streamSeq, order: item.order };
      this.io.local.to(ORDERS_ROOM).emit("orders:update", update);
    }
    for (const listener of this.listeners) listener(item as LiveItem);
  }

  /** Whether any socket of this process is in the orders room. */
  private subscribed(): boolean {
    return (this.io.sockets.adapter.rooms.get(ORDERS_ROOM)?.size ?? 0) > 0;
  }

  private setConnected(connected: boolean): void {
    this.state = connected ? "connected" : "disconnected";
    if (this.connected === connected) return;
    this.connected = connected;
    this.io.local.to(ORDERS_ROOM).emit("engine:status", { connected });
  }
}
