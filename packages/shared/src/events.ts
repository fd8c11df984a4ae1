import type { Decimal } from "./money";
import type { RejectSource } from "./orders/enums";
import type { Order } from "./orders/order";
import type { OrderTransitionEvent } from "./orders/transitions";
import type { KillSwitchAction, KillSwitchOutcomeData, RiskLimits, TradingState } from "./risk";

/** What every journaled event carries. `ts` is UTC with microseconds; `monoUs` is monotonic, for latency. */
export interface EventEnvelope<T extends string, D> {
  seq: number;
  ts: string;
  monoUs: number;
  type: T;
  orderId: string | null;
  accountId: string | null;
  /** The user, API key or component that caused it ("user:alice", "key:k1", "venue:SIM-A", "engine"). */
  actor: string;
  data: D;
}

/** Why a booked fill needs a look: it came after the order was done, beyond its quantity, or outside its limit. */
export type FillFlag = "LATE" | "OVER_FILL" | "PRICE_OUTSIDE_LIMIT";

export interface FillData {
  execId: string;
  venueId: string;
  lastQty: Decimal;
  lastPx: Decimal;
  /** On a split parent: the child order that was filled (positions count the child's fill, not this). */
  childOrderId?: string;
  /** Set when the fill is booked although something about it is wrong; an alert says what. */
  flags?: FillFlag[];
  /**
   * Commission and fees of this fill, each in its currency: the venue's own figure where its report has
   * one (FIX Commission(12)/CommType(13)), else the venue's fee schedule. Absent on a split parent's
   * copy (the child's fill carries them) and on fills journaled before fees existed.
   */
  fees?: FillFee[];
  /** Whether the fill added liquidity (resting order) or took it, where the venue says or the simulator models it. */
  liquidity?: "maker" | "taker";
  /**
   * The NBBO the engine held when it booked the fill (the venue's report arriving), for the regulatory
   * reports' execution-time statistics (606(b)(3) midpoint / favourable / unfavourable). Absent when no
   * two-sided quote was there, on a split parent's copy, and on fills journaled before it existed.
   */
  quote?: ArrivalQuote;
}

export interface FillFee {
  amount: Decimal;
  currency: string;
  /** "commission" (venue-reported or scheduled per share / bps), "minimum" (top-up to the order's minimum), … */
  kind: string;
}

/**
 * A booked fill the venue busted (FIX ExecType H, trade cancel): it never happened. Carries the
 * busted fill's quantity and price, so the order and the position take it out without a lookup.
 */
export interface TradeBustData {
  venueId: string;
  /** The execution busted, as booked (its execId). */
  refExecId: string;
  lastQty: Decimal;
  lastPx: Decimal;
  reason: string;
  childOrderId?: string;
}

/** A booked fill the venue corrected (FIX ExecType G): `refExecId` now has `lastQty` at `lastPx`. */
export interface TradeCorrectionData {
  venueId: string;
  refExecId: string;
  /** The correction's own execution id (FIX ExecID); later busts/corrections may name either. */
  execId: string;
  oldQty: Decimal;
  oldPx: Decimal;
  lastQty: Decimal;
  lastPx: Decimal;
  reason: string;
  childOrderId?: string;
}

/** A quote as journaled with an order: bid, ask, exact mid, and the quote's own time (epoch ms). */
export interface ArrivalQuote {
  bid: Decimal;
  ask: Decimal;
  mid: Decimal;
  ts: number;
}

/** The mid sampled `horizonMs` after a fill (execId) of an order, for markouts (apps/engine/src/quality). */
export interface MarkoutSampledData {
  orderId: string;
  execId: string;
  horizonMs: number;
  /** The mid then; null when no two-sided quote was there (no benchmark, counted apart). */
  mid: Decimal | null;
  /** The quote's own time (epoch ms), or null with no quote. */
  ts: number | null;
  /**
   * The same fill's samples at the shorter horizons, taken at their time and journaled with this one
   * (the last horizon's), so a fill costs one event, not one per horizon. Absent on events journaled
   * one per horizon (before 30 Nov 2026) and on the close sample.
   */
  earlier?: { horizonMs: number; mid: Decimal | null; ts: number | null }[];
}

