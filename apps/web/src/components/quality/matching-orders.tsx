"use client";
import Link from "next/link";
import { fmt, type OrdersData } from "./types";

/** The orders behind the current selection (newest first), each linking to its order page. */
export function MatchingOrders({ data }: { data: OrdersData }) {
  if (data.orders.length === 0) return <p className="empty">No orders in this selection.</p>;
  return (
    <>
      <p className="muted" data-testid="matching-count">
        {data.total} orders match{data.total > data.orders.length ? `; the newest ${data.orders.length} are listed` : ""}.
      </p>
      <div className="table-wrap orders">
        <table aria-label="Matching orders">
          <thead>
            <tr>
              <th>Received (UTC)</th>
              <th>Order</th>
              <th>Venue</th>
              <th>Symbol</th>
              <th>Side</th>
              <th>Type</th>
              <th>Outcome</th>
              <th className="num">Filled</th>
              <th className="num">Avg px</th>
              <th className="num">Slippage bps</th>
              <th className="num">Ack ms</th>
            </tr>
          </thead>
          <tbody>
            {data.orders.map((o) => (
              <tr key={o.orderId}>
                <td className="mono">{o.receivedAt.slice(0, 23).replace("T", " ")}</td>
                <td>
                  <Link className="order-link mono" href={`/orders/${encodeURIComponent(o.orderId)}`}>
                    {o.orderId}
                  </Link>
                </td>
                <td>{o.venue}</td>
                <td>{o.symbol}</td>
                <td className={o.side === "Buy" ? "buy" : "sell"}>{o.side}</td>
                <td>{o.orderType}</td>
                <td>{o.status.replace(/^Order/, "")}</td>
                <td className="num">{o.filledQty}</td>
                <td className="num">{o.avgPx ?? "—"}</td>
                <td className="num">{fmt(o.slippageBps, 3)}</td>
                <td className="num">{fmt(o.latencyMs, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
