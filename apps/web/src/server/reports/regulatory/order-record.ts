import { type ArrivalQuote, type Decimal, type FillFee, money, type Order } from "@fillmore/shared";

// One order's life as the regulatory reports need it, folded from its journaled events (pure): the
// order at receipt and its quote then, its routes, its booked fills (busts removed, corrections
// applied), what was cancelled or expired unexecuted, and the midpoints sampled after each fill.

export interface JournalEvent {
  seq: number;
  /** UTC ISO-8601 with microseconds, as journaled. */
  ts: string;
  type: string;
  orderId: string;
  data: Record<string, unknown>;
}

export interface Route {
  seq: number;
  ts: string;
  venueId: string;
  venueOrderId: string;
  /** The quote at routing (for a held stop: at its trigger). */
  quote?: ArrivalQuote;
}

export interface BookedFill {
  execId: string;
  seq: number;
  ts: string;
  venueId: string;
  qty: Decimal;
  px: Decimal;
  fees: FillFee[];
  liquidity?: "maker" | "taker";
  /** The NBBO when the engine booked the fill (absent on fills journaled before it was, or without a two-sided quote). */
  quote?: ArrivalQuote;
  /** Set on a split parent's copy of its child's fill. */
  childOrderId?: string;
}

export interface OrderRecord {
  order: Order;
  receivedTs: string;
  arrival?: ArrivalQuote;
  denied: boolean;
  routes: Route[];
  /** Venues of the children, for a parent the router split. */
  splitVenues: string[];
  fills: BookedFill[];
  /** Shares cancelled or expired before execution (the order's leaves when it ended). */
  cancelledQty: Decimal;
  /** Midpoint sampled after a fill: execId → horizon ms → mid (null samples left out). */
  markouts: Map<string, Map<number, Decimal>>;
  events: JournalEvent[];
}

const str = (v: unknown) => (typeof v === "string" ? v : String(v ?? ""));

/** Folds one order's events (journal order); null when its OrderReceived is not among them. */
export function orderRecord(events: readonly JournalEvent[]): OrderRecord | null {
  const received = events.find((e) => e.type === "OrderReceived");
  if (!received) return null;
  const order = received.data.order as Order;
  const record: OrderRecord = {
    order,
    receivedTs: received.ts,
    ...(received.data.arrival ? { arrival: received.data.arrival as ArrivalQuote } : {}),
    denied: false,
    routes: [],
    splitVenues: [],
    fills: [],
    cancelledQty: "0",
    markouts: new Map(),
    events: [...events],
  };
  const fills = new Map<string, BookedFill>();
  let orderQty = order.orderQty;
  for (const e of events) {
    const d = e.data;
    switch (e.type) {
      case "OrderDenied":
        record.denied = true;
        break;
      case "OrderSubmitted":
        record.routes.push({
          seq: e.seq,
          ts: e.ts,
          venueId: str(d.venueId),
          venueOrderId: str(d.venueOrderId),
          ...(d.quote ? { quote: d.quote as ArrivalQuote } : {}),
        });
        break;
      case "OrderSplit":
        record.splitVenues = ((d.children ?? []) as { venueId: string }[]).map((c) => c.venueId);
        break;
      case "OrderReplaced":
      case "OrderRestated":
        orderQty = str(d.orderQty);
        break;
      case "OrderFilled":
      case "OrderPartiallyFilled":
        fills.set(str(d.execId), {
          execId: str(d.execId),
          seq: e.seq,
          ts: e.ts,
          venueId: str(d.venueId),
          qty: str(d.lastQty),
          px: str(d.lastPx),
          fees: (d.fees ?? []) as FillFee[],
          ...(d.liquidity ? { liquidity: d.liquidity as "maker" | "taker" } : {}),
          ...(d.quote ? { quote: d.quote as ArrivalQuote } : {}),
          ...(d.childOrderId ? { childOrderId: str(d.childOrderId) } : {}),
        });
        break;
      case "OrderTradeBusted":
        fills.delete(str(d.refExecId));
        break;
      case "OrderTradeCorrected": {
        const fill = fills.get(str(d.refExecId));
        if (fill) Object.assign(fill, { qty: str(d.lastQty), px: str(d.lastPx) });
        break;
      }
      case "OrderCancelled":
      case "OrderExpired": {
        const executed = money.sum([...fills.values()].map((f) => f.qty));
        record.cancelledQty = money.max("0", money.sub(orderQty, executed));
        break;
      }
      case "MarkoutSampled": {
        const byHorizon = record.markouts.get(str(d.execId)) ?? new Map<number, Decimal>();
        // A fill's shorter horizons ride with its last one (`earlier`); older journals have one event each.
        const samples = [...(Array.isArray(d.earlier) ? (d.earlier as Record<string, unknown>[]) : []), d];
        for (const k of samples) if (k.mid !== null && k.mid !== undefined) byHorizon.set(Number(k.horizonMs), str(k.mid));
        if (byHorizon.size > 0) record.markouts.set(str(d.execId), byHorizon);
        break;
      }
    }
  }
  record.fills = [...fills.values()].sort((a, b) => a.seq - b.seq);
  return record;
}

/** Microseconds since the epoch of a journal timestamp (µs precision kept). */
export function epochUs(iso: string): number {
  const whole = Date.parse(`${iso.slice(0, 19)}Z`);
  const frac = (/\.(\d{1,6})/.exec(iso)?.[1] ?? "").padEnd(6, "0");
  return whole * 1000 + Number(frac);
}
