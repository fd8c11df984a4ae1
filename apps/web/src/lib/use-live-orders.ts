"use client";
import type { Order } from "@fillmore/shared";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { type EngineStatus, onEngineStatus } from "./engine-status";
import { OrderStore } from "./order-store";

/** A read-only window on the store; a new one per applied frame, so React sees a change. */
class OrdersView implements ReadonlyMap<string, Order> {
  constructor(private readonly map: ReadonlyMap<string, Order>) {}
  get size() {
    return this.map.size;
  }
  get(id: string) {
    return this.map.get(id);
  }
  has(id: string) {
    return this.map.has(id);
  }
  forEach(fn: (value: Order, key: string, map: ReadonlyMap<string, Order>) => void, thisArg?: unknown) {
    for (const [k, v] of this.map) fn.call(thisArg, v, k, this);
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map[Symbol.iterator]();
  }
}

export interface LiveState {
  /** Every order the browser holds (bounded: see OrderStore). */
  orders: ReadonlyMap<string, Order>;
  /** The store behind it, for the blotter's sorted view. */
  store: OrderStore;
  /** Rises with every applied frame of updates (and each snapshot). */
  version: number;
  stale: boolean;
  reason: string | null;
}

/** How long updates may wait when the page gets no animation frames (a background tab). */
const FLUSH_FALLBACK_MS = 250;

/**
 * A snapshot, then ordered deltas. A gap in the stream sequence, a lost connection or a lost
 * engine marks the data stale and asks for a new snapshot.
 *
 * Updates are buffered as they arrive and applied once per animation frame: a burst of a hundred
 * updates a second costs one store pass and one React render per frame, not one per update.
 */
export function useLiveOrders(enabled: boolean): LiveState {
  const storeRef = useRef<OrderStore | null>(null);
  storeRef.current ??= new OrderStore();
  const store = storeRef.current;
  const [state, setState] = useState<LiveState>(() => ({
    orders: new OrdersView(store.orders),
    store,
    version: store.version,
    stale: true,
    reason: "connecting",
  }));
  const lastSeq = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const socket: Socket = io({ withCredentials: true, transports: ["websocket", "polling"] });
    let pending: Order[] = [];
    let frame: number | undefined;
    let fallback: ReturnType<typeof setTimeout> | undefined;

    const publish = (patch: Partial<LiveState> = {}) =>
      setState((s) => ({ ...s, ...patch, orders: new OrdersView(store.orders), version: store.version }));
    const flush = () => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (fallback !== undefined) clearTimeout(fallback);
      frame = undefined;
      fallback = undefined;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      store.apply(batch);
      publish();
    };
    const schedule = () => {
      if (frame !== undefined) return;
      frame = requestAnimationFrame(flush);
      fallback = setTimeout(flush, FLUSH_FALLBACK_MS);
    };
    const dropPending = () => {
      pending = [];
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (fallback !== undefined) clearTimeout(fallback);
      frame = undefined;
      fallback = undefined;
    };
    // Whether the data on screen is stale, as this effect last set it (the engine:status handler reads it).
    let stale = true;
    const markStale = (reason: string) => {
      stale = true;
      setState((s) => ({ ...s, stale: true, reason }));
    };
    // One subscription per socket: a fresh snapshot means unsubscribing and subscribing again.
    const resubscribe = (reason: string) => {
      markStale(reason);
      socket.emit("orders:unsubscribe");
      socket.emit("orders:subscribe");
    };
    let retry: ReturnType<typeof setTimeout> | undefined;

    socket.on("connect", () => socket.emit("orders:subscribe"));
    socket.on("disconnect", () => markStale("connection lost"));
    socket.on("connect_error", (e) => markStale(`cannot connect: ${e.message}`));
    // `state`: the launcher's word on the engine (console-server.ts), when a launcher runs it.
    socket.on("engine:status", (s: EngineStatus) => {
      const action = onEngineStatus(s, stale);
      if (action && "stale" in action) markStale(action.stale);
      else if (action) resubscribe(action.resubscribe);
    });
    socket.on("error:forbidden", (e: { message: string }) => markStale(e.message));
    socket.on("session:ended", (e: { message: string }) => markStale(e.message));
    socket.on("error:subscribe", (e: { message: string; retryAfterMs?: number }) => {
      if (e.retryAfterMs === undefined) return;
      markStale(e.message);
      clearTimeout(retry);
      retry = setTimeout(() => socket.emit("orders:subscribe"), e.retryAfterMs);
    });
    socket.on("orders:snapshot", (snap: { streamSeq: number; orders: Order[] }) => {
      lastSeq.current = snap.streamSeq;
      stale = false;
      dropPending();
      store.reset(snap.orders);
      publish({ stale: false, reason: null });
    });
    socket.on("orders:update", (u: { streamSeq: number; order: Order }) => {
      if (u.streamSeq <= lastSeq.current) return;
      if (u.streamSeq !== lastSeq.current + 1) {
        resubscribe(`missed updates ${lastSeq.current + 1}–${u.streamSeq - 1}; resyncing`);
        return;
      }
      lastSeq.current = u.streamSeq;
      pending.push(u.order);
      schedule();
    });
    return () => {
      dropPending();
      socket.disconnect();
    };
  }, [enabled, store]);

  return state;
}
