"use client";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { placesOf } from "../../lib/format";
import { OrderStore } from "../../lib/order-store";
import { useTRPC } from "../../lib/trpc";
import { Blotter } from "../blotter";
import { PositionsTable } from "../positions/positions-table";
// The positions view's own styles (group rows, signs, one flow without an inner scroll).
import "../../app/positions/positions.css";

const noCancel = () => undefined;
const noSelect = () => undefined;

/**
 * The book as of a past moment (audit.asOf): orders and positions rebuilt from the journal, marked
 * historical. The orders are shown in the blotter itself (same columns, filters and sorting), read
 * only; the positions in the positions view itself (average price, realized P&L and fees as they
 * stood; unrealized P&L unknown: marks are not journaled), then the quantities bought and sold.
 */
export function BookAsOf() {
  const trpc = useTRPC();
  const [at, setAt] = useState<{ ts?: string; seq?: number } | null>(null);
  const book = useQuery(trpc.audit.asOf.queryOptions({ ...(at ?? { seq: 1 }), limit: 500 }, { enabled: at !== null, retry: false }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const seq = Number(String(form.get("seq") ?? "").trim());
    const when = String(form.get("when") ?? "");
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
        </div>
      )}
    </section>
  );
}
