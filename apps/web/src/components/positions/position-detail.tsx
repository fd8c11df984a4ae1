"use client";
import { money, type PositionFee, type PositionRow } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { formatPx, formatQty, formatTime } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { formatMoney, signClass } from "./money";

interface PositionDetailProps {
  row: PositionRow;
  places: number;
  /** Rises with each live change: the fills are fetched again when the position moved. */
  fillCount: number;
  onClose: () => void;
}

/** A fill's fees summed per currency ("1.00 USD"); the parts (commission, exchange, …) in the cell's title. */
function feesText(fees: readonly PositionFee[]): string {
  if (fees.length === 0) return "—";
  const byCurrency = new Map<string, string>();
  for (const fee of fees) byCurrency.set(fee.currency, money.add(byCurrency.get(fee.currency) ?? "0", fee.amount));
  return [...byCurrency].map(([currency, amount]) => `${formatMoney(amount).replace(/^\+/, "")} ${currency}`).join(", ");
}

/** One position: both P&L methods side by side, and the fills behind it with links to their orders. */
export function PositionDetail({ row, places, fillCount, onClose }: PositionDetailProps) {
  const trpc = useTRPC();
  const fills = useQuery(
    trpc.positions.fills.queryOptions({ accountId: row.accountId, symbol: row.symbol, strategy: row.strategy }, { refetchInterval: 5000 }),
  );
  const { refetch } = fills;
  // A new fill (or bust) of this position reached the page: list the fills again at once.
  useEffect(() => {
    if (fillCount > 0) void refetch();
  }, [fillCount, refetch]);
  // Opened from a row further down the page: bring it into view once (it sits above the table).
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    section.current?.scrollIntoView({ block: "nearest" });
  }, []);
  const shown = fills.data?.fills ?? [];
  const title = `${row.accountId} · ${row.strategy ?? "no strategy"} · ${row.symbol}`;

  return (
    <section ref={section} className="card position-detail" aria-label="Position detail">
      <div className="toolbar">
        <h2>{title}</h2>
        <span className="muted">
          {fillCount} fill{fillCount === 1 ? "" : "s"} · last {row.lastFillTs ? formatTime(row.lastFillTs) : "—"}
        </span>
        <span className="spacer" />
        <button type="button" className="small" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="fields">
        <div>
          <dt>Quantity</dt>
          <dd>{formatQty(row.qty)}</dd>
        </div>
        <div>
          <dt>Average price</dt>
          <dd>{formatPx(row.avgPx, places + 2)}</dd>
        </div>
        <div>
          <dt>Mark{row.mark ? <span className="tag">{row.mark.source}</span> : null}</dt>
          <dd className={row.mark?.stale ? "mark-stale" : undefined}>
            {row.mark ? formatPx(row.mark.px, places) : "no mark"}
            {row.mark?.stale && <span className="stale-tag">stale</span>}
          </dd>
        </div>
        <div>
          <dt>Realized · average cost / FIFO</dt>
          <dd data-field="realized-both">
            <span className={signClass(row.realizedBy.avgCost)}>{formatMoney(row.realizedBy.avgCost)}</span> /{" "}
            <span className={signClass(row.realizedBy.fifo)}>{formatMoney(row.realizedBy.fifo)}</span>
          </dd>
        </div>
        <div>
          <dt>Unrealized · average cost / FIFO</dt>
          <dd>
            {formatMoney(row.unrealizedBy.avgCost)} / {formatMoney(row.unrealizedBy.fifo)}
          </dd>
        </div>
        <div>
          <dt>Fees</dt>
          <dd>
            {Object.entries(row.feesByCurrency)
              .map(([currency, amount]) => `${formatMoney(amount).replace(/^\+/, "")} ${currency}`)
              .join(" · ") || "0.00"}
          </dd>
        </div>
        <div>
          <dt>
            Net P&amp;L<span className="tag">{row.currency}</span>
          </dt>
          <dd className={signClass(row.net)}>{formatMoney(row.net)}</dd>
        </div>
        {(row.currency !== "USD" || row.fxMissing.length > 0) && (
          <div>
            <dt>
              Net P&amp;L<span className="tag">USD</span>
            </dt>
            <dd className={signClass(row.netUsd)}>
              {formatMoney(row.netUsd)}
              {row.fxMissing.length > 0 && <span className="stale-tag">no FX: {row.fxMissing.join(", ")}</span>}
            </dd>
          </div>
        )}
      </dl>
      {fills.error && (
        <p role="alert" className="error">
          {fills.error.message}
        </p>
      )}
      <div className="table-wrap short">
        <table aria-label="Fills behind the position">
          <thead>
            <tr>
              <th>Time</th>
              <th>Side</th>
              <th className="num">Quantity</th>
              <th className="num">Price</th>
              <th className="num">Fees</th>
              <th>Venue</th>
              <th>Liquidity</th>
              <th>Exec id</th>
              <th>Order</th>
            </tr>
          </thead>
          <tbody>
            {fills.isPending && (
              <tr>
                <td colSpan={9} className="empty">
                  Loading fills…
                </td>
              </tr>
            )}
            {!fills.isPending && shown.length === 0 && (
              <tr>
                <td colSpan={9} className="empty">
                  No fills.
                </td>
              </tr>
            )}
            {shown.map((f) => (
              <tr key={`${f.execId}-${f.seq}`} data-fill={f.execId} className={f.busted ? "busted" : undefined}>
                <td className="mono">{formatTime(f.ts)}</td>
                <td className={f.side === "Buy" ? "buy" : "sell"}>{f.side}</td>
                <td className="num">
                  {formatQty(f.qty)}
                  {f.busted && <span className="stale-tag">busted</span>}
                  {f.corrected && (
                    <span className="stale-tag" title={`first booked ${f.corrected.qty} @ ${f.corrected.px}`}>
                      corrected
                    </span>
                  )}
                </td>
                <td className="num">{formatPx(f.px, places)}</td>
                <td className="num" title={f.fees.map((fee) => `${fee.kind} ${fee.amount} ${fee.currency}`).join(", ")}>
                  {feesText(f.fees)}
                </td>
                <td>{f.venueId}</td>
                <td className="muted">{f.liquidity ?? "—"}</td>
                <td className="mono muted">{f.execId}</td>
                <td className="mono">
                  <Link className="order-link" href={`/orders/${encodeURIComponent(f.orderId)}`}>
                    {f.orderId}
                  </Link>
                  {f.parentOrderId && (
                    <span className="muted">
                      {" "}
                      (parent{" "}
                      <Link className="order-link" href={`/orders/${encodeURIComponent(f.parentOrderId)}`}>
                        {f.parentOrderId}
                      </Link>
                      )
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