export interface OrderEventData {
  /** `arrival`: the quote the engine saw at receipt (absent when none was two-sided, or before it was journaled). */
  OrderReceived: { order: Order; arrival?: ArrivalQuote };
  OrderValidated: Record<string, never>;
  OrderDenied: { code: string; reason: string };
  /** `quote`: the quote at routing (for a held stop: at its trigger), the arrival benchmark M0. */
  OrderSubmitted: { venueId: string; venueOrderId: string; triggerPx?: Decimal; quote?: ArrivalQuote };
  /** The router split the order into child orders, one per venue; the parent follows their fills. */
  OrderSplit: { children: { orderId: string; venueId: string; qty: Decimal }[] };
  OrderAccepted: { venueOrderId: string };
  OrderRejected: { source: RejectSource; reason: string };
  OrderPartiallyFilled: FillData;
  OrderFilled: FillData;
  OrderPendingCancel: { reason?: string };
  /** A held trailing stop moved its stop price with the market. */
  OrderStopMoved: { stopPx: Decimal; marketPx: Decimal };
  OrderCancelled: { reason: string };
  OrderCancelRejected: { reason: string };
  OrderPendingReplace: { orderQty: Decimal; price: Decimal | null; stopPx: Decimal | null };
  OrderReplaced: { orderQty: Decimal; price: Decimal | null; stopPx: Decimal | null };
  OrderReplaceRejected: { reason: string };
  OrderExpired: { reason: string };
  OrderTradeBusted: TradeBustData;
  OrderTradeCorrected: TradeCorrectionData;
  /** The venue changed the order on its own (FIX ExecType D): its quantity and/or limit price now. */
  OrderRestated: { orderQty: Decimal; price: Decimal | null; reason: string };
  /**
   * A held stop reached its trigger but risk refused it for now (a halt, REDUCING, the order rate):
   * it stays held and is checked again at the next price. Journaled once per reason.
   */
  OrderTriggerDenied: { code: string; reason: string; triggerPx: Decimal };
}

