"use client";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { type AggregatesData, AXIS, type DistributionData, TOOLTIP_STYLE, venueColour } from "./types";

/** Per-order arrival slippage histogram (bps, + cost), bars stacked by venue; the end bins hold the tails. */
export function SlippageHistogram({ data, venues }: { data: DistributionData; venues: readonly string[] }) {
  const byBin = new Map<number, Record<string, number>>();
  for (const b of data.bins) {
    const row = byBin.get(b.bin) ?? { bin: b.bin };
    row[b.venue] = b.orders;
    byBin.set(b.bin, row);
  }
  const rows = [...byBin.values()].sort((a, b) => (a.bin ?? 0) - (b.bin ?? 0));
  if (rows.length === 0) return <p className="empty">No filled orders with an arrival quote in this selection.</p>;
  const edge = (bin: number) =>
    bin <= -data.clampBps ? `≤ ${-data.clampBps}` : bin >= data.clampBps ? `≥ ${data.clampBps}` : `${bin}…${bin + data.binBps}`;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={rows} margin={{ left: 0, right: 8, top: 4, bottom: 0 }}>
        <CartesianGrid stroke="#2a3240" vertical={false} />
        <XAxis dataKey="bin" stroke={AXIS} fontSize={10} unit=" bps" />
        <YAxis stroke={AXIS} fontSize={10} width={40} allowDecimals={false} />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          labelFormatter={(b) => `${edge(Number(b))} bps`}
          formatter={(v, k) => [`${v} orders`, String(k)]}
        />
        <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
        <ReferenceLine x={0} stroke="#3a4456" />
        {venues.map((v) => (
          <Bar key={v} dataKey={v} stackId="s" fill={venueColour(v, venues)} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

export const HORIZONS = ["1s", "5s", "60s"] as const;

/** Volume-weighted markouts per venue at +1 s, +5 s, +60 s after each fill (bps, + favourable). */
export function MarkoutCurves({ data, venues }: { data: AggregatesData; venues: readonly string[] }) {
  const rows = HORIZONS.map((h) => {
    const row: Record<string, number | string | null> = { h: `+${h}` };
    for (const r of data.rows) row[r.key] = r.markoutBps[h];
    return row;
  });
  if (!data.rows.some((r) => r.markoutBps.n > 0))
    return <p className="empty">No markouts sampled yet (they come 1, 5 and 60 s after each fill).</p>;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={rows} margin={{ left: 0, right: 12, top: 4, bottom: 0 }}>
        <CartesianGrid stroke="#2a3240" vertical={false} />
        <XAxis dataKey="h" stroke={AXIS} fontSize={10} />
        <YAxis stroke={AXIS} fontSize={10} width={48} unit=" bps" />
        <ReferenceLine y={0} stroke="#3a4456" />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(v, k) => [v === null ? "—" : `${Number(v).toFixed(3)} bps`, String(k)]} />
        <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
        {venues.map((v) => (
          <Line key={v} type="linear" dataKey={v} stroke={venueColour(v, venues)} connectNulls isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Fill rate (ΣQ/ΣX) and reject rate (rejects ÷ sent) by venue, in %. */
export function RatesChart({ data }: { data: AggregatesData }) {
  const rows = data.rows.map((r) => ({
    venue: r.key,
    "fill rate": r.fillRate === null ? null : r.fillRate * 100,
    "reject rate": r.rejectRate === null ? null : r.rejectRate * 100,
    "cancel rate": r.cancelRate === null ? null : r.cancelRate * 100,
  }));
  if (rows.length === 0) return <p className="empty">No orders in this selection.</p>;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={rows} margin={{ left: 0, right: 8, top: 4, bottom: 0 }}>
        <CartesianGrid stroke="#2a3240" vertical={false} />
        <XAxis dataKey="venue" stroke={AXIS} fontSize={10} />
        <YAxis stroke={AXIS} fontSize={10} width={40} unit=" %" domain={[0, 100]} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(v, k) => [v === null ? "—" : `${Number(v).toFixed(2)} %`, String(k)]} />
        <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
        <Bar dataKey="fill rate" fill="#2fbf71" isAnimationActive={false} />
        <Bar dataKey="reject rate" fill="#f0596b" isAnimationActive={false} />
        <Bar dataKey="cancel rate" fill="#e8b04a" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
