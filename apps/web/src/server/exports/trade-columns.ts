import type { TradeRow } from "../reports/trade-report";
import type { Columns } from "./columns";

/** A trade report's columns in every export format (its own module: the export process loads it without the other sources). */
export const tradeColumns: Columns<TradeRow> = [
  { header: "seq", value: (t) => t.seq, kind: "int", width: 40 },
  { header: "time (UTC)", value: (t) => t.ts, kind: "time", width: 120 },
  { header: "execId", value: (t) => t.execId, kind: "text", width: 80 },
  { header: "orderId", value: (t) => t.orderId, kind: "text", width: 50 },
  { header: "clOrdId", value: (t) => t.clOrdId, kind: "text", width: 70 },
  { header: "account", value: (t) => t.accountId, kind: "text", width: 60 },
  { header: "strategy", value: (t) => t.strategy, kind: "text", width: 60 },
  { header: "symbol", value: (t) => t.symbol, kind: "text", width: 40 },
  { header: "side", value: (t) => t.side, kind: "text", width: 30 },
  { header: "qty", value: (t) => t.qty, kind: "decimal", width: 45 },
  { header: "px", value: (t) => t.px, kind: "decimal", width: 50 },
  { header: "notional", value: (t) => t.notional, kind: "decimal", width: 60 },
  { header: "venue", value: (t) => t.venueId, kind: "text", width: 50 },
  { header: "liquidity", value: (t) => t.liquidity, kind: "text", width: 35 },
  { header: "fees", value: (t) => t.fees, kind: "decimal", width: 40 },
  { header: "currency", value: (t) => t.currency, kind: "text", width: 30 },
  { header: "realizedPnL", value: (t) => t.realizedPnL, kind: "decimal", width: 60 },
];