export interface SystemEventData {
  /** A command or venue report that the state machine refused; recorded, never applied. */
  TransitionRefused: { event: string; from: string; reason: string };
  /** A duplicate or inconsistent venue report (over-fill, unknown order), raised to operators. */
  AlertRaised: {
    code: string;
    message: string;
    /** What the alert is about, for deduplication (a venue, a breaker, a scope); default the order or account. */
    subject?: string;
  };
  /** An alert (apps/engine/src/alerts) acknowledged: who is the actor, when is ts, with an optional note. */
  AlertAcknowledged: { alertId: string; note: string };
  /** An alert resolved: by a person ("manual", with a note) or because its condition cleared ("cleared"). */
  AlertResolved: { alertId: string; note: string; how: "manual" | "cleared" };
  /** An alert notification delivered to a webhook (one event per successful attempt). */
  AlertDelivered: { alertId: string; deliveryId: string; target: string; attempt: number; status: number; ms: number };
  /** A webhook delivery attempt that failed; `final` when no more attempts follow, else `retryInMs`. */
  AlertDeliveryFailed: {
    alertId: string;
    deliveryId: string;
    target: string;
    attempt: number;
    error: string;
    final: boolean;
    retryInMs: number | null;
  };
  /** Where the router sent an order and why: every venue considered, with its score or exclusion. */
  RouteDecided: {
    policy: string;
    reason: string;
    venueId: string | null;
    considered: { venueId: string; score: string | null; excluded: string | null }[];
    /** For a liquidity split: the quantity each venue gets as a child order. */
    legs?: { venueId: string; qty: Decimal }[];
  };
  /** A venue's health changed (UP, DEGRADED, DOWN). */
  VenueHealthChanged: { venueId: string; state: string };
  /** A user command the engine refused (cancel of a done order, a modify risk refused), with who asked. */
  CommandRefused: { command: string; code: string; reason: string };
  EngineStarted: { version: string; replayedEvents: number };
  /** A markout sample (quality/markouts.ts); the envelope's orderId is the order's. */
  MarkoutSampled: MarkoutSampledData;
  /**
   * Order numbers O<from>..O<to> may be used: committed before the first of them is handed out,
   * so a crash never lets an order id sent to a venue be given to another order after a restart.
   */
  IdBlockReserved: { from: number; to: number };
  RiskLimitsChanged: { scope: string; old: Partial<RiskLimits> | null; new: Partial<RiskLimits> };
  /** `allowReducing` (HALTED only; absent means true): orders that strictly reduce |position| still pass. */
  TradingStateChanged: { scope: string; old: TradingState; new: TradingState; reason: string; allowReducing?: boolean };
  /** The kill switch was tripped (controls/kill-switch.ts): the halt is already in force; the actions follow. */
  KillSwitchTripped: { tripId: string; scope: string; actions: KillSwitchAction[]; reason: string; allowReducing: boolean };
  /** What a trip's actions did: orders cancelled, positions flattened, and what failed. */
  KillSwitchOutcome: KillSwitchOutcomeData;
  /** One marketable order sent to flatten a position, per attempt, with what was left before it. */
  KillSwitchFlattenAttempt: {
    tripId: string;
    accountId: string;
    symbol: string;
    attempt: number;
    qty: string;
    orderId: string | null;
    result: string;
  };
  /** A reset asked for that needs a second risk user's approval (global, with REQUIRE_SECOND_APPROVAL_FOR_GLOBAL_RESET). */
  KillSwitchResetRequested: { scope: string; reason: string };
  /** A second risk user (the actor) approved another's pending reset, named by who asked and when; the KillSwitchReset follows. */
  KillSwitchResetApproved: { scope: string; requestedBy: string; requestedAt: string; reason: string };
  /** A halted scope set ACTIVE again; `requestedBy` set when a second user approved another's request. */
  KillSwitchReset: { scope: string; reason: string; requestedBy?: string };
  /**
   * A circuit breaker tripped (apps/engine/src/controls/breakers): which condition, the value and
   * threshold that fired it, the confirming readings, and the kill-switch scope and actions it tripped.
   */
  BreakerTripped: {
    breaker: string;
    condition: string;
    /** A per-symbol breaker's symbol, else null. */
    symbol: string | null;
    value: number | null;
    threshold: number;
    detail: string;
    /** The consecutive breaching readings that confirmed it (N). */
    readings: number;
    scope: string;
    actions: KillSwitchAction[];
  };
  /** A breaker's configuration set or changed (`old` null when new); replay restores configs from these. */
  BreakerConfigChanged: { name: string; old: Record<string, unknown> | null; new: Record<string, unknown> };
  /** A dead-man's switch configured (or removed: `new` null); replay restores them. */
  DeadmanConfigChanged: { id: string; old: Record<string, unknown> | null; new: Record<string, unknown> | null };
  /** A dead-man's switch fired: no heartbeat for `silentMs`; what it cancelled and halted. */
  DeadmanFired: { id: string; silentMs: number; timeoutMs: number; scope: string; ordersCancelled: number; failures: string[] };
  /** Reconciliation: our books and a source of the broker's truth differ (both views, the difference, a suggested cause). */
  BreakFound: BreakFoundData;
  /** Reconciliation: a break settled (adopted, investigated, the order settled) or gone on its own (cleared, superseded). */
  BreakResolved: { breakId: string; resolution: "adopted" | "investigated" | "settled" | "cleared" | "superseded"; note: string };
  /** A position set to the broker's view by reconciliation: an adjusting entry with who (actor) and why, never silent. */
  PositionAdjusted: {
    breakId: string | null;
    symbol: string;
    source: string;
    oldQty: Decimal;
    newQty: Decimal;
    delta: Decimal;
    reason: string;
  };
  /** A corporate action entered (risk or admin), to apply at `effectiveDate` (apps/engine/src/positions/corporate-actions.ts). */
  CorporateActionScheduled: CorporateActionTerms;
  /** A corporate action applied: the terms again (replay needs nothing else) and what it did. */
  CorporateActionApplied: CorporateActionTerms & CorporateActionResults;
  /**
   * A compensating action: the inverse applied to the positions of now (splits: the inverse ratio, cash in lieu paid
   * stays paid; dividends: perShare debited on the quantity held now; symbol changes: back to the old symbol).
   * `reason` is the reversal's; the results are the inverse's. `applied` false: it was only scheduled, now dropped.
   */
  CorporateActionReversed: { id: string; reason: string; applied: boolean } & Partial<CorporateActionTerms & CorporateActionResults>;
  /**
   * Reference data changed at runtime by an admin (apps/engine/src/reference): the row before (null when
   * new) and after, and why; the actor is who. Applied without a restart and written to the row.
   */
  ReferenceDataChanged: {
    entity: "venue" | "instrument" | "account";
    id: string;
    old: Record<string, unknown> | null;
    new: Record<string, unknown>;
    reason: string;
  };
  /**
   * Administrative actions journaled through the engine's audit door (apps/engine/src/audit/admin-events.ts,
   * which validates each shape): the actor is who acted. No engine state depends on them; replay passes them by.
   */
  /** A file exported from the console: what, which filters, how many rows, and the SHA-256 a regulator can check. */
  ExportProduced: {
    exportId: string;
    source: string;
    /** `ndjson`: CAT files journaled before they were bzip2-compressed (`bz2`, with a `meta.json` metadata file). */
    format: "csv" | "xlsx" | "pdf" | "json" | "psv" | "xml" | "ndjson" | "bz2" | "meta.json";
    fileName: string;
    filters: Record<string, unknown>;
    rows: number;
    bytes: number;
    sha256: string;
  };
  ApiKeyCreated: { keyId: string; name: string; role: string; accountIds: string[] };
  ApiKeyRevoked: { keyId: string; name: string };
  UserSignedIn: { userId: string; email: string; ip: string };
  /** `disabled`: the right password for a user an admin disabled (users.disable). */
  SignInFailed: { email: string; ip: string; outcome: "bad-password" | "unknown-account" | "blocked" | "disabled" };
  UserRoleChanged: { userId: string; email: string; old: string; new: string };
  /** A user created by an admin (users.create) or by the create-admin CLI: who, with which role; never a password. */
  UserCreated: { userId: string; email: string; name: string; role: string };
  /** A user disabled by an admin (users.disable): their sessions were ended and they can no longer sign in. */
  UserDisabled: { userId: string; email: string; role: string; sessionsRevoked: number };
  /** An execution-quality alert rule created or changed by the risk role (the rule as saved). */
  QualityAlertRuleSet: {
    ruleId: string;
    metric: string;
    venue: string | null;
    threshold: number;
    clearBelow: number;
    windowMs: number;
    minOrders: number;
    enabled: boolean;
  };
  QualityAlertRuleDeleted: { ruleId: string };
}

