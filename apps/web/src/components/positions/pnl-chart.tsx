"use client";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "../../lib/trpc";
import { formatMoney, signClass } from "./money";

const AXIS = "#8591a3";
/** Axis ticks: "12k", "250", "1.5", "0.25" (small ranges keep their decimals, so ticks stay distinct). */
const usd = (v: number) => {
  const a = Math.abs(v);
  if (a >= 10_000) return `${(v / 1000).toFixed(0)}k`;
  return a >= 100 ? v.toFixed(0) : String(Number(v.toFixed(2)));
};

/** Intraday P&L of one account in USD, sampled by the engine (net, realized, unrealized). */
export function PnlChart({ accountId, name }: { accountId: string; name?: string }) {
  const trpc = useTRPC();
  const series = useQuery(trpc.positions.pnlSeries.queryOptions({ accountId }, { refetchInterval: 5000 }));
  const points = series.data?.points ?? [];
  // Numbers for drawing only: the figures shown as text stay exact decimal strings.
  const data = points.map((p) => ({
    t: p.ts.slice(11, 19),
    net: Number(p.netUsd),
    realized: Number(p.realizedUsd),
    unrealized: Number(p.unrealizedUsd),
  }));
  const last = points[points.length - 1];

  return (
    <section className="card pnl-chart" aria-label={`Intraday P&L ${accountId}`} data-account={accountId}>
      <div className="toolbar">
        <h2>{accountId}</h2>
        {name && <span className="muted">{name}</span>}
        <span className="spacer" />
        {last && <span className="muted mono">sampled {last.ts.slice(11, 19)}</span>}
        <span className={`strong ${signClass(last?.netUsd)}`} title="net P&L at the last sample, USD">
          {last ? formatMoney(last.netUsd) : "—"}
        </span>
      </div>
      {series.error ? (
        <p className="error" role="alert">
          {series.error.message}
        </p>
      ) : data.length < 2 ? (
        <p className="empty">{series.isPending ? "Loading…" : "Collecting samples…"}</p>
      ) : (
        <ResponsiveContainer width="100%" height={170}>
          <LineChart data={data} margin={{ left: 0, right: 8, top: 4, bottom: 0 }}>
            <CartesianGrid stroke="#2a3240" vertical={false} />
            <XAxis dataKey="t" stroke={AXIS} fontSize={10} minTickGap={40} />
            <YAxis stroke={AXIS} fontSize={10} width={44} tickFormatter={usd} />
            <ReferenceLine y={0} stroke="#3a4456" />
            <Tooltip
              contentStyle={{ background: "#161b22", border: "1px solid #2a3240", color: "#d7dde6", fontSize: 12 }}
              formatter={(v, key) => [`${Number(v).toFixed(2)} USD`, String(key)]}
            />
            <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
            <Line type="monotone" dataKey="net" stroke="#4c8dff" strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line type="monotone" dataKey="realized" stroke="#2fbf71" dot={false} isAnimationActive={false} />
            <Line type="monotone" dataKey="unrealized" stroke="#e8b04a" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </section>
  );
}
