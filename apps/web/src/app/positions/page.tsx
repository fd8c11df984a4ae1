"use client";
import { can, type PnlMethod } from "@fillmore/shared";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { AppHeader } from "../../components/app-header";
import { CorporateActions } from "../../components/positions/corporate-actions";
import { formatMoney, signClass } from "../../components/positions/money";
import { PnlChart } from "../../components/positions/pnl-chart";
import { PositionDetail } from "../../components/positions/position-detail";
import { PositionsTable } from "../../components/positions/positions-table";
import { useLivePositions } from "../../components/positions/use-live-positions";
import { formatTime, placesOf } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { useSession } from "../../lib/use-session";
import "./positions.css";
import { Notices } from "../../components/notices";

const METHODS: { value: PnlMethod; label: string }[] = [
  { value: "avgCost", label: "Average cost" },
  { value: "fifo", label: "FIFO" },
];

/** Positions and P&L per account and strategy, live, with totals, the method toggle, intraday charts and each position's fills. */
export default function PositionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "risk:read") : false;
  const live = useLivePositions(mayRead);
  const [method, setMethod] = useState<PnlMethod>("avgCost");
  const [selected, setSelected] = useState<string | null>(null);
  // Totals come from the engine for the chosen method; refreshed as rows change (at most once a second).
  const totals = useQuery(trpc.positions.snapshot.queryOptions({ method }, { enabled: mayRead, refetchInterval: 5000 }));
  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { enabled: mayRead, staleTime: 60_000 }));
  const lastRefresh = useRef(0);

  useEffect(() => {
    if (live.version === 0) return;
    const wait = Math.max(0, lastRefresh.current + 1000 - Date.now());
    const timer = setTimeout(() => {
      lastRefresh.current = Date.now();
      void queryClient.invalidateQueries({ queryKey: trpc.positions.snapshot.queryKey() });
    }, wait);
    return () => clearTimeout(timer);
  }, [live.version, queryClient, trpc]);

  const rows = useMemo(() => [...live.rows.values()], [live.rows]);
  const ticks = useMemo(() => new Map(reference.data?.instruments.map((i) => [i.symbol, placesOf(i.tickSize)]) ?? []), [reference.data]);
  const names = useMemo(() => new Map(reference.data?.accounts.map((a) => [a.id, a.name]) ?? []), [reference.data]);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const header = <AppHeader name={me.data.name} role={role} live={live} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <section className="card">
            <p className="error">Not permitted: the positions page needs risk:read (you are {role}).</p>
          </section>
        </main>
      </>
    );

  const selectedRow = selected ? live.rows.get(selected) : undefined;
  const firm = totals.data?.firm;
  const accounts = [...new Set(rows.map((r) => r.accountId))].sort();

  return (
    <>
      {header}
      <Notices>
        {live.stale && live.reason && live.reason !== "connecting" && (
          <div className="banner" role="status">
            Figures may be stale: {live.reason}
          </div>
        )}
        {totals.error && (
          <div className="banner error" role="alert">
            {totals.error.message}
          </div>
        )}
      </Notices>
      <main className="layout positions">
        {/* Above the live table, so rows it gains or loses never move the detail under the pointer. */}
        {selectedRow && (
          <PositionDetail
            key={selected}
            row={selectedRow}
            places={ticks.get(selectedRow.symbol) ?? 2}
            fillCount={selectedRow.fillCount}
            onClose={() => setSelected(null)}
          />
        )}
        <section className="card" aria-label="Positions">
          <div className="toolbar">
            <h2>Positions &amp; P&amp;L</h2>
            <fieldset className="segmented method" aria-label="P&L method">
              {METHODS.map((m) => (
                <button
                  key={m.value}
                  type="button"
                  className={method === m.value ? "active" : undefined}
                  aria-pressed={method === m.value}
                  onClick={() => setMethod(m.value)}
                >
                  {m.label}
                </button>
              ))}
            </fieldset>
            <span className="muted">
              realized and unrealized split by {method === "fifo" ? "FIFO lots" : "average cost"}; net is the same
            </span>
            <span className="spacer" />
            {firm && (
              <span className="firm-figures" data-testid="firm-net">
                <span className="muted">Firm net</span> <span className={`strong ${signClass(firm.net)}`}>{formatMoney(firm.net)} USD</span>
              </span>
            )}
            {!can(role, "orders:submit") && <span className="muted">read only</span>}
            <span className="muted mono" title="time of the newest figure (UTC)">
              {live.asOf ? formatTime(live.asOf) : ""}
            </span>
          </div>
          <PositionsTable
            rows={rows}
            method={method}
            byAccount={totals.data?.byAccount ?? []}
            firm={firm}
            accountNames={names}
            placesOf={(symbol) => ticks.get(symbol) ?? 2}
            selected={selected}
            onSelect={(key) => setSelected((current) => (current === key ? null : key))}
          />
        </section>
        <section className="charts" aria-label="Intraday P&L">
          {accounts.map((accountId) => (
            <PnlChart key={accountId} accountId={accountId} name={names.get(accountId)} />
          ))}
        </section>
        <CorporateActions role={role} />
      </main>
    </>
  );
}
