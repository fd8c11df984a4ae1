"use client";
import { cancelAllInput, isTerminal, ORD_STATUSES, type Order } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { formatPx, formatQty, formatTime, placesOf, statusClass } from "../lib/format";
import { useTRPC } from "../lib/trpc";
import { errorText } from "../lib/use-session";
import { ModifyDialog } from "./modify-dialog";

interface BlotterProps {
  orders: Map<string, Order>;
  changed: Map<string, number>;
  canCancel: boolean;
  /** Cancel/replace needs the submit permission. */
  canModify?: boolean;
  onCancel: (orderId: string) => void;
}

const MODIFIABLE = new Set(["Validated", "Accepted", "PartiallyFilled"]);

const MAX_ROWS = 300;

export function Blotter({ orders, changed, canCancel, canModify = false, onCancel }: BlotterProps) {
  const trpc = useTRPC();
  const cancelAll = useMutation(trpc.orders.cancelAll.mutationOptions());
  const [editing, setEditing] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [allResult, setAllResult] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
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

  /** Orders the router split into child orders (their children name them as parent). */
  const splitParents = useMemo(() => new Set([...orders.values()].flatMap((o) => (o.parentId ? [o.parentId] : []))), [orders]);
  const accounts = useMemo(() => [...new Set([...orders.values()].map((o) => o.accountId))].sort(), [orders]);

  // Cancel all works on exact filters: the symbol box as typed (upper case) and the account.
  const allFilter = { symbol: symbol.trim() === "" ? undefined : symbol.trim().toUpperCase(), accountId: account || undefined };
  const hasFilter = allFilter.symbol !== undefined || allFilter.accountId !== undefined;
  const allMatching = [...orders.values()].filter(
    (o) =>
      !isTerminal(o.ordStatus) &&
      (allFilter.symbol === undefined || o.symbol === allFilter.symbol) &&
      (allFilter.accountId === undefined || o.accountId === allFilter.accountId),
  ).length;
  const filterText = [allFilter.symbol && `symbol ${allFilter.symbol}`, allFilter.accountId && `account ${allFilter.accountId}`]
    .filter(Boolean)
    .join(" and ");

  async function onCancelAll() {
    const parsed = cancelAllInput.safeParse(allFilter);
    if (!parsed.success) {
      setAllResult({ kind: "error", text: parsed.error.issues.map((i) => `${i.path.join(".") || "filter"}: ${i.message}`).join("; ") });
      setConfirmAll(false);
      return;
    }
    try {
      const r = await cancelAll.mutateAsync(parsed.data);
      const why = r.skipped.length > 0 ? ` (${r.skipped.map((s) => `${s.orderId}: ${s.reason}`).join("; ")})` : "";
      setAllResult({ kind: "ok", text: `Cancel all (${filterText}): cancelled ${r.cancelled.length}, skipped ${r.skipped.length}${why}` });
    } catch (error) {
      setAllResult({ kind: "error", text: errorText(error) });
    } finally {
      setConfirmAll(false);
    }
  }

  const editingOrder = editing ? orders.get(editing) : undefined;
  const closeEditor = useCallback(() => setEditing(null), []);

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
        <span className="spacer" />
        {canCancel && (
          <button
            type="button"
            className="small danger"
            disabled={!hasFilter || cancelAll.isPending}
            title={hasFilter ? `Cancel every working order with ${filterText}` : "Filter by symbol or account first"}
            onClick={() => {
              setAllResult(null);
              setConfirmAll(true);
            }}
          >
            Cancel all…
          </button>
        )}
      </div>
      {confirmAll && (
        <fieldset className="confirm" aria-label="Confirm cancel all">
          <span>
            Cancel every working order with <strong>{filterText}</strong>? {allMatching} on screen match.
          </span>
          <button type="button" className="small danger" onClick={onCancelAll} disabled={cancelAll.isPending}>
            {cancelAll.isPending ? "Cancelling…" : "Confirm cancel all"}
          </button>
          <button type="button" className="small" onClick={() => setConfirmAll(false)}>
            Keep them
          </button>
        </fieldset>
      )}
      {allResult && (
        <p role={allResult.kind === "ok" ? "status" : "alert"} className={`notice ${allResult.kind === "ok" ? "ok" : "error"}`}>
          {allResult.text}
        </p>
      )}
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
                data-parent-id={o.parentId ?? undefined}
                className={changed.get(o.orderId) === o.lastSeq ? "flash" : undefined}
              >
                <td className="mono">{formatTime(o.createdAt)}</td>
                <td className="mono clordid" title={o.clOrdId}>
                  <Link href={`/orders/${encodeURIComponent(o.orderId)}`}>{o.parentId ? `↳ ${o.clOrdId}` : o.clOrdId}</Link>
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
                <td>{o.venueId ?? (splitParents.has(o.orderId) ? "split" : "—")}</td>
                <td>{o.timeInForce}</td>
                <td className="actions">
                  {canModify && MODIFIABLE.has(o.ordStatus) && !o.parentId && !splitParents.has(o.orderId) && (
                    <button type="button" className="small" onClick={() => setEditing(o.orderId)} aria-label={`Modify ${o.clOrdId}`}>
                      Modify
                    </button>
                  )}
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
      {canModify && editingOrder && (
        <ModifyDialog order={editingOrder} places={places.get(editingOrder.symbol) ?? 2} onClose={closeEditor} />
      )}
    </section>
  );
}
