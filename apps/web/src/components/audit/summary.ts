/** An audit event as the page receives it (routers/audit.ts AuditEvent). */
export interface AuditRow {
  seq: number;
  ts: string;
  type: string;
  orderId: string | null;
  accountId: string | null;
  actor: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

const s = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** One line saying what an event's data holds, by type; other types as compact JSON. */
export function summarize(e: Pick<AuditRow, "type" | "data">): string {
  const d = e.data;
  switch (e.type) {
    case "OrderReceived": {
      const o = (d.order ?? {}) as Record<string, unknown>;
      const px = o.price ? ` @ ${s(o.price)}` : "";
      return `${s(o.side)} ${s(o.orderQty)} ${s(o.symbol)} ${s(o.ordType)}${px} ${s(o.timeInForce)} · clOrdId ${s(o.clOrdId)}${o.strategy ? ` · ${s(o.strategy)}` : ""}`;
    }
    case "RouteDecided":
      return `→ ${s(d.venueId) || "no venue"} (${s(d.policy)}): ${s(d.reason)}`;
    case "OrderSubmitted":
      return `sent to ${s(d.venueId)} as ${s(d.venueOrderId)}`;
    case "OrderAccepted":
      return `venue order id ${s(d.venueOrderId)}`;
    case "OrderFilled":
    case "OrderPartiallyFilled":
      return `${s(d.lastQty)} @ ${s(d.lastPx)} on ${s(d.venueId)} (exec ${s(d.execId)})`;
    case "OrderDenied":
    case "OrderTriggerDenied":
      return `${s(d.code)}: ${s(d.reason)}`;
    case "CommandRefused":
      return `${s(d.command)} refused, ${s(d.code)}: ${s(d.reason)}`;
    case "AlertRaised":
      return `${s(d.code)}: ${s(d.message)}`;
    case "OrderRejected":
      return `${s(d.source)}: ${s(d.reason)}`;
    case "TradingStateChanged":
      return `${s(d.scope)}: ${s(d.old)} → ${s(d.new)} (${s(d.reason)})`;
    default: {
      const text = JSON.stringify(d);
      return text === "{}" ? "" : text.length > 140 ? `${text.slice(0, 139)}…` : text;
    }
  }
}

/** What a broken or risky event type looks like in the table. */
export function typeClass(type: string): string {
  if (type === "OrderDenied" || type === "CommandRefused" || type === "OrderRejected" || type === "TransitionRefused") return "ev ev-bad";
  if (type === "AlertRaised" || type.startsWith("KillSwitch") || type === "BreakerTripped") return "ev ev-warn";
  if (type === "OrderFilled" || type === "OrderPartiallyFilled") return "ev ev-fill";
  if (type === "RouteDecided" || type === "OrderSubmitted") return "ev ev-route";
  return "ev";
}
