"use client";
import { isTerminal, type Order } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { AppHeader } from "../../../components/app-header";
import { Notices } from "../../../components/notices";
import { ExecutionQualityPanel } from "../../../components/quality/execution-quality-panel";
import { formatPx, formatQty, placesOf, statusClass } from "../../../lib/format";
import { formatTs, formatUs, hops, milestones, type TimelineEvent } from "../../../lib/latency";
import { useTRPC } from "../../../lib/trpc";
import { useLiveOrders } from "../../../lib/use-live-orders";
import { useSession } from "../../../lib/use-session";

const str = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

/** The quote journaled with an event (arrival at receipt / routing), if any. */
function quoteText(q: unknown): string {
  const quote = q as { bid?: string; ask?: string; mid?: string } | undefined;
  return quote?.mid ? ` · quote ${quote.bid} / ${quote.ask} (mid ${quote.mid})` : "";
}

/** The key facts of an event, in a line. */
function details(e: TimelineEvent): string {
  const d = e.data;
  switch (e.type) {
    case "OrderReceived": {
      const o = d.order as Partial<Order> | undefined;
      return o
        ? `${o.side} ${o.orderQty} ${o.symbol} ${o.ordType}${o.price ? ` @ ${o.price}` : ""}${o.stopPx ? ` stop ${o.stopPx}` : ""}${quoteText(d.arrival)}`
        : "";
    }
    case "OrderPartiallyFilled":
    case "OrderFilled":
      return `${str(d.lastQty)} @ ${str(d.lastPx)} · execId ${str(d.execId)} · venue ${str(d.venueId)}${d.childOrderId ? ` · child ${str(d.childOrderId)}` : ""}`;
    case "OrderDenied":
      return `${str(d.code)}: ${str(d.reason)}`;
    case "OrderSubmitted":
      return `venue ${str(d.venueId)} · venueOrderId ${str(d.venueOrderId)}${d.triggerPx ? ` · triggered at ${str(d.triggerPx)}` : ""}${quoteText(d.quote)}`;
    case "MarkoutSampled":
      return `mid ${d.mid === null ? "— (no two-sided quote)" : str(d.mid)} at ${d.execId === "@end" ? "the end (close mid)" : `+${str(d.horizonMs)} ms after ${str(d.execId)}`}`;
    case "OrderAccepted":
      return `venueOrderId ${str(d.venueOrderId)}`;
    case "OrderRejected":
      return `${str(d.source)}: ${str(d.reason)}`;
    case "RouteDecided": {
      const legs = Array.isArray(d.legs) ? (d.legs as { venueId: string; qty: string }[]) : [];
      const where = legs.length > 0 ? legs.map((l) => `${l.venueId} ${l.qty}`).join(" + ") : str(d.venueId) || "no venue";
      return `${str(d.policy)} → ${where}${d.reason ? `: ${str(d.reason)}` : ""}`;
    }
    case "OrderSplit": {
      const children = Array.isArray(d.children) ? (d.children as { orderId: string; venueId: string; qty: string }[]) : [];
      return `child orders ${children.map((c) => `${c.orderId} (${c.qty} at ${c.venueId})`).join(", ")}`;
    }
    case "OrderStopMoved":
      return `stop ${str(d.stopPx)} (market ${str(d.marketPx)})`;
    case "OrderPendingReplace":
    case "OrderReplaced":
      return `qty ${str(d.orderQty)}${d.price ? ` · price ${str(d.price)}` : ""}${d.stopPx ? ` · stop ${str(d.stopPx)}` : ""}`;
    default:
      return "reason" in d ? str(d.reason) : Object.keys(d).length > 0 ? JSON.stringify(d) : "";
  }
}

