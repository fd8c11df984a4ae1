"use client";
import { type AggregatesData, fmt, pct, SIZE_LABEL } from "./types";

/** Aggregates of the selection grouped by one dimension: counts, rates, latency percentiles, slippage, markouts. */
export function AggregatesTable({ data }: { data: AggregatesData }) {
  if (data.rows.length === 0) return <p className="empty">No orders in this selection.</p>;
  return (
    <div className="table-wrap">
      <table aria-label="Aggregates">
        <thead>
          <tr>
            <th>{data.groupBy}</th>
            <th className="num">Orders</th>
            <th className="num">Denied</th>
            <th className="num">Fill rate</th>
            <th className="num">Fully filled</th>
            <th className="num">Reject rate</th>
            <th className="num">Cancel rate</th>
            <th className="num">Ack p50 / p95 / p99 / p99.9 ms</th>
            <th className="num">Slippage bps (vw)</th>
            <th className="num">Median / p90</th>
            <th className="num">Markout 1 s / 5 s / 60 s bps</th>
            <th className="num">Notional</th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <tr key={r.key}>
              <td className="strong">{data.groupBy === "sizeBucket" ? (SIZE_LABEL[r.key] ?? r.key) : r.key}</td>
              <td className="num">{r.orders}</td>
              <td className="num">{r.denied}</td>
              <td className="num">{pct(r.fillRate)}</td>
              <td className="num">{r.fullyFilled}</td>
              <td className="num">{pct(r.rejectRate)}</td>
              <td className="num">{pct(r.cancelRate)}</td>
              <td className="num mono">
                {[r.latencyMs.p50, r.latencyMs.p95, r.latencyMs.p99, r.latencyMs.p999].map((v) => fmt(v, 2)).join(" / ")}
              </td>
              <td className="num">{fmt(r.slippage.bps, 3)}</td>
              <td className="num">
                {fmt(r.slippage.medianBps, 2)} / {fmt(r.slippage.p90Bps, 2)}
              </td>
              <td className="num mono">
                {[r.markoutBps["1s"], r.markoutBps["5s"], r.markoutBps["60s"]].map((v) => fmt(v, 2)).join(" / ")}
              </td>
              <td className="num">{Number(r.notional).toLocaleString("en-US", { maximumFractionDigits: 0 })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