export type CorporateActionKind = "split" | "reverseSplit" | "cashDividend" | "symbolChange";

/** What a corporate action is: splits `ratioNew`-for-`ratioOld` (7-for-1: 7, 1); dividends `perShare`; renames `newSymbol`. */
export interface CorporateActionTerms {
  id: string;
  kind: CorporateActionKind;
  symbol: string;
  /** YYYY-MM-DD (UTC); a dividend's pay date. */
  effectiveDate: string;
  ratioNew?: Decimal;
  ratioOld?: Decimal;
  /** Price per new share fractions are paid at. */
  cashInLieuPx?: Decimal;
  perShare?: Decimal;
  newSymbol?: string;
  reason: string;
}

/** What applying (or reversing) a corporate action did. */
export interface CorporateActionResults {
  /** Per book key (account × strategy × symbol). */
  positions: {
    accountId: string;
    strategy: string | null;
    symbol: string;
    qtyBefore: Decimal;
    qtyAfter: Decimal;
    cashInLieu: Decimal;
    dividend: Decimal;
  }[];
  /** Quantity changes of the per-account positions risk reads (applied on replay from here). */
  accounts: { accountId: string; symbol: string; qtyBefore: Decimal; qtyAfter: Decimal; delta: Decimal }[];
  /** Resting orders touched: cancelled, with the replacement a trader may enter (qty × ratio, price ÷ ratio on the tick). */
  orders: {
    orderId: string;
    action: "cancel";
    suggestedQty: Decimal | null;
    suggestedPrice: Decimal | null;
    suggestedStopPx: Decimal | null;
  }[];
}

