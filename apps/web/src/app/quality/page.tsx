"use client";
import { can } from "@fillmore/shared";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { AppHeader } from "../../components/app-header";
import { AggregatesTable } from "../../components/quality/aggregates-table";
import { AlertRulesPanel } from "../../components/quality/alert-rules-panel";
import { ComparisonTable } from "../../components/quality/comparison-table";
import { MarkoutCurves, RatesChart, SlippageHistogram } from "../../components/quality/distribution-charts";
import { LatencyChart, type Percentile } from "../../components/quality/latency-chart";
import { MatchingOrders } from "../../components/quality/matching-orders";
import { qualityExport } from "../../components/quality/quality-export";
import { type FilterState, presetRange, QualityFilters } from "../../components/quality/quality-filters";
import type { QualityFilterValue } from "../../components/quality/types";
import { useTRPC } from "../../lib/trpc";
import { useSession } from "../../lib/use-session";
import "./quality.css";

const GROUPS = [
  ["venue", "Venue"],
  ["symbol", "Symbol"],
  ["strategy", "Strategy"],
  ["orderType", "Order type"],
  ["side", "Side"],
  ["sizeBucket", "Size"],
] as const;
type Group = (typeof GROUPS)[number][0];

/**
 * Execution quality: latency percentiles over time per venue (brush a range to filter the page),
 * slippage distribution, markout curves, fill and reject rates, aggregates by any dimension, the
 * broker comparison (Rule 605 shaped), the orders behind the selection, CSV export, alert rules.
 * Everything is read from the execution_metrics projection (quality.* tRPC procedures).
 */
