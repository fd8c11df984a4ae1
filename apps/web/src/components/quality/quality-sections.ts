// The Quality page's figures as CSV sections: shared by the page (what it shows) and the server
// (exports/quality-document.ts computes them again for the journaled export).
import type { CsvSection } from "./quality-csv";
import type { AggregatesData, ComparisonData, DistributionData, OrdersData, Percentile, QualityFilterValue, TimeseriesData } from "./types";

export interface ShownData {
  filter: QualityFilterValue;
  selection: { from: string; to: string } | null;
  percentile: Percentile;
  series: TimeseriesData | undefined;
  byVenue: AggregatesData | undefined;
  grouped: AggregatesData | undefined;
  comparison: ComparisonData | undefined;
  distribution: DistributionData | undefined;
  orders: OrdersData | undefined;
}

/** The page's figures as CSV sections: what is shown, with the filter it was computed for. */
export function qualitySections(d: ShownData): CsvSection[] {
  const sections: CsvSection[] = [{ title: "filter", columns: ["key", "value"], rows: Object.entries(d.filter).map(([k, v]) => [k, v]) }];
  if (d.comparison)
    sections.push({
      title: "broker comparison (venue x order type x size)",
      columns: [
        "order_type",
        "size_bucket",
        "venue",
        "rank",
        "orders",
        "sent",
        "fill_rate",
        "reject_rate",
        "cancel_rate",
        "ack_p50_ms",
        "ack_p99_ms",
        "slippage_bps_vw",
        "slippage_mean_bps",
        "slippage_ci95_low",
        "slippage_ci95_high",
        "markout_5s_bps",
        "fees_bps",
        "all_in_bps",
        "vs_best_bps",
        "vs_best_ci95_low",
        "vs_best_ci95_high",
        "vs_best_distinct",
      ],
      rows: d.comparison.rows.map((r) => [
        r.orderType,
        r.sizeBucket,
        r.venue,
        r.rank,
        r.orders,
        r.sent,
        r.fillRate,
        r.rejectRate,
        r.cancelRate,
        r.latencyMs.p50,
        r.latencyMs.p99,
        r.slippage.bps,
        r.slippage.meanBps,
        r.slippage.ci95?.[0] ?? null,
        r.slippage.ci95?.[1] ?? null,
        r.markoutBps["5s"],
        r.feesBps,
        r.allInBps,
        r.vsBest?.diffBps ?? null,
        r.vsBest?.ci95[0] ?? null,
        r.vsBest?.ci95[1] ?? null,
        r.vsBest ? r.vsBest.distinct : null,
      ]),
    });
  for (const agg of [d.byVenue, d.grouped]) {
    if (!agg || (agg === d.grouped && d.grouped?.groupBy === "venue")) continue;
    sections.push({
      title: `aggregates by ${agg.groupBy}`,
      columns: [
        agg.groupBy,
        "orders",
        "sent",
        "rejected",
        "denied",
        "cancelled",
        "fully_filled",
        "fill_rate",
        "reject_rate",
        "cancel_rate",
        "ack_p50_ms",
        "ack_p95_ms",
        "ack_p99_ms",
        "ack_p999_ms",
        "slippage_bps_vw",
        "slippage_median_bps",
        "slippage_p90_bps",
        "markout_1s_bps",
        "markout_5s_bps",
        "markout_60s_bps",
        "notional",
        "fees",
      ],
      rows: agg.rows.map((r) => [
        r.key,
        r.orders,
        r.sent,
        r.rejected,
        r.denied,
        r.cancelled,
        r.fullyFilled,
        r.fillRate,
        r.rejectRate,
        r.cancelRate,
        r.latencyMs.p50,
        r.latencyMs.p95,
        r.latencyMs.p99,
        r.latencyMs.p999,
        r.slippage.bps,
        r.slippage.medianBps,
        r.slippage.p90Bps,
        r.markoutBps["1s"],
        r.markoutBps["5s"],
        r.markoutBps["60s"],
        r.notional,
        r.fees,
      ]),
    });
  }
  if (d.series)
    sections.push({
      title: `ack latency over time (buckets of ${d.series.bucketSeconds} s)`,
      columns: ["bucket_start", "venue", "orders", "ack_p50_ms", "ack_p95_ms", "ack_p99_ms", "fill_rate", "reject_rate", "slippage_bps_vw"],
      rows: d.series.points.map((p) => [p.t, p.venue, p.orders, p.p50, p.p95, p.p99, p.fillRate, p.rejectRate, p.slippageBps]),
    });
  if (d.distribution)
    sections.push({
      title: `slippage distribution (bins of ${d.distribution.binBps} bps, clamped at ±${d.distribution.clampBps})`,
      columns: ["bin_bps", "venue", "orders"],
      rows: d.distribution.bins.map((b) => [b.bin, b.venue, b.orders]),
    });
  if (d.orders)
    sections.push({
      title: `orders (${d.orders.orders.length} of ${d.orders.total})`,
      columns: [
        "order_id",
        "received_at",
        "venue",
        "symbol",
        "side",
        "order_type",
        "status",
        "filled_qty",
        "avg_px",
        "slippage_bps",
        "ack_ms",
      ],
      rows: d.orders.orders.map((o) => [
        o.orderId,
        o.receivedAt,
        o.venue,
        o.symbol,
        o.side,
        o.orderType,
        o.status,
        o.filledQty,
        o.avgPx,
        o.slippageBps,
        o.latencyMs,
      ]),
    });
  return sections;
}
