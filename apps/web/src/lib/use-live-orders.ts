"use client";
import type { Order } from "@fillmore/shared";
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
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

/** The live stream's state without the orders' per-frame changes: a page shell re-renders on these only. */
export interface LiveFeed {
  /** Every order the browser holds (bounded: see OrderStore); subscribe to it for each applied frame. */
  store: OrderStore;
  stale: boolean;
  reason: string | null;
}

export interface LiveState extends LiveFeed {
  /** Every order the browser holds (bounded: see OrderStore). */
  orders: ReadonlyMap<string, Order>;
  /** Rises with every applied frame of updates (and each snapshot). */
  version: number;
}

/** How long updates may wait when the page gets no animation frames (a background tab). */
const FLUSH_FALLBACK_MS = 250;

/** The store's version, re-rendering the caller after each applied frame of updates (and each snapshot). */
export function useStoreVersion(store: OrderStore): number {
  const version = () => store.version;
  return useSyncExternalStore(store.subscribe, version, version);
}

/**
 * The live orders, re-rendering the caller after each applied frame. A page that only hosts the
 * blotter uses `useLiveFeed` instead and lets the blotter subscribe, so its header, nav and
 * banners do not re-render per frame.
 */
export function useLiveOrders(enabled: boolean): LiveState {
  const feed = useLiveFeed(enabled);
  const version = useStoreVersion(feed.store);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal (the store's map mutates in place)
  const orders = useMemo(() => new OrdersView(feed.store.orders), [feed.store, version]);
  return { ...feed, orders, version };
}

/**
 * A snapshot, then ordered deltas. A gap in the stream sequence, a lost connection or a lost
 * engine marks the data stale and asks for a new snapshot.
 *
 * Updates are buffered as they arrive and applied once per animation frame: a burst of a hundred
 * updates a second costs one store pass and one render of the store's subscribers per frame, not
 * one per update. The caller re-renders only when `stale` or `reason` change.
 */
export function useLiveFeed(enabled: boolean): LiveFeed {
  const storeRef = useRef<OrderStore | null>(null);
  storeRef.current ??= new OrderStore();
  const store = storeRef.current;
  const [status, setStatus] = useState<{ stale: boolean; reason: string | null }>({ stale: true, reason: "connecting" });
  const lastSeq = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const socket: Socket = io({ withCredentials: true, transports: ["websocket", "polling"] });
    let pending: Order[] = [];
    let frame: number | undefined;
    let fallback: ReturnType<typeof setTimeout> | undefined;
    // Unchanged values keep the same state object: no re-render of the page.
    const setStale = (isStale: boolean, reason: string | null) =>
      setStatus((s) => (s.stale === isStale && s.reason === reason ? s : { stale: isStale, reason }));

    const flush = () => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (fallback !== undefined) clearTimeout(fallback);
      frame = undefined;
      fallback = undefined;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      store.apply(batch); // tells the store's subscribers
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
      setStale(true, reason);
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
      setStale(false, null);
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

  return useMemo(() => ({ store, ...status }), [store, status]);
}