export default function QualityPage() {
  const trpc = useTRPC();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "risk:read") || can(me.data.role, "audit:read") : false;
  const [filters, setFilters] = useState<FilterState>(() => ({
    preset: "24h",
    ...presetRange("24h"),
    venue: "",
    symbol: "",
    strategy: "",
  }));
  const [selection, setSelection] = useState<{ from: string; to: string } | null>(null);
  const [percentile, setPercentile] = useState<Percentile>("p99");
  const [groupBy, setGroupBy] = useState<Group>("venue");
  const brushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const base: QualityFilterValue = useMemo(
    () => ({
      ...(filters.from ? { from: filters.from } : {}),
      ...(filters.to ? { to: filters.to } : {}),
      ...(filters.venue ? { venue: filters.venue } : {}),
      ...(filters.symbol ? { symbol: filters.symbol } : {}),
      ...(filters.strategy ? { strategy: filters.strategy } : {}),
    }),
    [filters],
  );
  const filter: QualityFilterValue = useMemo(
    () => (selection ? { ...base, from: selection.from, to: selection.to } : base),
    [base, selection],
  );
  const range = useMemo(() => ({ ...(base.from ? { from: base.from } : {}), ...(base.to ? { to: base.to } : {}) }), [base]);
  const opts = { enabled: mayRead, placeholderData: keepPreviousData, refetchInterval: selection ? (false as const) : 15_000 };

  const venueOptions = useQuery(trpc.quality.aggregates.queryOptions({ filter: range, groupBy: "venue" }, opts));
  const symbolOptions = useQuery(trpc.quality.aggregates.queryOptions({ filter: range, groupBy: "symbol" }, opts));
  const strategyOptions = useQuery(trpc.quality.aggregates.queryOptions({ filter: range, groupBy: "strategy" }, opts));
  const series = useQuery(trpc.quality.timeseries.queryOptions({ filter: base }, opts));
  const byVenue = useQuery(trpc.quality.aggregates.queryOptions({ filter, groupBy: "venue" }, opts));
  const grouped = useQuery(trpc.quality.aggregates.queryOptions({ filter, groupBy }, opts));
  const comparison = useQuery(trpc.quality.comparison.queryOptions({ filter }, opts));
  const distribution = useQuery(trpc.quality.slippageDistribution.queryOptions({ filter }, opts));
  const orders = useQuery(trpc.quality.orders.queryOptions({ filter, limit: 100 }, opts));

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const header = <AppHeader name={me.data.name} role={role} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <section className="card">
            <p className="error">Not permitted: execution quality needs risk:read or audit:read (you are {role}).</p>
          </section>
        </main>
      </>
    );

  const venues = (venueOptions.data?.rows ?? []).map((r) => r.key);
  const symbols = (symbolOptions.data?.rows ?? []).map((r) => r.key);
  const strategies = (strategyOptions.data?.rows ?? []).map((r) => r.key).filter((s) => s !== "(none)");
  const error = [series, byVenue, grouped, comparison, distribution, orders].find((q) => q.error)?.error;

  const onBrush = (from: string, to: string) => {
    clearTimeout(brushTimer.current);
    brushTimer.current = setTimeout(() => setSelection({ from, to }), 300);
  };
  const changeFilters = (next: FilterState) => {
    setSelection(null);
    setFilters(next);
  };
  const exportCsv = () =>
    qualityExport({
      filter,
      selection,
      percentile,
      series: series.data,
      byVenue: byVenue.data,
      grouped: grouped.data,
      comparison: comparison.data,
      distribution: distribution.data,
      orders: orders.data,
    });

  return (
    <>
      {header}
      <main className="layout quality">
        <section className="card">
          <div className="toolbar">
            <h2>Execution quality</h2>
            <span className="spacer" />
            {selection && (
              <span className="selection" data-testid="selection">
                Selected {selection.from.slice(11, 19)} – {selection.to.slice(11, 19)} UTC
                <button type="button" className="small" onClick={() => setSelection(null)}>
                  Clear selection
                </button>
              </span>
            )}
            <button type="button" onClick={exportCsv} disabled={!comparison.data}>
              Export CSV
            </button>
          </div>
          <QualityFilters value={filters} onChange={changeFilters} venues={venues} symbols={symbols} strategies={strategies} />
          {error && (
            <p className="error" role="alert">
              {error.message}
            </p>
          )}
        </section>

        <section className="card" aria-label="Ack latency over time">
          <div className="toolbar">
            <h3>Ack latency {percentile} per venue</h3>
            <fieldset className="segmented" aria-label="Percentile">
              {(["p50", "p95", "p99"] as const).map((p) => (
                <button
                  key={p}
                  type="button"
                  className={percentile === p ? "active" : undefined}
                  aria-pressed={percentile === p}
                  onClick={() => setPercentile(p)}
                >
                  {p}
                </button>
              ))}
            </fieldset>
            <span className="spacer" />
            {series.data && (
              <span className="muted">buckets of {series.data.bucketSeconds} s · drag the handles below the chart to select a range</span>
            )}
          </div>
          {series.data ? (
            <LatencyChart data={series.data} venues={venues} percentile={percentile} onBrush={onBrush} />
          ) : (
            <p className="empty">Loading…</p>
          )}
        </section>

        <div className="quality-grid">
          <section className="card" aria-label="Slippage distribution">
            <h3>Arrival slippage per order (bps, + cost)</h3>
            {distribution.data ? <SlippageHistogram data={distribution.data} venues={venues} /> : <p className="empty">Loading…</p>}
          </section>
          <section className="card" aria-label="Markout curves">
            <h3>Markouts after fills (bps, + favourable)</h3>
            {byVenue.data ? <MarkoutCurves data={byVenue.data} venues={venues} /> : <p className="empty">Loading…</p>}
          </section>
          <section className="card" aria-label="Fill and reject rates">
            <h3>Fill, reject and cancel rates by venue</h3>
            {byVenue.data ? <RatesChart data={byVenue.data} /> : <p className="empty">Loading…</p>}
          </section>
        </div>

        <section className="card" aria-label="Broker comparison">
          <div className="toolbar">
            <h3>Broker comparison</h3>
            <span className="muted">
              venue × order type × size (notional), ranked by all-in cost where each cell has ≥ {comparison.data?.minRanked ?? 30} orders
            </span>
          </div>
          {comparison.data ? <ComparisonTable data={comparison.data} /> : <p className="empty">Loading…</p>}
        </section>

        <section className="card" aria-label="Aggregates">
          <div className="toolbar">
            <h3>Aggregates by</h3>
            <fieldset className="segmented" aria-label="Group by">
              {GROUPS.map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  className={groupBy === id ? "active" : undefined}
                  aria-pressed={groupBy === id}
                  onClick={() => setGroupBy(id)}
                >
                  {label}
                </button>
              ))}
            </fieldset>
          </div>
          {grouped.data ? <AggregatesTable data={grouped.data} /> : <p className="empty">Loading…</p>}
        </section>

        <section className="card" aria-label="Matching orders">
          <h3>Orders in this selection</h3>
          {orders.data ? <MatchingOrders data={orders.data} /> : <p className="empty">Loading…</p>}
        </section>

        <section className="card" aria-label="Quality alert rules">
          <h3>Alert rules</h3>
          <AlertRulesPanel mayWrite={can(role, "risk:write")} venues={venues} />
        </section>
      </main>
    </>
  );
}
