"use client";
import type { Order } from "@fillmore/shared";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";

interface LiveState {
  orders: Map<string, Order>;
  /** Order ids changed since the snapshot, with the sequence of their last change. */
  changed: Map<string, number>;
  stale: boolean;
  reason: string | null;
}

/**
 * A snapshot, then ordered deltas. A gap in the stream sequence, a lost connection or a lost
 * engine marks the data stale and asks for a new snapshot.
 */
export function useLiveOrders(enabled: boolean): LiveState {
  const [state, setState] = useState<LiveState>({ orders: new Map(), changed: new Map(), stale: true, reason: "connecting" });
  const lastSeq = useRef(0);
  const socketRef = useRef<Socket | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const socket = io({ withCredentials: true, transports: ["websocket", "polling"] });
    socketRef.current = socket;
    const markStale = (reason: string) => setState((s) => ({ ...s, stale: true, reason }));
    const resubscribe = (reason: string) => {
      markStale(reason);
      socket.emit("orders:subscribe");
    };

    socket.on("connect", () => socket.emit("orders:subscribe"));
    socket.on("disconnect", () => markStale("connection lost"));
    socket.on("connect_error", (e) => markStale(`cannot connect: ${e.message}`));
    socket.on("engine:status", (s: { connected: boolean }) => {
      if (!s.connected) markStale("engine unreachable");
    });
    socket.on("error:forbidden", (e: { message: string }) => markStale(e.message));
    socket.on("orders:snapshot", (snap: { streamSeq: number; orders: Order[] }) => {
      lastSeq.current = snap.streamSeq;
      setState({ orders: new Map(snap.orders.map((o) => [o.orderId, o])), changed: new Map(), stale: false, reason: null });
    });
    socket.on("orders:update", (u: { streamSeq: number; order: Order }) => {
      if (u.streamSeq <= lastSeq.current) return;
      if (u.streamSeq !== lastSeq.current + 1) {
        resubscribe(`missed updates ${lastSeq.current + 1}–${u.streamSeq - 1}; resyncing`);
        return;
      }
      lastSeq.current = u.streamSeq;
      setState((s) => {
        const orders = new Map(s.orders);
        orders.set(u.order.orderId, u.order);
        const changed = new Map(s.changed);
        changed.set(u.order.orderId, u.order.lastSeq);
        return { ...s, orders, changed };
      });
    });
    return () => {
      socket.disconnect();
      socketRef.current = null;
    };
  }, [enabled]);

  return state;
}
