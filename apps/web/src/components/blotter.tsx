"use client";
import { cancelAllInput, isTerminal, ORD_STATUSES } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type CSSProperties, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { placesOf } from "../lib/format";
import type { OrderStore, ViewSpec } from "../lib/order-store";
import { useTRPC } from "../lib/trpc";
import { useStoreVersion } from "../lib/use-live-orders";
import { errorText } from "../lib/use-session";
import { ColumnChooser, useVisibleColumns } from "./blotter/column-chooser";
import { COLUMN_BY_ID, type Column } from "./blotter/columns";
import { FLASH_MS } from "./blotter/flash";
import { BlotterHeader } from "./blotter/header";
import { BlotterRow } from "./blotter/row";
import { comparatorFor, DEFAULT_SORT, type Sort } from "./blotter/sort";
import { ModifyDialog } from "./modify-dialog";
import { ExportButtons } from "./reports/export-buttons";

interface BlotterProps {
  /** The orders; the blotter subscribes to it and re-renders after each applied frame of updates. */
  store: OrderStore;
  /** For a store that never publishes (the book as of a past time): a new value means new data to show. */
  version?: number;
  canCancel: boolean;
  /** Cancel/replace needs the submit permission. */
  canModify?: boolean;
  onCancel: (orderId: string) => void;
  /** Export buttons for the view as filtered (the live blotter page; a historical book has none). */
  exportable?: boolean;
  /** Heading and accessible name of the grid, for a blotter that is not the live one (the book as of a past time). */
  title?: string;
  gridLabel?: string;
}

/** Row height in px; fixed, so the virtualiser needs no measuring (kept in step with globals.css). */
export const ROW_HEIGHT = 28;
const ACTIONS_WIDTH = 70;
const CAPACITY_STEP = 1024;
const rowHeight = () => ROW_HEIGHT;

