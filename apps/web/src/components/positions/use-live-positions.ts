"use client";
import type { PositionChanged, PositionRow, PositionsSnapshot } from "@fillmore/shared";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";

export const rowKey = (r: Pick<PositionRow, "accountId" | "strategy" | "symbol">) => `${r.accountId}|${r.strategy ?? ""}|${r.symbol}`;

export interface LivePositionsState {
  /** Every position the caller may see, by account|strategy|symbol. */
  rows: ReadonlyMap<string, PositionRow>;
  /** Rises with every snapshot and update: the page refreshes its totals when it moves. */
  version: number;
  /** The newest figure's time (UTC ISO-8601). */
  asOf: string | null;
  stale: boolean;
  reason: string | null;
}

/** How long updates may wait before they are applied together (bursts of fills and marks cost one render). */
const FLUSH_MS = 100;

/**
 * `positions:subscribe` on the console's socket: a snapshot of the caller's positions, then each
 * changed row as the engine recomputes it (fills at once, marks coalesced per position). A lost
 * connection or a lost engine marks the figures stale until the next snapshot.
 */
export function useLivePositions(enabled: boolean): LivePositionsState {
  const [state, setState] = useState<LivePositionsState>({ rows: new Map(), version: 0, asOf: null, stale: true, reason: "connecting" });

  useEffect(() => {
    if (!enabled) return;
    const socket: Socket = io({ withCredentials: true, transports: ["websocket", "polling"] });
    let pending: PositionChanged[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const markStale = (reason: string) => setState((s) => ({ ...s, stale: true, reason }));
    const flush = () => {
      timer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length === 0) return;
      setState((s) => {
        const rows = new Map(s.rows);
        let asOf = s.asOf;
        for (const change of batch) {
          rows.set(rowKey(change.row), change.row);
          if (asOf === null || change.ts > asOf) asOf = change.ts;
        }
        return { ...s, rows, asOf, version: s.version + 1 };
      });
    };

    socket.on("connect", () => socket.emit("positions:subscribe"));
    socket.on("disconnect", () => markStale("connection lost"));
    socket.on("connect_error", (e) => markStale(`cannot connect: ${e.message}`));
    socket.on("positions:status", (s: { connected: boolean }) => {
      if (!s.connected) markStale("engine positions stream unreachable");
    });
    socket.on("error:forbidden", (e: { channel?: string; message: string }) => {
      if (e.channel === "positions") markStale(e.message);
    });
    socket.on("session:ended", (e: { message: string }) => markStale(e.message));
    socket.on("error:subscribe", (e: { channel?: string; message: string; retryAfterMs?: number }) => {
      if (e.channel !== "positions") return;
      markStale(e.message);
      clearTimeout(retry);
      retry = setTimeout(() => socket.emit("positions:subscribe"), e.retryAfterMs ?? 2000);
    });
    socket.on("positions:snapshot", (snap: PositionsSnapshot) => {
      pending = [];
      setState((s) => ({
        rows: new Map(snap.rows.map((r) => [rowKey(r), r])),
        version: s.version + 1,
        asOf: snap.asOf,
        stale: false,
        reason: null,
      }));
    });
    socket.on("positions:update", (change: PositionChanged) => {
      pending.push(change);
      timer ??= setTimeout(flush, FLUSH_MS);
    });
    return () => {
      clearTimeout(timer);
      clearTimeout(retry);
      socket.disconnect();
    };
  }, [enabled]);

  return state;
}