/** One order: its fields under their FIX names, its journaled events and the latency of each hop. */
export default function OrderDetailPage() {
  const params = useParams<{ orderId: string }>();
  const orderId = decodeURIComponent(params.orderId ?? "");
  const trpc = useTRPC();
  const me = useSession();
  const live = useLiveOrders(me.isSuccess);
  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { enabled: me.isSuccess, staleTime: 60_000 }));
  const detail = useQuery(
    trpc.orders.get.queryOptions(
      { orderId },
      {
        enabled: me.isSuccess && orderId !== "",
        retry: false,
        // The live stream triggers refetches; polling covers a stale stream while the order works.
        refetchInterval: (q) => (q.state.status === "error" || (q.state.data && isTerminal(q.state.data.order.ordStatus)) ? false : 1000),
      },
    ),
  );
  const liveSeq = live.orders.get(orderId)?.lastSeq;
  const knownSeq = detail.data?.order.lastSeq;
  const { refetch } = detail;
  useEffect(() => {
    if (liveSeq !== undefined && knownSeq !== undefined && liveSeq > knownSeq) void refetch();
  }, [liveSeq, knownSeq, refetch]);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;

  const order = detail.data?.order;
  const events = (detail.data?.events ?? []) as TimelineEvent[];
  const places = placesOf(reference.data?.instruments.find((i) => i.symbol === order?.symbol)?.tickSize);
  const marks = milestones(events);
  // A split parent's children, live from the blotter stream (their ids are in its OrderSplit event).
  const split = events.find((e) => e.type === "OrderSplit")?.data.children;
  const childIds = Array.isArray(split) ? (split as { orderId: string }[]).map((c) => c.orderId) : [];
  const children = childIds.flatMap((id) => live.orders.get(id) ?? []);
  const hopList = hops(marks);
  const startUs = events[0]?.monoUs;
  const chart = hopList
    .filter((h) => h.us !== null)
    .map((h) => ({ hop: `${h.from.label} → ${h.to.label}`, ms: Number(((h.us ?? 0) / 1000).toFixed(3)) }));

  const fields: [string, string, string][] = order
    ? [
        ["OrderID", "37", order.orderId],
        ["ClOrdID", "11", order.clOrdId],
        ["Account", "1", order.accountId],
        ["Symbol", "55", order.symbol],
        ["Side", "54", order.side],
        ["OrdType", "40", order.ordType],
        ["OrderQty", "38", formatQty(order.orderQty)],
        ["Price", "44", formatPx(order.price, places)],
        ["StopPx", "99", formatPx(order.stopPx, places)],
        ...(order.ordType === "TrailingStop"
          ? ([order.trailAmount ? ["TrailAmount", "", order.trailAmount] : ["TrailPercent", "", `${order.trailPercent ?? "?"} %`]] as [
              string,
              string,
              string,
            ][])
          : []),
        ["TimeInForce", "59", order.timeInForce],
        ...(order.expireTime ? ([["ExpireTime", "126", formatTs(order.expireTime)]] as [string, string, string][]) : []),
        ["CumQty", "14", formatQty(order.cumQty)],
        ["LeavesQty", "151", formatQty(order.leavesQty)],
        ["AvgPx", "6", formatPx(order.avgPx, places + 2)],
        ["ExDestination", "100", order.venueId ?? "—"],
        ["VenueOrderID", "", order.venueOrderId ?? "—"],
        ["Strategy", "", order.strategy ?? "—"],
        ["CreatedBy", "", order.createdBy],
        ["TransactTime", "60", formatTs(order.createdAt)],
        ["Text", "58", order.rejectReason ? `${order.rejectSource ?? ""} ${order.rejectReason}`.trim() : "—"],
      ]
    : [];

  return (
    <>
      <AppHeader name={me.data.name} role={me.data.role} live={live} />
      <Notices>
        {detail.error && (
          <div className="banner error" role="alert">
            {detail.error.message}
          </div>
        )}
      </Notices>
      <main className="layout detail">
        <section className="card" aria-label="Order">
          <div className="toolbar">
            <Link href="/" className="back">
              ← Blotter
            </Link>
            <h2>
              Order <span className="mono">{order?.clOrdId ?? orderId}</span>
            </h2>
            {order && (
              <span className={statusClass(order.ordStatus)} data-testid="order-status" title={order.rejectReason ?? undefined}>
                {order.ordStatus}
              </span>
            )}
            {order?.lateFill && <span className="status status-rejected">late fill</span>}
          </div>
          {!order && !detail.error && <p className="muted">Loading…</p>}
          {order && (
            <dl className="fields">
              {fields.map(([name, tag, value]) => (
                <div key={name} data-field={name}>
                  <dt>
                    {name}
                    {tag && <span className="tag">{tag}</span>}
                  </dt>
                  <dd className="mono">{value}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>

        {order && (order.parentId || children.length > 0) && (
          <section className="card" aria-label="Liquidity split">
            <div className="toolbar">
              <h2>Liquidity split</h2>
            </div>
            {order.parentId ? (
              <p>
                Child order of{" "}
                <Link className="mono" href={`/orders/${encodeURIComponent(order.parentId)}`}>
                  {order.parentId}
                </Link>
              </p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Child</th>
                    <th>Venue</th>
                    <th className="num">Qty</th>
                    <th className="num">Filled</th>
                    <th className="num">Avg Px</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {children.map((c) => (
                    <tr key={c.orderId} data-child-id={c.orderId}>
                      <td className="mono clordid">
                        <Link href={`/orders/${encodeURIComponent(c.orderId)}`}>{c.clOrdId}</Link>
                      </td>
                      <td>{c.venueId ?? c.requestedVenueId ?? "—"}</td>
                      <td className="num">{formatQty(c.orderQty)}</td>
                      <td className="num">{formatQty(c.cumQty)}</td>
                      <td className="num">{formatPx(c.avgPx, places + 2)}</td>
                      <td>
                        <span className={statusClass(c.ordStatus)}>{c.ordStatus}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}

        {order && (
          <section className="card" aria-label="Latency">
            <div className="toolbar">
              <h2>Latency by hop</h2>
              <span className="muted">monotonic clock, engine side</span>
            </div>
            <div className="latency">
              <table>
                <thead>
                  <tr>
                    <th>Hop</th>
                    <th className="num">Latency</th>
                  </tr>
                </thead>
                <tbody>
                  {hopList.map((h) => (
                    <tr key={`${h.from.key}-${h.to.key}`} data-hop={`${h.from.key}-${h.to.key}`}>
                      <td>
                        {h.from.label} → {h.to.label}
                      </td>
                      <td className="num mono">{formatUs(h.us)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="chart" aria-hidden="true">
                {chart.length > 0 && (
                  <ResponsiveContainer width="100%" height={170}>
                    <BarChart data={chart} layout="vertical" margin={{ left: 8, right: 16, top: 4, bottom: 4 }}>
                      <CartesianGrid stroke="#2a3240" horizontal={false} />
                      <XAxis type="number" unit=" ms" stroke="#8591a3" fontSize={11} />
                      <YAxis type="category" dataKey="hop" width={170} stroke="#8591a3" fontSize={11} />
                      <Tooltip
                        contentStyle={{ background: "#161b22", border: "1px solid #2a3240", color: "#d7dde6" }}
                        formatter={(v) => [`${String(v)} ms`, "latency"]}
                      />
                      <Bar dataKey="ms" fill="#4c8dff" isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                )}
              </div>
            </div>
          </section>
        )}

        {order && <ExecutionQualityPanel orderId={order.orderId} version={order.lastSeq} terminal={isTerminal(order.ordStatus)} />}

        {order && (
          <section className="card" aria-label="Timeline">
            <div className="toolbar">
              <h2>Event timeline</h2>
              <span className="muted">{events.length} events · times UTC</span>
            </div>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th className="num">Seq</th>
                    <th>Time (UTC)</th>
                    <th className="num">+Since received</th>
                    <th>Event</th>
                    <th>Actor</th>
                    <th>Details</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr key={e.seq} data-event-type={e.type} data-seq={e.seq}>
                      <td className="num mono">{e.seq}</td>
                      <td className="mono">{formatTs(e.ts)}</td>
                      <td className="num mono">{startUs === undefined ? "—" : formatUs(e.monoUs - startUs)}</td>
                      <td className="strong">{e.type}</td>
                      <td className="mono">{e.actor}</td>
                      <td className="details">{details(e)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      </main>
    </>
  );
}