/** One reconciliation break as journaled (see apps/engine/src/positions/reconciliation). */
export interface BreakFoundData {
  breakId: string;
  /** position: quantities differ; fee: a trade's fees differ; order: an order whose fate is unknown. */
  kind: "position" | "fee" | "order";
  /** Where the broker's view came from: "venue:SIM-A", "statement:<name>". */
  source: string;
  symbol: string | null;
  orderId: string | null;
  /** Our view and theirs (a quantity, a fee amount or an order state); null where one side has nothing. */
  ours: string | null;
  theirs: string | null;
  /** theirs − ours, for quantities and fees. */
  difference: Decimal | null;
  cause: "MISSING_FILL" | "EXTERNAL_TRADE" | "FEE_DIFFERENCE" | "CORPORATE_ACTION" | "VENUE_LOST_ORDER" | "OUTCOME_UNKNOWN" | "UNEXPLAINED";
  explanation: string;
  /** Trading-state scope put in REDUCING until the break is resolved (a break found at start), if any. */
  restricts: string | null;
}

export type EventData = OrderEventData & SystemEventData;
export type EventType = keyof EventData;
export type AnyEvent = { [K in EventType]: EventEnvelope<K, EventData[K]> }[EventType];
export type OrderEvent = { [K in keyof OrderEventData]: EventEnvelope<K, OrderEventData[K]> }[keyof OrderEventData];

/** Every event type, at run time. A record keyed by `EventType`, so a type missing here (or one that is not an event) does not compile. */
const EVENT_TYPE_KEYS: Record<EventType, true> = {
  OrderReceived: true,
  OrderValidated: true,
  OrderDenied: true,
  OrderSubmitted: true,
  OrderSplit: true,
  OrderAccepted: true,
  OrderRejected: true,
  OrderPartiallyFilled: true,
  OrderFilled: true,
  OrderPendingCancel: true,
  OrderStopMoved: true,
  OrderCancelled: true,
  OrderCancelRejected: true,
  OrderPendingReplace: true,
  OrderReplaced: true,
  OrderReplaceRejected: true,
  OrderExpired: true,
  OrderTradeBusted: true,
  OrderTradeCorrected: true,
  OrderRestated: true,
  OrderTriggerDenied: true,
  TransitionRefused: true,
  AlertRaised: true,
  AlertAcknowledged: true,
  AlertResolved: true,
  AlertDelivered: true,
  AlertDeliveryFailed: true,
  RouteDecided: true,
  VenueHealthChanged: true,
  CommandRefused: true,
  EngineStarted: true,
  MarkoutSampled: true,
  IdBlockReserved: true,
  RiskLimitsChanged: true,
  TradingStateChanged: true,
  KillSwitchTripped: true,
  KillSwitchOutcome: true,
  KillSwitchFlattenAttempt: true,
  KillSwitchResetRequested: true,
  KillSwitchResetApproved: true,
  KillSwitchReset: true,
  BreakerTripped: true,
  BreakerConfigChanged: true,
  DeadmanConfigChanged: true,
  DeadmanFired: true,
  BreakFound: true,
  BreakResolved: true,
  PositionAdjusted: true,
  CorporateActionScheduled: true,
  CorporateActionApplied: true,
  CorporateActionReversed: true,
  ReferenceDataChanged: true,
  ExportProduced: true,
  ApiKeyCreated: true,
  ApiKeyRevoked: true,
  UserSignedIn: true,
  SignInFailed: true,
  UserRoleChanged: true,
  UserCreated: true,
  UserDisabled: true,
  QualityAlertRuleSet: true,
  QualityAlertRuleDeleted: true,
};
export const EVENT_TYPES = Object.keys(EVENT_TYPE_KEYS) as EventType[];

export function isOrderTransitionEvent(type: string): type is OrderTransitionEvent {
  return type !== "OrderReceived" && type.startsWith("Order");
}
