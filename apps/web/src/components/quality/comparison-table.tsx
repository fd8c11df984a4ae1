"use client";
import { type ComparisonData, fmt, pct, SIZE_LABEL } from "./types";

/**
 * The broker comparison, shaped like a Rule 605 table: one row per venue × order type × size bucket,
 * with sample counts; within each order type and size bucket, venues with enough orders are ranked
 * by all-in cost (slippage + fees, bps), 1 = cheapest, and each ranked venue's difference from the
 * best is shown with its Welch 95 % interval. Low-sample rows are shown and not ranked.
 */
export function ComparisonTable({ data }: { data: ComparisonData }) {
  if (data.rows.length === 0) return <p className="empty">No orders in this selection.</p>;
  return (
    <div className="table-wrap comparison">
      <table aria-label="Broker comparison">
        <thead>
          <tr>
            <th>Order type</th>
            <th>Size</th>
            <th>Venue</th>
            <th className="num" title="1 = lowest all-in cost in this order type and size">
              Rank
            </th>
            <th className="num">Orders</th>
            <th className="num">Sent</th>
            <th className="num">Fill rate</th>
            <th className="num">Reject rate</th>
            <th className="num">Cancel rate</th>
            <th className="num">Ack p50</th>
            <th className="num">Ack p99</th>
            <th className="num" title="notional-weighted arrival slippage, + cost">
              Slippage bps
            </th>
            <th className="num" title="order-weighted mean, 95 % CI (n ≥ 30)">
              Mean (95 % CI)
            </th>
            <th className="num" title="volume-weighted markout at +5 s, + favourable">
              Markout 5 s
            </th>
            <th className="num">Fees bps</th>
            <th className="num">All-in bps</th>
            <th className="num" title="order-weighted mean slippage minus the rank-1 venue's, bps, Welch 95 % CI; ≈ when the CI includes 0">
              vs best (95 % CI)
            </th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <tr key={`${r.orderType}|${r.sizeBucket}|${r.venue}`} data-venue={r.venue} className={r.rank === 1 ? "best" : undefined}>
              <td>{r.orderType}</td>
              <td>{SIZE_LABEL[r.sizeBucket] ?? r.sizeBucket}</td>
              <td className="strong">{r.venue}</td>
              <td className="num">
                {r.rank ?? (
                  <span className="muted" title={`fewer than ${data.minRanked} orders with a benchmark`}>
                    low n
                  </span>
                )}
              </td>
              <td className="num">{r.orders}</td>
              <td className="num">{r.sent}</td>
              <td className="num">{pct(r.fillRate)}</td>
              <td className="num">{pct(r.rejectRate)}</td>
              <td className="num">{pct(r.cancelRate)}</td>
              <td className="num">{fmt(r.latencyMs.p50, 2, " ms")}</td>
              <td className="num">{fmt(r.latencyMs.p99, 2, " ms")}</td>
              <td className="num">{fmt(r.slippage.bps, 3)}</td>
              <td className="num">
                {fmt(r.slippage.meanBps, 3)}
                {r.slippage.ci95 && <span className="sub"> [{r.slippage.ci95.map((x) => x.toFixed(2)).join(", ")}]</span>}
              </td>
              <td className="num">{fmt(r.markoutBps["5s"], 3)}</td>
              <td className="num">{fmt(r.feesBps, 3)}</td>
              <td className="num strong">{fmt(r.allInBps, 3)}</td>
              <td className="num" data-testid="vs-best">
                {r.rank === 1 ? (
                  <span className="muted">best</span>
                ) : r.vsBest ? (
                  <span
                    className={r.vsBest.distinct ? undefined : "muted"}
                    title={
                      r.vsBest.distinct ? "the difference is significant at 95 %" : "not told apart by these samples (the CI includes 0)"
                    }
                  >
                    {r.vsBest.distinct ? "" : "≈ "}
                    {r.vsBest.diffBps >= 0 ? "+" : ""}
                    {r.vsBest.diffBps.toFixed(2)}
                    <span className="sub"> [{r.vsBest.ci95.map((x) => x.toFixed(2)).join(", ")}]</span>
                  </span>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
