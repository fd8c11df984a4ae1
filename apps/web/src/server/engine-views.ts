// The engine's answers as the console reads them (the wire shapes of apps/engine/src/api): types only.
import type {
  CorporateActionKind,
  CorporateActionResults,
  CorporateActionTerms,
  Order,
  PositionsSnapshot,
  RiskLimits,
  TradingState,
  VenueHealthView,
} from "@fillmore/shared";

/** GET /v1/audit/as-of (apps/engine/src/audit/as-of.ts). */
export interface BookAsOfView {
  asOf: { seq: number; ts: string | null; requested: { ts: string | null; seq: number | null } };
  /** One page of the orders matching the filters (`matched` of them; `offset`, `limit`). */
  orders: Order[];
  ordersTotal: number;
  working: number;
  matched: number;
  offset: number;
  limit: number;
  positions: PositionView[];
  /** The positions view as it stood (rows and roll-ups; no marks, so unrealized P&L unknown). */
  pnl: PositionsSnapshot;
}

export interface RiskView {
  defaults: RiskLimits;
  limits: Record<string, Partial<RiskLimits>>;
  tradingStates: Record<string, TradingState>;
}

export interface VenueView extends VenueHealthView {
  kind: string;
  feeBps: string;
  capabilities?: { ordTypes: string[]; timeInForces: string[]; modify: boolean; cancel: boolean; nativeStops: boolean };
}

export interface PositionView {
  accountId: string;
  symbol: string;
  qty: string;
  boughtQty: string;
  soldQty: string;
  boughtNotional: string;
  soldNotional: string;
}

export interface ReferenceView {
  instruments: { symbol: string; name: string; tickSize: string; lotSize: string; refPrice: string }[];
  accounts: { id: string; name: string }[];
  venues: { id: string; healthy: boolean }[];
  quotes: { symbol: string; bid: string; ask: string; last: string }[];
}

/** One reconciliation break as the engine lists it (apps/engine/src/positions/reconciliation/reconciliation.ts). */
export interface ReconciliationBreak {
  breakId: string;
  kind: "position" | "fee" | "order";
  /** "venue:SIM-A", "statement:<name>". */
  source: string;
  /** null: a venue that keeps one book for every account. */
  accountId: string | null;
  symbol: string | null;
  orderId: string | null;
  ours: string | null;
  theirs: string | null;
  difference: string | null;
  cause: "MISSING_FILL" | "EXTERNAL_TRADE" | "FEE_DIFFERENCE" | "CORPORATE_ACTION" | "VENUE_LOST_ORDER" | "OUTCOME_UNKNOWN" | "UNEXPLAINED";
  explanation: string;
  restricts: string | null;
  foundAt: string;
  foundBy: string;
  status: "open" | "adopted" | "investigated" | "settled" | "cleared" | "superseded";
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
}

export interface ReconciliationSource {
  source: string;
  state: "ok" | "failed" | "unsupported";
  detail: string | null;
  checkedAt: string | null;
  positions: number;
}

export interface ReconciliationRun {
  startedAt: string;
  found: string[];
  cleared: string[];
  sources: ReconciliationSource[];
}

export interface ReconciliationView {
  breaks: ReconciliationBreak[];
  sources: ReconciliationSource[];
  lastRun: ReconciliationRun | null;
  /** Live orders an alert said have an unknown fate (VENUE_LOST_ORDER, OUTCOME_UNKNOWN). */
  unknownFate: { order: Order; code: string; message: string }[];
}

/** The engine's statement body (apps/engine/src/positions/reconciliation/statement.ts). */
export interface StatementImport {
  name: string;
  positions: string;
  trades?: string;
  mapping?: {
    positions?: { account?: string; symbol?: string; qty?: string; side?: string };
    trades?: {
      account?: string;
      symbol?: string;
      side?: string;
      qty?: string;
      price?: string;
      execId?: string;
      orderId?: string;
      fee?: string;
    };
  };
  delimiter?: string;
}

