import { can, type PositionChanged, type PositionsSnapshot } from "@fillmore/shared";
import type { Logger } from "pino";
import type { Socket } from "socket.io";
import type { Principal } from "./auth";
import type { EngineClient } from "./engine-client";
import { DEFAULT_SUBSCRIBE_LIMIT, SubscribeBuckets, type SubscribeLimit } from "./live-orders";
import { snapshotFor } from "./routers/positions";
import { AccountScope } from "./scope";

export const POSITIONS_CHANNEL = "positions";

interface Subscriber {
  /** Updates that arrived while this subscriber's snapshot was being taken; null once it was sent. */
  pending: PositionChanged[] | null;
  /** Rises with each snapshot asked for; only the newest one is sent. */
  generation: number;
}

/**
 * Live positions and P&L for sockets: `positions:subscribe` answers `positions:snapshot` (the
 * caller's accounts, as `positions.snapshot` gives them), then `positions:update` (a
 * `PositionChanged`: the row as now, both methods inside) for every change of a position the
 * socket's principal may see. Permission `risk:read`, checked at subscribe and again on every
 * update against the socket's current principal (kept up to date by the console's re-checks), so a
 * role change or a narrower key stops the flow at once. One subscription per socket; snapshots are
 * budgeted per credential like the orders channel's.
 *
 * Each console process follows the engine's positions stream itself and emits to its own sockets
 * only. The engine's stream has no resume: on every (re)connect every subscriber gets a new snapshot.
 */
export class LivePositions {
  private readonly subscribers = new Map<Socket, Subscriber>();
  private readonly subscribes: SubscribeBuckets;
  private running = false;
  private abort: AbortController | undefined;
  connected = false;

  constructor(
    private readonly engine: Pick<EngineClient, "positionBook" | "positionsStreamUrl" | "authHeader">,
    private readonly log: Logger,
    subscribeLimit: SubscribeLimit = DEFAULT_SUBSCRIBE_LIMIT,
  ) {
    this.subscribes = new SubscribeBuckets(subscribeLimit);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Follows the engine's positions stream; started by the first subscriber if not before. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.subscribers.clear();
  }

  attach(socket: Socket): void {
    socket.on("positions:subscribe", () => void this.subscribe(socket));
    socket.on("positions:unsubscribe", () => void this.subscribers.delete(socket));
    // A closed socket is dropped at the next change (publish), not by a listener of its own.
  }

  /** The principal's scope if it may read positions now, else null. */
  private scopeOf(socket: Socket): AccountScope | null {
    const principal = socket.data.principal as Principal | undefined;
    return principal && can(principal.role, "risk:read") ? AccountScope.of(principal) : null;
  }

  private forbid(socket: Socket): void {
    const principal = socket.data.principal as Principal | undefined;
    socket.emit("error:forbidden", {
      channel: POSITIONS_CHANNEL,
      message: `role ${principal?.role ?? "none"} may not read positions (needs risk:read)`,
    });
  }

  private async subscribe(socket: Socket): Promise<void> {
    if (!this.scopeOf(socket)) return this.forbid(socket);
    if (this.subscribers.has(socket)) {
      socket.emit("error:subscribe", {
        channel: POSITIONS_CHANNEL,
        message: "already subscribed: one subscription per socket (unsubscribe first for a new snapshot)",
      });
      return;
    }
    const waitMs = this.subscribes.take(`positions:${String(socket.data.credential ?? socket.id)}`);
    if (waitMs > 0) {
      socket.emit("error:subscribe", {
        channel: POSITIONS_CHANNEL,
        message: `too many subscribes: try again in ${waitMs} ms`,
        retryAfterMs: waitMs,
      });
      return;
    }
    const subscriber: Subscriber = { pending: [], generation: 0 };
    this.subscribers.set(socket, subscriber);
    this.start();
    await this.sendSnapshot(socket, subscriber);
  }

  private async sendSnapshot(socket: Socket, subscriber: Subscriber): Promise<void> {
    subscriber.pending ??= [];
    subscriber.generation += 1;
    const generation = subscriber.generation;
    const scope = this.scopeOf(socket);
    if (!scope) {
      this.subscribers.delete(socket);
      return this.forbid(socket);
    }
    let snapshot: PositionsSnapshot;
    try {
      snapshot = await snapshotFor(scope, this.engine);
    } catch (error) {
      if (this.subscribers.get(socket) !== subscriber || subscriber.generation !== generation) return;
      this.subscribers.delete(socket);
      socket.emit("error:subscribe", { channel: POSITIONS_CHANNEL, message: `no positions snapshot: ${(error as Error).message}` });
      return;
    }
    // Unsubscribed (or subscribed anew) while the snapshot was on its way, or a newer snapshot is coming.
    if (this.subscribers.get(socket) !== subscriber || subscriber.generation !== generation) return;
    const pending = subscriber.pending ?? [];
    subscriber.pending = null;
    socket.emit("positions:snapshot", snapshot);
    // Changes computed after the snapshot follow it; older ones are already in it.
    for (const change of pending) if (change.ts > snapshot.asOf) this.deliver(socket, change);
  }

  private deliver(socket: Socket, change: PositionChanged): void {
    const scope = this.scopeOf(socket);
    if (!scope) {
      this.subscribers.delete(socket);
      this.forbid(socket);
      return;
    }
    if (scope.allows(change.row.accountId)) socket.emit("positions:update", change);
  }

  /** Fans one change out to the sockets whose principal may see its account. */
  publish(change: PositionChanged): void {
    for (const [socket, subscriber] of this.subscribers) {
      if (socket.disconnected) this.subscribers.delete(socket);
      else if (subscriber.pending) subscriber.pending.push(change);
      else this.deliver(socket, change);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.follow();
      } catch (error) {
        if (!this.running) return;
        if (this.connected) this.log.warn({ err: String(error) }, "engine positions stream lost; reconnecting");
      }
      this.setConnected(false);
      if (this.running) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async follow(): Promise<void> {
    this.abort = new AbortController();
    const response = await fetch(this.engine.positionsStreamUrl, {
      headers: { authorization: this.engine.authHeader },
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`engine positions stream answered ${response.status}`);
    this.setConnected(true);
    // No resume: what changed while we were away reaches subscribers as a new snapshot.
    for (const [socket, subscriber] of this.subscribers) void this.sendSnapshot(socket, subscriber);
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split("\n").find((l) => l.startsWith("data: "));
        if (data) {
          const change = JSON.parse(data.slice(6)) as PositionChanged;
          if (change.type === "PositionChanged" && change.row) this.publish(change);
        }
        end = buffer.indexOf("\n\n");
      }
    }
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const socket of this.subscribers.keys()) socket.emit("positions:status", { connected });
  }
}
