import type { Order } from "@fillmore/shared";
import type { OrderIdRange } from "../../orders/order-ids";
import type { OrderChanges, VenueOrderStatus, VenuePosition, VenueReport } from "../adapter";

/** Requests from the engine to the simulated exchange process, one JSON object per line. */
export type ExchangeRequest =
  | { id: number; op: "hello"; venue: string }
  | { id: number; op: "submit"; venue: string; order: Order }
  | { id: number; op: "cancel"; venue: string; order: Order }
  | { id: number; op: "modify"; venue: string; order: Order; changes: OrderChanges }
  | { id: number; op: "status"; venue: string; orderId: string }
  | { id: number; op: "stats"; venue: string }
  | { id: number; op: "recover"; venue: string; range: OrderIdRange }
  | { id: number; op: "positions"; venue: string; accountId?: string }
  /** Test injection (reconciliation): a trade outside Fillmore, or a fill of ours whose report is lost. */
  | { id: number; op: "inject"; venue: string; inject: ExchangeInjection };

export type ExchangeInjection =
  | { kind: "external"; accountId: string; symbol: string; side: "Buy" | "Sell"; qty: string; px: string }
  | { kind: "silentFill"; orderId: string; qty: string; px: string };

export interface ExchangeStats {
  known: string[];
  /** Order ids the exchange received more than once. */
  resent: string[];
}

/** Answers and pushed reports from the exchange. */
export type ExchangeMessage =
  | { id: number; ok: true; result?: VenueOrderStatus | ExchangeStats | Order[] | VenuePosition[] | string }
  | { id: number; ok: false; error: string }
  | { push: "report"; venue: string; report: VenueReport };

/** Splits a byte stream into JSON lines. */
export function lineReader(onLine: (value: unknown) => void): (chunk: Buffer) => void {
  let buffer = "";
  return (chunk) => {
    buffer += chunk.toString("utf8");
    let end = buffer.indexOf("\n");
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (line.length > 0) onLine(JSON.parse(line));
      end = buffer.indexOf("\n");
    }
  };
}
