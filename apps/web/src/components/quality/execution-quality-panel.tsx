"use client";
import { money } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "../../lib/trpc";

const HOPS: [key: string, label: string][] = [
  ["receivedToValidatedMs", "Received → validated"],
  ["validatedToSentMs", "Validated → sent"],
  ["sentToAckMs", "Sent → acknowledged"],
  ["ackToFirstFillMs", "Acknowledged → first fill"],
  ["firstFillToDoneMs", "First fill → done"],
];

const dash = (v: string | null | undefined, unit = ""): string => (v === null || v === undefined ? "—" : `${v}${unit}`);
/** Prices and per-share amounts as shown: the engine's exact figure rounded to 6 places (the tooltip keeps it whole). */
const px = (v: string | null | undefined): string => (v === null || v === undefined ? "—" : money.round(v, 6));
/** Signed bps as the engine computed them (4 dp), with an explicit + for costs and favourable markouts. */
const signedBps = (v: string | null | undefined): string =>
  v === null || v === undefined ? "—" : `${v.startsWith("-") ? "" : "+"}${v} bps`;
const horizon = (ms: number): string => (ms >= 1000 && ms % 1000 === 0 ? `+${ms / 1000} s` : `+${ms} ms`);

/**
 * An order's own execution quality beside its timeline: arrival mid, average fill, slippage
 * (+ cost), markouts (+ favourable) and hop latencies, all from the order's journaled events.
 * `version` (the order's last seq) refetches the figures when the order changes.
 */
export function ExecutionQualityPanel({ orderId, version, terminal }: { orderId: string; version: number; terminal: boolean }) {
  const trpc = useTRPC();
  const metrics = useQuery(
    trpc.quality.orderMetrics.queryOptions(
      { orderId },
      // Markouts arrive up to 60 s after the last fill: keep polling a little while after the end too.
      { retry: false, refetchInterval: terminal ? 15_000 : 2_000, staleTime: 1_000 },
    ),
  );
  const { refetch } = metrics;
  useEffect(() => {
    if (version > 0) void refetch();
  }, [version, refetch]);
  const m = metrics.data;
  return (
    <section className="card" aria-label="Execution quality" data-testid="execution-quality">
      <div className="toolbar">
        <h2>Execution quality</h2>
        <span className="muted">vs arrival mid · slippage + = cost · markouts + = favourable</span>
      </div>
      {metrics.error && <p className="muted">{metrics.error.message}</p>}
      {!m && !metrics.error && <p className="muted">Loading…</p>}
      {m && (
        <div className="latency">
          <dl className="fields">
            <div data-field="arrivalMid">
              <dt>Arrival mid</dt>
              <dd className="mono">
                {dash(m.arrivalMid)}
                {m.arrivalQuote && (
                  <span className="muted">
                    {" "}
                    ({m.arrivalQuote.bid} / {m.arrivalQuote.ask})
                  </span>
                )}
              </dd>
            </div>
            <div data-field="avgFill">
              <dt>Avg fill</dt>
              <dd className="mono" title={m.averageFillPrice ?? undefined}>
                {px(m.averageFillPrice)}
              </dd>
            </div>
            <div data-field="slippage">
              <dt>Slippage</dt>
              <dd className="mono">
                {signedBps(m.slippageBps)}
                {m.slippage !== null && <span className="muted"> ({px(m.slippage)} /sh)</span>}
              </dd>
            </div>
            <div data-field="effectiveSpread">
              <dt>Effective spread</dt>
              <dd className="mono">{m.effectiveSpreadBps === null ? "—" : `${px(m.effectiveSpread)} (${m.effectiveSpreadBps} bps)`}</dd>
            </div>
            <div data-field="fillRate">
              <dt>Fill rate</dt>
              <dd className="mono">{m.fillRate}</dd>
            </div>
            <div data-field="commissions">
              <dt>Commissions</dt>
              <dd className="mono">
                {m.commissions} {m.commissionCurrency ?? ""}
              </dd>
            </div>
            {m.markouts.map((k) => (
              <div key={k.horizonMs} data-field={`markout-${k.horizonMs}`}>
                <dt>Markout {horizon(k.horizonMs)}</dt>
                <dd className="mono">{signedBps(k.bps)}</dd>
              </div>
            ))}
          </dl>
          <table>
            <thead>
              <tr>
                <th>Hop</th>
                <th className="num">ms</th>
              </tr>
            </thead>
            <tbody>
              {HOPS.map(([key, label]) => (
                <tr key={key} data-quality-hop={key}>
                  <td>{label}</td>
                  <td className="num mono">{dash(m.hops[key as keyof typeof m.hops])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