export type AlertSeverity = "critical" | "warning" | "info";
export type AlertStateFilter = "open" | "acknowledged" | "resolved" | "unresolved" | "all";

/** One alert as the engine's alert centre lists it (apps/engine/src/alerts/types.ts). */
export interface AlertView {
  alertId: string;
  code: string;
  severity: AlertSeverity;
  rule: string;
  subject: string;
  message: string;
  orderId: string | null;
  accountId: string | null;
  state: "open" | "acknowledged" | "resolved";
  count: number;
  firstAt: string;
  lastAt: string;
  firstSeq: number;
  lastSeq: number;
  clears: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  ackNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolveNote: string | null;
  resolution: "manual" | "cleared" | null;
  reopened: number;
  delivery: { state: "none" | "pending" | "delivered" | "failed"; attempts: number; lastError: string | null; lastAt: string | null };
}

export interface AlertListView {
  alerts: AlertView[];
  counts: { open: number; acknowledged: number; resolved: number; openCritical: number; openWarning: number; openInfo: number };
  asOf: string;
}

/** The engine's hash-chain verification: `firstBadSeq` and `reason` say where and why it broke. */
export interface AuditVerifyView {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  reason: string | null;
  keyedFromSeq: number | null;
  checkpoints: number;
}

/** What schedules a corporate action (apps/engine/src/positions/corporate-actions.ts validates it). */
export interface CorporateActionInput {
  kind: CorporateActionKind;
  symbol: string;
  effectiveDate: string;
  ratioNew?: string;
  ratioOld?: string;
  cashInLieuPx?: string;
  perShare?: string;
  newSymbol?: string;
  reason: string;
}

/** A corporate action as the engine lists it: its terms, status, and what applying / reversing it did. */
export interface CorporateActionView extends CorporateActionTerms {
  status: "scheduled" | "applied" | "reversed" | "dropped";
  scheduledBy: string;
  scheduledAt: string;
  appliedAt: string | null;
  results: CorporateActionResults | null;
  reversedAt: string | null;
  reversedBy: string | null;
  reverseReason: string | null;
  reversal: CorporateActionResults | null;
}

/** An order's execution metrics as the engine computes them (apps/engine/src/quality/metrics.ts); decimals as strings. */
export interface ExecutionMetricsView {
  orderId: string;
  accountId: string;
  symbol: string;
  side: "Buy" | "Sell";
  orderType: string;
  broker: string | null;
  strategy: string | null;
  status: string;
  submissionTime: string | null;
  firstFillTime: string | null;
  completionTime: string | null;
  latencyMs: string | null;
  timeToFirstFillMs: string | null;
  timeToCompletionMs: string | null;
  hops: Record<"receivedToValidatedMs" | "validatedToSentMs" | "sentToAckMs" | "ackToFirstFillMs" | "firstFillToDoneMs", string | null>;
  requestedPrice: string | null;
  arrivalQuote: { bid: string; ask: string; mid: string; ts: number } | null;
  arrivalMid: string | null;
  orderQty: string;
  filledQty: string;
  averageFillPrice: string | null;
  fillRate: string;
  slippage: string | null;
  slippageBps: string | null;
  effectiveSpread: string | null;
  effectiveSpreadBps: string | null;
  markouts: { horizonMs: number; perShare: string | null; amount: string | null; bps: string | null; sampled: number }[];
  marketImpactBps: string | null;
  commissions: string;
  commissionCurrency: string | null;
}

/** Execution quality by venue (apps/engine/src/quality/summary.ts). */
export interface QualitySummaryView {
  orders: number;
  queryMs: number;
  venues: {
    venue: string;
    orders: number;
    sent: number;
    fillRate: string | null;
    rejectRate: string | null;
    cancelRate: string | null;
    latencyMs: { n: number; p50: string | null; p95: string | null; p99: string | null; p999: string | null };
    slippageBps: string | null;
    markoutsBps: { horizonMs: number; bps: string | null; orders: number }[];
  }[];
}
