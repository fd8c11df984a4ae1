"use client";
import { Brush, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { AXIS, type Percentile, type TimeseriesData, TOOLTIP_STYLE, venueColour } from "./types";

export type { Percentile };

/** Rows for the chart: one per time bucket, one column per venue (the chosen percentile, ms). */
export function latencyRows(data: TimeseriesData, percentile: Percentile, venues: readonly string[]) {
  const byT = new Map<string, Record<string, number | string | null>>();
  for (const p of data.points) {
    const row = byT.get(p.t) ?? { t: p.t };
    row[p.venue] = p[percentile];
    byT.set(p.t, row);
  }
  const rows = [...byT.values()].sort((a, b) => String(a.t).localeCompare(String(b.t)));
  for (const r of rows) for (const v of venues) r[v] ??= null;
  return rows;
}

const label = (iso: unknown) => {
  const s = String(iso);
  return `${s.slice(5, 10)} ${s.slice(11, 19)}`;
};

/**
 * Ack latency percentile per venue over time. Dragging the brush under the chart selects a time
 * range: `onBrush(fromIso, toIso)` (the end is the end of the last bucket), which filters the page.
 */
export function LatencyChart({
  data,
  venues,
  percentile,
  onBrush,
}: {
  data: TimeseriesData;
  venues: readonly string[];
  percentile: Percentile;
  onBrush: (from: string, to: string) => void;
}) {
  const rows = latencyRows(data, percentile, venues);
  if (rows.length === 0) return <p className="empty">No orders in this range.</p>;
  const bucketMs = data.bucketSeconds * 1000;
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={rows} margin={{ left: 0, right: 12, top: 4, bottom: 0 }}>
        <CartesianGrid stroke="#2a3240" vertical={false} />
        <XAxis dataKey="t" stroke={AXIS} fontSize={10} minTickGap={50} tickFormatter={(t) => String(t).slice(11, 19)} />
        <YAxis stroke={AXIS} fontSize={10} width={48} unit=" ms" />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          labelFormatter={label}
          formatter={(v, k) => [v === null ? "—" : `${Number(v).toFixed(3)} ms`, String(k)]}
        />
        <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
        {venues.map((v) => (
          <Line
            key={v}
            type="monotone"
            dataKey={v}
            stroke={venueColour(v, venues)}
            dot={rows.length < 3}
            connectNulls
            isAnimationActive={false}
          />
        ))}
        <Brush
          dataKey="t"
          height={22}
          stroke="#4c8dff"
          fill="#161b22"
          travellerWidth={8}
          tickFormatter={(t) => String(t).slice(11, 19)}
          onChange={(range) => {
            const { startIndex, endIndex } = range as { startIndex?: number; endIndex?: number };
            const a = rows[startIndex ?? 0];
            const b = rows[endIndex ?? rows.length - 1];
            if (!a || !b) return;
            onBrush(String(a.t), new Date(Date.parse(String(b.t)) + bucketMs).toISOString());
          }}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
