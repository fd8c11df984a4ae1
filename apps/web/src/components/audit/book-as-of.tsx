"use client";
import { ORD_STATUSES, type OrdStatus } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { placesOf } from "../../lib/format";
import { OrderStore } from "../../lib/order-store";
import { useTRPC } from "../../lib/trpc";
import { Blotter } from "../blotter";
import { PositionsTable } from "../positions/positions-table";
import { ExportButtons } from "../reports/export-buttons";
// The positions view's own styles (group rows, signs, one flow without an inner scroll).
import "../../app/positions/positions.css";

const noCancel = () => undefined;
const noSelect = () => undefined;
/** Orders a page (the engine keeps the rebuilt book, so paging costs no second replay). */
const PAGE = 100;

interface Filters {
  accountId?: string;
  symbol?: string;
  status?: OrdStatus[];
}

/**
 * The book as of a past moment (audit.asOf): orders and positions rebuilt from the journal, marked
 * historical. The orders are shown in the blotter itself (same columns, filters and sorting), read
 * only; the positions in the positions view itself (average price, realized P&L and fees as they
 * stood; unrealized P&L unknown: marks are not journaled), then the quantities bought and sold.
 * The orders come a page at a time from the server (working ones first, then the rest, newest first),
 * filtered there by account, symbol and status; the positions by account and symbol.
 */
export function BookAsOf() {
  const trpc = useTRPC();
  const [at, setAt] = useState<{ ts?: string; seq?: number } | null>(null);
  const [filters, setFilters] = useState<Filters>({});
  const [offset, setOffset] = useState(0);
  const book = useQuery(
    trpc.audit.asOf.queryOptions(
      { ...(at ?? { seq: 1 }), ...filters, offset, limit: PAGE },
      { enabled: at !== null, retry: false, placeholderData: (previous) => previous },
    ),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const seq = Number(String(form.get("seq") ?? "").trim());
    const when = String(form.get("when") ?? "");
    const f: Filters = {};
    for (const name of ["accountId", "symbol"] as const) {
      const v = String(form.get(name) ?? "").trim();
      if (v) f[name] = v;
    }
    const status = String(form.get("status") ?? "");
    if ((ORD_STATUSES as readonly string[]).includes(status)) f.status = [status as OrdStatus];
    setFilters(f);
    setOffset(0);
    if (Number.isInteger(seq) && seq > 0) setAt({ seq });
    else if (when) setAt({ ts: `${when.length === 16 ? `${when}:00` : when}Z` });
  }

  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { staleTime: 60_000 }));
  const ticks = useMemo(() => new Map(reference.data?.instruments.map((i) => [i.symbol, placesOf(i.tickSize)]) ?? []), [reference.data]);
  const names = useMemo(() => new Map(reference.data?.accounts.map((a) => [a.id, a.name]) ?? []), [reference.data]);
  const b = book.data;
  const store = useMemo(() => {
    const s = new OrderStore();
    s.reset(b?.orders ?? []);
    return s;
  }, [b]);
  return (
    <section className="card" aria-label="Book as of">
      <div className="toolbar">
        <h2>Book as of</h2>
        <span className="muted">every order and position at a past moment, rebuilt from the journal</span>
      </div>
      <form className="audit-filters" aria-label="As of" onSubmit={onSubmit}>
        <label>
          Time (UTC)
          <input name="when" type="datetime-local" step="1" />
        </label>
        <label>
          or journal seq
          <input name="seq" inputMode="numeric" placeholder="12345" />
        </label>
        <label>
          Account
          <input name="accountId" placeholder="ACC-ALPHA" maxLength={128} />
        </label>
        <label>
          Symbol
          <input name="symbol" placeholder="AAPL" maxLength={128} />
        </label>
        <label>
          Status then
          <select name="status" defaultValue="">
            <option value="">Any</option>
            {ORD_STATUSES.map((st) => (
              <option key={st} value={st}>
                {st}
              </option>
            ))}
          </select>
        </label>
        <div className="audit-buttons">
          <button type="submit" className="primary">
            Show book
          </button>
        </div>
      </form>
      {book.error && <p className="error">{book.error.message}</p>}
      {b && (
        <div data-testid="book-as-of">
          <p className="historical" role="status">
            HISTORICAL · as of event #{b.asOf.seq}
            {b.asOf.ts ? ` (${b.asOf.ts.replace("T", " ").slice(0, 26)} UTC)` : ""} · {b.working} working of {b.ordersTotal} orders · not
            live
          </p>
          {(filters.accountId || filters.symbol || filters.status) && (
            <p className="muted">
              Filtered:{filters.accountId ? ` account ${filters.accountId}` : ""}
              {filters.symbol ? ` · symbol ${filters.symbol}` : ""}
              {filters.status ? ` · status ${filters.status.join(", ")} then` : ""}
            </p>
          )}
          <h3>Positions (historical)</h3>
          <div className="positions">
            <PositionsTable
              rows={b.pnl.rows}
              method={b.pnl.method === "fifo" ? "fifo" : "avgCost"}
              byAccount={b.pnl.byAccount}
              firm={b.pnl.firm ?? undefined}
              accountNames={names}
              placesOf={(symbol) => ticks.get(symbol) ?? 2}
              selected={null}
              onSelect={noSelect}
            />
          </div>
          <div className="table-wrap">
            <table aria-label="Positions as of">
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Symbol</th>
                  <th className="num">Qty</th>
                  <th className="num">Bought</th>
                  <th className="num">Sold</th>
                </tr>
              </thead>
              <tbody>
                {b.positions.map((p) => (
                  <tr key={`${p.accountId}|${p.symbol}`}>
                    <td>{p.accountId}</td>
                    <td>{p.symbol}</td>
                    <td className="num mono">{p.qty}</td>
                    <td className="num mono">{p.boughtQty}</td>
                    <td className="num mono">{p.soldQty}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Blotter
            store={store}
            version={b.asOf.seq}
            canCancel={false}
            onCancel={noCancel}
            title="Orders (historical)"
            gridLabel="Orders as of"
          />
          <nav className="toolbar" aria-label="Orders as of pages">
            <button type="button" disabled={b.offset === 0} onClick={() => setOffset(Math.max(0, b.offset - PAGE))}>
              Previous
            </button>
            <span className="muted" data-testid="book-as-of-page" aria-busy={book.isPlaceholderData}>
              {b.orders.length === 0
                ? `0 of ${b.matched} orders`
                : `${(b.offset + 1).toLocaleString("en-US")}–${(b.offset + b.orders.length).toLocaleString("en-US")} of ${b.matched.toLocaleString("en-US")} orders`}{" "}
              · page {Math.floor(b.offset / PAGE) + 1} of {Math.max(1, Math.ceil(b.matched / PAGE))}
            </span>
            <button type="button" disabled={b.offset + b.orders.length >= b.matched} onClick={() => setOffset(b.offset + PAGE)}>
              Next
            </button>
          </nav>
          {/* Every page of this moment's orders (the moment as its event number, so the file is what is shown). */}
          <ExportButtons source="asOf" label="book as of" input={{ seq: b.asOf.seq, ...filters }} />
        </div>
      )}
    </section>
  );
}