export function Blotter({ store, version, canCancel, canModify = false, onCancel, title = "Orders", gridLabel, exportable }: BlotterProps) {
  const trpc = useTRPC();
  const cancelAll = useMutation(trpc.orders.cancelAll.mutationOptions());
  const [editing, setEditing] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [allResult, setAllResult] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { staleTime: 60_000 }));
  const places = useMemo(() => new Map((reference.data?.instruments ?? []).map((i) => [i.symbol, placesOf(i.tickSize)])), [reference.data]);
  const [symbol, setSymbol] = useState("");
  const [idSearch, setIdSearch] = useState("");
  const [status, setStatus] = useState("");
  const [account, setAccount] = useState("");
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [visibleIds, toggleColumn, resetColumns] = useVisibleColumns();
  const columns = useMemo(() => visibleIds.flatMap((id) => COLUMN_BY_ID.get(id) ?? []), [visibleIds]);

  // One spec per filter/sort choice: the store keeps its view sorted incrementally until it changes.
  const spec = useMemo<ViewSpec>(() => {
    const sym = symbol.toUpperCase();
    const id = idSearch.trim().toLowerCase();
    return {
      filter: (o) =>
        (sym === "" || o.symbol.includes(sym)) &&
        (status === "" || o.ordStatus === status) &&
        (account === "" || o.accountId === account) &&
        (id === "" || o.clOrdId.toLowerCase().includes(id) || o.orderId.toLowerCase().includes(id)),
      compare: comparatorFor(sort, store),
    };
  }, [symbol, idSearch, status, account, sort, store]);
  // Only the blotter subscribes to the store's frames, not the page around it (header, nav, ticket).
  const storeVersion = useStoreVersion(store);
  // The versions make this re-read after each frame of updates (the store mutates its view in place).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the versions are the change signal
  const rows = useMemo(() => store.view(spec), [store, spec, version, storeVersion]);
  const accounts = store.accounts();

  const scroller = useRef<HTMLDivElement>(null);
  // The virtualiser rebuilds its per-item measurements (O(count)) whenever `count` changes; with a
  // new order every few frames that is a 10,000-item rebuild per frame. So it gets a capacity that
  // grows in steps of 1,024 and indices past the last row are simply not rendered.
  const virtualizer = useVirtualizer({
    count: Math.max(CAPACITY_STEP, Math.ceil(rows.length / CAPACITY_STEP) * CAPACITY_STEP),
    getScrollElement: () => scroller.current,
    estimateSize: rowHeight,
    overscan: 12,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems().filter((item) => item.index < rows.length);
  // Rows flash only for a change that just arrived: a row scrolled into view later does not replay it.
  const frameNow = performance.now();

  // Scroll anchoring: once the trader has scrolled down, new orders arriving on top must not push
  // the rows they are reading down the screen. At the very top the view stays live (new rows show).
  // The anchor is taken on scroll events only: reading scrollTop after each frame's DOM changes
  // would force a synchronous style and layout pass per frame (the profile's largest item).
  const anchor = useRef<{ orderId: string; offset: number } | null>(null);
  const anchoredAt = useRef(-1);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const setAnchor = useCallback(() => {
    const el = scroller.current;
    if (!el || el.scrollTop <= 0) {
      anchor.current = null;
      return;
    }
    const at = Math.floor(el.scrollTop / ROW_HEIGHT);
    const o = rowsRef.current[at];
    anchor.current = o ? { orderId: o.orderId, offset: el.scrollTop - at * ROW_HEIGHT } : null;
    anchoredAt.current = at;
  }, []);
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (!el || !a) return;
    const at = rows.findIndex((o) => o.orderId === a.orderId);
    if (at < 0) {
      anchor.current = null;
      return;
    }
    // Only when the anchored row moved: the scroll position is written, never read, here.
    if (at !== anchoredAt.current) el.scrollTop = at * ROW_HEIGHT + a.offset;
    anchoredAt.current = at;
  });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    el.addEventListener("scroll", setAnchor, { passive: true });
    return () => el.removeEventListener("scroll", setAnchor);
  }, [setAnchor]);
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? rows.length * ROW_HEIGHT - (items[items.length - 1]?.end ?? 0) : 0;

  // Stable callbacks, so memoised rows do not re-render when the page does.
  const cancelRef = useRef(onCancel);
  cancelRef.current = onCancel;
  const onRowCancel = useCallback((orderId: string) => cancelRef.current(orderId), []);
  const onRowModify = useCallback((orderId: string) => setEditing(orderId), []);

  const onSort = useCallback((column: Column) => {
    setSort((s) =>
      s.column === column.id
        ? { column: column.id, dir: s.dir === "asc" ? "desc" : "asc" }
        : { column: column.id, dir: column.firstDir ?? "asc" },
    );
    scroller.current?.scrollTo({ top: 0 });
  }, []);

  // Cancel all works on exact filters: the symbol box as typed (upper case) and the account.
  const allFilter = { symbol: symbol.trim() === "" ? undefined : symbol.trim().toUpperCase(), accountId: account || undefined };
  const hasFilter = allFilter.symbol !== undefined || allFilter.accountId !== undefined;
  const allMatching = confirmAll
    ? [...store.orders.values()].filter(
        (o) =>
          !isTerminal(o.ordStatus) &&
          (allFilter.symbol === undefined || o.symbol === allFilter.symbol) &&
          (allFilter.accountId === undefined || o.accountId === allFilter.accountId),
      ).length
    : 0;
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

  const editingOrder = editing ? store.orders.get(editing) : undefined;
  const closeEditor = useCallback(() => setEditing(null), []);
  const tableWidth = columns.reduce((w, c) => w + c.width, 0) + ACTIONS_WIDTH;
  // --row-width: where the cells end (the table may be wider); the row flash overlay stops there (globals.css).
  const tableStyle = { minWidth: tableWidth, "--row-width": `${tableWidth}px` } as CSSProperties;

  return (
    <section className="card blotter" aria-label={gridLabel ? `${gridLabel} blotter` : "Blotter"}>
      <div className="toolbar">
        <h2>{title}</h2>
        <input aria-label="Filter by symbol" placeholder="Symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} />
        <input
          aria-label="Find by ClOrdID or order id"
          placeholder="ClOrdID / order id"
          value={idSearch}
          onChange={(e) => setIdSearch(e.target.value)}
        />
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
        <span className="muted" aria-live="off">
          {rows.length} of {store.size}
        </span>
        <span className="spacer" />
        <ColumnChooser visible={visibleIds} onToggle={toggleColumn} onReset={resetColumns} />
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
      {exportable && (
        <ExportButtons
          source="blotter"
          input={{
            symbol: symbol.trim() || undefined,
            find: idSearch.trim() || undefined,
            status: status || undefined,
            accountId: account || undefined,
          }}
        />
      )}
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
      <div className="table-wrap grid-wrap" ref={scroller} data-testid="blotter-scroll">
        <table className="grid" style={tableStyle} aria-rowcount={rows.length + 1} aria-label={gridLabel}>
          <colgroup>
            {columns.map((c) => (
              <col key={c.id} style={{ width: c.width }} />
            ))}
            <col style={{ width: ACTIONS_WIDTH }} />
          </colgroup>
          <BlotterHeader columns={columns} sort={sort} onSort={onSort} />
          <tbody>
            {padTop > 0 && (
              <tr className="pad" style={{ height: padTop }}>
                <td colSpan={columns.length + 1} />
              </tr>
            )}
            {items.map((item) => {
              const o = rows[item.index];
              if (!o) return null;
              return (
                <BlotterRow
                  key={o.orderId}
                  order={o}
                  columns={columns}
                  flash={store.flashes(o, FLASH_MS, frameNow)}
                  places={places.get(o.symbol)}
                  isSplitParent={store.splitParents.has(o.orderId)}
                  lastFill={store.lastFills.get(o.orderId)}
                  canCancel={canCancel}
                  canModify={canModify}
                  onCancel={onRowCancel}
                  onModify={onRowModify}
                />
              );
            })}
            {padBottom > 0 && (
              <tr className="pad" style={{ height: padBottom }}>
                <td colSpan={columns.length + 1} />
              </tr>
            )}
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
