"use client";
import { can, ORD_STATUSES, type OrdStatus } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { AppHeader } from "../../../components/app-header";
import { ExportButtons } from "../../../components/reports/export-buttons";
import { useTRPC } from "../../../lib/trpc";
import { useSession } from "../../../lib/use-session";
import "../../reports/reports.css";

type Sort = "createdAt" | "updatedAt" | "symbol" | "accountId" | "ordStatus" | "orderQty" | "cumQty";
interface Filters {
  accountId?: string;
  symbol?: string;
  strategy?: string;
  side?: "Buy" | "Sell";
  ordStatus?: OrdStatus[];
  /** Created in [from, to), UTC. */
  from?: string;
  to?: string;
}

/** A datetime-local value (UTC, to the minute or second) as an instant; "" as none. */
function instantOf(value: FormDataEntryValue | null): string | undefined {
  const v = String(value ?? "");
  return v ? `${v.length === 16 ? `${v}:00` : v}Z` : undefined;
}

const COLUMNS: { key: Sort | null; label: string; num?: boolean }[] = [
  { key: "createdAt", label: "Created (UTC)" },
  { key: null, label: "Order" },
  { key: "accountId", label: "Account" },
  { key: "symbol", label: "Symbol" },
  { key: null, label: "Side" },
  { key: null, label: "Type" },
  { key: "orderQty", label: "Qty", num: true },
  { key: null, label: "Price", num: true },
  { key: "ordStatus", label: "Status" },
  { key: "cumQty", label: "Filled", num: true },
  { key: null, label: "Avg px", num: true },
  { key: "updatedAt", label: "Last change (UTC)" },
];

const PAGE = 50;

/** Every order ever received, sorted and paged on the server (the blotter stays the live view). */
export default function OrderHistoryPage() {
  const trpc = useTRPC();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "orders:read") : false;
  const [filters, setFilters] = useState<Filters>({});
  const [sort, setSort] = useState<Sort>("createdAt");
  const [dir, setDir] = useState<"asc" | "desc">("desc");
  // Cursors of the pages before this one (keyset paging: back is the previous page's cursor).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useQuery(
    trpc.reports.orderHistory.queryOptions(
      { filters, sort, dir, cursor, limit: PAGE },
      { enabled: mayRead, retry: false, placeholderData: (p) => p },
    ),
  );

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const header = <AppHeader name={me.data.name} role={me.data.role} />;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const f: Filters = {};
    for (const name of ["accountId", "symbol", "strategy"] as const) {
      const v = String(form.get(name) ?? "").trim();
      if (v) f[name] = v;
    }
    const side = String(form.get("side") ?? "");
    if (side === "Buy" || side === "Sell") f.side = side;
    const status = String(form.get("ordStatus") ?? "");
    if ((ORD_STATUSES as readonly string[]).includes(status)) f.ordStatus = [status as OrdStatus];
    const from = instantOf(form.get("from"));
    const to = instantOf(form.get("to"));
    if (from) f.from = from;
    if (to) f.to = to;
    setFilters(f);
    setCursors([undefined]);
  }

  function sortBy(key: Sort) {
    if (key === sort) setDir(dir === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setDir("desc");
    }
    setCursors([undefined]);
  }

  const orders = page.data?.orders ?? [];
  const pageNo = cursors.length;

  return (
    <>
      {header}
      <main className="layout reports">
        <section className="card" aria-label="Order history">
          <div className="toolbar">
            <h2>Order history</h2>
            <span className="muted">every order, sorted and paged on the server · the blotter is the live view</span>
            <span className="spacer" />
            <ExportButtons source="orders" input={{ filters, sort, dir }} />
          </div>
          <form className="report-form" aria-label="History filters" onSubmit={onSubmit}>
            <label>
              Account
              <input name="accountId" placeholder="ACC-ALPHA" maxLength={128} />
            </label>
            <label>
              Symbol
              <input name="symbol" placeholder="AAPL" maxLength={128} />
            </label>
            <label>
              Strategy
              <input name="strategy" placeholder="S-…" maxLength={128} />
            </label>
            <label>
              Side
              <select name="side" defaultValue="">
                <option value="">Any</option>
                <option value="Buy">Buy</option>
                <option value="Sell">Sell</option>
              </select>
            </label>
            <label>
              Status
              <select name="ordStatus" defaultValue="">
                <option value="">Any</option>
                {ORD_STATUSES.map((st) => (
                  <option key={st} value={st}>
                    {st}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Created from (UTC)
              <input name="from" type="datetime-local" step="1" />
            </label>
            <label>
              to (UTC, before)
              <input name="to" type="datetime-local" step="1" />
            </label>
            <div className="report-buttons">
              <button type="submit" className="primary">
                Filter
              </button>
            </div>
          </form>
          {page.error && <p className="error">{page.error.message}</p>}
          <div className="table-wrap tall">
            <table aria-label="Orders" aria-busy={page.isPlaceholderData}>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.label}
                      className={c.num ? "num" : undefined}
                      aria-sort={c.key === sort ? (dir === "asc" ? "ascending" : "descending") : undefined}
                    >
                      {c.key ? (
                        <button type="button" className="link" onClick={() => sortBy(c.key as Sort)}>
                          {c.label}
                          {c.key === sort ? (dir === "asc" ? " ▲" : " ▼") : ""}
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {orders.map((o) => (
                  <tr key={o.orderId}>
                    <td className="mono">{o.createdAt.replace("T", " ").slice(0, 23)}</td>
                    <td className="mono">
                      <Link href={`/orders/${encodeURIComponent(o.orderId)}`}>{o.orderId}</Link>
                    </td>
                    <td>{o.accountId}</td>
                    <td>{o.symbol}</td>
                    <td className={o.side === "Buy" ? "buy" : "sell"}>{o.side}</td>
                    <td>{o.ordType}</td>
                    <td className="num mono">{o.orderQty}</td>
                    <td className="num mono">{o.price ?? "—"}</td>
                    <td>{o.ordStatus}</td>
                    <td className="num mono">{o.cumQty}</td>
                    <td className="num mono">{o.avgPx}</td>
                    <td className="mono">{o.updatedAt.replace("T", " ").slice(0, 23)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.data && orders.length === 0 && <p className="empty">No orders match.</p>}
          </div>
          <div className="pager">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous
            </button>
            <span className="muted" data-testid="history-page">
              Page {pageNo} · {orders.length} orders
            </span>
            <button
              type="button"
              disabled={!page.data?.nextCursor}
              onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
            >
              Next
            </button>
          </div>
        </section>
      </main>
    </>
  );
}
