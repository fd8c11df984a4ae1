"use client";
import { can } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { AppHeader } from "../../components/app-header";
import { ExportButtons } from "../../components/reports/export-buttons";
import { useTRPC } from "../../lib/trpc";
import { useSession } from "../../lib/use-session";
import { RecentExports } from "./recent-exports";
import { RegulatorySection } from "./regulatory-section";
import { ScheduledSection } from "./scheduled-section";
import "./reports.css";

type ReportType = "daily" | "weekly" | "monthly" | "regulatory";
interface Query {
  reportType: ReportType;
  asOf?: string;
  dateRange?: { from: string; to: string };
  filters: { strategy?: string; symbol?: string; broker?: string; accountId?: string };
}

const FILTERS = [
  ["accountId", "Account", "ACC-ALPHA"],
  ["strategy", "Strategy", "S-…"],
  ["symbol", "Symbol", "AAPL"],
  ["broker", "Broker (venue)", "SIM-FAST"],
] as const;

const today = () => new Date().toISOString().slice(0, 10);

function queryFrom(form: FormData): Query {
  const reportType = String(form.get("reportType")) as ReportType;
  const q: Query = { reportType, filters: {} };
  const from = String(form.get("from") ?? "");
  const to = String(form.get("to") ?? "");
  if (from && to) q.dateRange = { from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` };
  else q.asOf = String(form.get("asOf") || today());
  for (const [name] of FILTERS) {
    const v = String(form.get(name) ?? "").trim();
    if (v) q.filters[name] = v;
  }
  return q;
}

/** Trade reports: pick a period and filters, preview the figures and trades, export in any format. */
export default function ReportsPage() {
  const trpc = useTRPC();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "audit:read") : false;
  const [query, setQuery] = useState<Query | null>(null);
  const report = useQuery(
    trpc.reports.trades.queryOptions(
      { ...(query ?? { reportType: "daily", filters: {} }), limit: 200 },
      { enabled: mayRead && query !== null, retry: false },
    ),
  );

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const header = <AppHeader name={me.data.name} role={me.data.role} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <section className="card">
            <p className="error">Not permitted: reports need audit:read (you are {me.data.role}).</p>
          </section>
        </main>
      </>
    );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setQuery(queryFrom(new FormData(event.currentTarget)));
  }

  const r = report.data;
  const m = r?.metrics;

  return (
    <>
      {header}
      <main className="layout reports">
        <section className="card" aria-label="Trade report">
          <div className="toolbar">
            <h2>Trade report</h2>
            <span className="muted">booked fills from the fill projection; realized P&amp;L at average cost</span>
          </div>
          <form className="report-form" aria-label="Report parameters" onSubmit={onSubmit}>
            <label>
              Report type
              <select name="reportType" defaultValue="daily">
                <option value="daily">Daily</option>
                <option value="weekly">Weekly</option>
                <option value="monthly">Monthly</option>
                <option value="regulatory">Regulatory</option>
              </select>
            </label>
            <label>
              Day in period (UTC)
              <input name="asOf" type="date" defaultValue={today()} />
            </label>
            <label>
              Or from (UTC)
              <input name="from" type="date" />
            </label>
            <label>
              to (exclusive)
              <input name="to" type="date" />
            </label>
            {FILTERS.map(([name, label, placeholder]) => (
              <label key={name}>
                {label}
                <input name={name} placeholder={placeholder} maxLength={128} />
              </label>
            ))}
            <div className="report-buttons">
              <button type="submit" className="primary">
                Preview
              </button>
            </div>
          </form>
        </section>

        {report.error && (
          <section className="card">
            <p className="error">{report.error.message}</p>
          </section>
        )}

        {r && m && (
          <section className="card" aria-label="Report preview">
            <div className="toolbar">
              <h2>
                {r.reportType[0]?.toUpperCase()}
                {r.reportType.slice(1)} report
              </h2>
              <span className="muted" data-testid="report-period">
                {r.period.from.slice(0, 10)} to {r.period.to.slice(0, 10)} (exclusive, UTC)
                {Object.keys(r.filters).length > 0
                  ? ` · ${Object.entries(r.filters)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(", ")}`
                  : ""}
              </span>
              <span className="spacer" />
              {query && <ExportButtons source="trades" input={query} />}
            </div>
            <dl className="metrics" data-testid="report-metrics">
              <div>
                <dt>Trades</dt>
                <dd>{m.totalTrades.toLocaleString("en-US")}</dd>
              </div>
              <div>
                <dt>Volume</dt>
                <dd className="mono">{m.totalVolume}</dd>
              </div>
              <div>
                <dt>Realized P&amp;L</dt>
                <dd className={`mono ${m.realizedPnL.startsWith("-") ? "neg" : ""}`}>{m.realizedPnL}</dd>
              </div>
              <div>
                <dt>Commissions</dt>
                <dd className="mono">
                  {Object.entries(m.commissionsByCurrency)
                    .map(([c, v]) => `${v} ${c}`)
                    .join(" + ") || "0"}
                </dd>
              </div>
              <div>
                <dt>Average fill price</dt>
                <dd className="mono">{m.averageFillPrice ?? "—"}</dd>
              </div>
              <div>
                <dt>Notional</dt>
                <dd className="mono">{m.totalNotional}</dd>
              </div>
            </dl>
            <div className="table-wrap">
              <table aria-label="Trades">
                <thead>
                  <tr>
                    <th className="num">Seq</th>
                    <th>Time (UTC)</th>
                    <th>Order</th>
                    <th>Account</th>
                    <th>Strategy</th>
                    <th>Symbol</th>
                    <th>Side</th>
                    <th className="num">Qty</th>
                    <th className="num">Price</th>
                    <th>Venue</th>
                    <th className="num">Fees</th>
                    <th className="num">Realized</th>
                  </tr>
                </thead>
                <tbody>
                  {r.trades.map((t) => (
                    <tr key={t.execId}>
                      <td className="num mono">{t.seq}</td>
                      <td className="mono">{t.ts.replace("T", " ").slice(0, 26)}</td>
                      <td className="mono">
                        <Link href={`/orders/${encodeURIComponent(t.orderId)}`}>{t.orderId}</Link>
                      </td>
                      <td>{t.accountId}</td>
                      <td>{t.strategy ?? <span className="muted">—</span>}</td>
                      <td>{t.symbol}</td>
                      <td className={t.side === "Buy" ? "buy" : "sell"}>{t.side}</td>
                      <td className="num mono">{t.qty}</td>
                      <td className="num mono">{t.px}</td>
                      <td>{t.venueId}</td>
                      <td className="num mono">{t.fees}</td>
                      <td className={`num mono ${t.realizedPnL.startsWith("-") ? "neg" : ""}`}>{t.realizedPnL}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {r.trades.length === 0 && <p className="empty">No trades in this period.</p>}
            </div>
            {r.truncated && (
              <p className="muted">
                The preview shows the first {r.trades.length.toLocaleString("en-US")} of {m.totalTrades.toLocaleString("en-US")} trades;
                exports hold them all.
              </p>
            )}
          </section>
        )}
        <RecentExports />
        <RegulatorySection />
        <ScheduledSection />
      </main>
    </>
  );
}
