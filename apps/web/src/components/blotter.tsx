"use client";
import { isTerminal, ORD_STATUSES, type Order } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { formatPx, formatQty, formatTime, placesOf, statusClass } from "../lib/format";
import { useTRPC } from "../lib/trpc";

interface BlotterProps {
  orders: Map<string, Order>;
  changed: Map<string, number>;
  canCancel: boolean;
  onCancel: (orderId: string) => void;
}

const MAX_ROWS = 300;

export function Blotter({ orders, changed, canCancel, onCancel }: BlotterProps) {
  const trpc = useTRPC();
  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { staleTime: 60_000 }));
  const places = useMemo(() => new Map((reference.data?.instruments ?? []).map((i) => [i.symbol, placesOf(i.tickSize)])), [reference.data]);
  const [symbol, setSymbol] = useState("");
  const [status, setStatus] = useState("");
  const [account, setAccount] = useState("");

  const rows = useMemo(() => {
    const wanted = [...orders.values()].filter(
      (o) =>
        (symbol === "" || o.symbol.includes(symbol.toUpperCase())) &&
        (status === "" || o.ordStatus === status) &&
        (account === "" || o.accountId === account),
    );
    wanted.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return wanted.slice(0, MAX_ROWS);
  }, [orders, symbol, status, account]);

  const accounts = useMemo(() => [...new Set([...orders.values()].map((o) => o.accountId))].sort(), [orders]);

  return (
    <section className="card blotter" aria-label="Blotter">
      <div className="toolbar">
        <h2>Orders</h2>
        <input aria-label="Filter by symbol" placeholder="Symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} />
        <select aria-label="Filter by status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All statuses</option>
          {ORD_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select aria-label="Filter by account" value={account} onChange={(e) => setAccount(e.target.value)}>
          <option value="">All accounts</option>
          {accounts.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <span className="muted">
          {rows.length} of {orders.size}
        </span>
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>ClOrdID</th>
              <th>Account</th>
              <th>Symbol</th>
              <th>Side</th>
              <th>Type</th>
              <th className="num">Qty</th>
              <th className="num">Filled</th>
              <th className="num">Leaves</th>
              <th className="num">Limit Px</th>
              <th className="num">Avg Px</th>
              <th>Status</th>
              <th>Venue</th>
              <th>TIF</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr
                key={`${o.orderId}:${o.lastSeq}`}
                data-order-id={o.orderId}
                data-cl-ord-id={o.clOrdId}
                data-status={o.ordStatus}
                className={changed.get(o.orderId) === o.lastSeq ? "flash" : undefined}
              >
                <td className="mono">{formatTime(o.createdAt)}</td>
                <td className="mono clordid" title={o.clOrdId}>
                  {o.clOrdId}
                </td>
                <td>{o.accountId}</td>
                <td className="strong">{o.symbol}</td>
                <td className={o.side === "Buy" ? "buy" : "sell"}>{o.side}</td>
                <td>{o.ordType}</td>
                <td className="num">{formatQty(o.orderQty)}</td>
                <td className="num">{formatQty(o.cumQty)}</td>
                <td className="num">{formatQty(o.leavesQty)}</td>
                <td className="num">{formatPx(o.price, places.get(o.symbol))}</td>
                <td className="num">{formatPx(o.avgPx, (places.get(o.symbol) ?? 2) + 2)}</td>
                <td>
                  <span className={statusClass(o.ordStatus)} title={o.rejectReason ?? undefined}>
                    {o.ordStatus}
                  </span>
                </td>
                <td>{o.venueId ?? "—"}</td>
                <td>{o.timeInForce}</td>
                <td>
                  {canCancel && !isTerminal(o.ordStatus) && o.ordStatus !== "PendingCancel" && (
                    <button type="button" className="small" onClick={() => onCancel(o.orderId)} aria-label={`Cancel ${o.clOrdId}`}>
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">No orders match.</p>}
      </div>
    </section>
  );
}
