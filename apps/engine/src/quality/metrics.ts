import { type AnyEvent, type ArrivalQuote, type Decimal, type FillFee, money, type Order, SPLIT_PARENT_VENUE } from "@fillmore/shared";

/**
 * Per-order execution metrics (TCA), as a pure function of an order's journaled events and its
 * `MarkoutSampled` events. Definitions: docs/EXECUTION-QUALITY.md. Money is exact decimal strings;
 * bps are rounded half-even to 4 dp; cost figures are signed so that + is a cost for buys and sells
 * alike, except markouts (+ favourable) and price improvement (+ better).
 */

/** The markout horizons sampled after each fill, in ms. */
export const MARKOUT_HORIZONS_MS = [1_000, 5_000, 60_000] as const;
/** The execId of the sample taken at the order's end when some of it was left unfilled (P_c). */
export const CLOSE_SAMPLE_EXEC_ID = "@end";

export const BPS_PLACES = 4;

export interface Fill {
  execId: string;
  qty: Decimal;
  px: Decimal;
  ts: string;
  monoUs: number;
}

export interface MarkoutResult {
  horizonMs: number;
  /** Σq·m / Q, $/share, + favourable. Null unless every fill has its sample. */
  perShare: Decimal | null;
  /** Σq·m, $. */
  amount: Decimal | null;
  /** 10 000·Σq·m / Σq·p. */
  bps: Decimal | null;
  /** Fills with a sample at this horizon, of all fills. */
  sampled: number;
}

export interface HopLatency {
  /** received → validated → sent → acknowledged → first fill → done, ms with µs precision (monotonic). */
  receivedToValidatedMs: Decimal | null;
  validatedToSentMs: Decimal | null;
  sentToAckMs: Decimal | null;
  ackToFirstFillMs: Decimal | null;
  firstFillToDoneMs: Decimal | null;
}

export interface ExecutionMetrics {
  orderId: string;
  clOrdId: string;
  accountId: string;
  symbol: string;
  side: "Buy" | "Sell";
  orderType: string;
  /** The venue that received it; SPLIT_PARENT_VENUE (MULTI) for a split parent. */
  broker: string | null;
  strategy: string | null;
  status: string;
  decisionTime: string | null;
  submissionTime: string | null;
  firstFillTime: string | null;
  completionTime: string | null;
  /** H2: ack − submission, ms (monotonic). */
  latencyMs: Decimal | null;
  timeToFirstFillMs: Decimal | null;
  timeToCompletionMs: Decimal | null;
  hops: HopLatency;
  requestedPrice: Decimal | null;
  /** Quote at receipt (decision benchmark P_d). */
  decisionQuote: ArrivalQuote | null;
  /** Quote at submission, or at the trigger for a held stop (arrival benchmark M0, NBBO). */
  arrivalQuote: ArrivalQuote | null;
  arrivalMid: Decimal | null;
  orderQty: Decimal;
  filledQty: Decimal;
  averageFillPrice: Decimal | null;
  notional: Decimal;
  fillRate: Decimal;
  /** s(avgPx − M0), $/share, + cost. */
  slippage: Decimal | null;
  slippageBps: Decimal | null;
  slippageVsDecisionBps: Decimal | null;
  slippageVsLimit: Decimal | null;
  slippageVsLimitBps: Decimal | null;
  /** Share-weighted 2s(p − M0), $/share; null when the order was not marketable at arrival. */
  effectiveSpread: Decimal | null;
  effectiveSpreadBps: Decimal | null;
  quotedSpread: Decimal | null;
  /** Effective ÷ quoted spread. */
  effectiveOverQuoted: Decimal | null;
  priceImprovement: { improvedQty: Decimal; atQuoteQty: Decimal; outsideQty: Decimal; outsideAmount: Decimal } | null;
  markouts: MarkoutResult[];
  /** Permanent impact s(mid(t_last + 60 s) − M0), + cost. */
  permanentImpact: Decimal | null;
  permanentImpactBps: Decimal | null;
  temporaryImpactBps: Decimal | null;
  /** The customer's marketImpact: permanent impact in bps. */
  marketImpactBps: Decimal | null;
  commissions: Decimal;
  commissionsByKind: Record<string, Decimal>;
  commissionCurrency: string | null;
  implementationShortfall: {
    delay: Decimal;
    trading: Decimal;
    /** Null while unfilled quantity has no close mid yet. */
    opportunity: Decimal | null;
    fees: Decimal;
    total: Decimal | null;
    totalBps: Decimal | null;
    paperNotional: Decimal;
  } | null;
  fills: Fill[];
}

const TERMINAL: ReadonlySet<string> = new Set(["OrderFilled", "OrderCancelled", "OrderRejected", "OrderExpired", "OrderDenied"]);

const { add, sub, mul, div, sum, normalize, isZero } = money;

/** 10 000·x / R rounded to 4 dp. */
export function bps(x: Decimal, reference: Decimal): Decimal {
  return normalize(div(mul(x, "10000"), reference, BPS_PLACES));
}

function ms(fromUs: number | undefined, toUs: number | undefined): Decimal | null {
  if (fromUs === undefined || toUs === undefined) return null;
  return normalize(div(String(toUs - fromUs), "1000", 3));
}

function signed(s: Decimal, x: Decimal): Decimal {
  return normalize(mul(s, x));
}

function fixOrdType(t: string): string {
  return t.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Metrics of one order from its events (journal order), markout samples included; null if no OrderReceived. */
export function computeOrderMetrics(
  events: readonly AnyEvent[],
  options: { horizonsMs?: readonly number[] } = {},
): ExecutionMetrics | null {
  let order: Order | undefined;
  let decisionQuote: ArrivalQuote | null = null;
  let arrivalQuote: ArrivalQuote | null = null;
  let receivedUs: number | undefined;
  let decisionTime: string | null = null;
  let validatedUs: number | undefined;
  let sent: { ts: string; monoUs: number } | undefined;
  let ackUs: number | undefined;
  let done: { ts: string; monoUs: number; type: string } | undefined;
  let broker: string | null = null;
  let orderQty: Decimal = "0";
  let price: Decimal | null = null;
  let triggerPx: Decimal | null = null;
  const fills = new Map<string, Fill>();
  const fees: FillFee[] = [];
  const samples = new Map<string, Map<number, Decimal | null>>();
  for (const e of events) {
    switch (e.type) {
      case "OrderReceived":
        order = e.data.order;
        orderQty = order.orderQty;
        price = order.price;
        decisionQuote = e.data.arrival ?? null;
        receivedUs = e.monoUs;
        decisionTime = e.ts;
        break;
      case "OrderValidated":
        validatedUs ??= e.monoUs;
        break;
      case "OrderSubmitted":
        // The first send is the arrival (t_s, M0); the broker is the last venue it went to.
        if (!sent) {
          sent = { ts: e.ts, monoUs: e.monoUs };
          arrivalQuote = e.data.quote ?? null;
          triggerPx = e.data.triggerPx ?? null;
        }
        broker = e.data.venueId;
        break;
      case "OrderSplit":
        broker = SPLIT_PARENT_VENUE;
        sent ??= { ts: e.ts, monoUs: e.monoUs };
        arrivalQuote ??= decisionQuote;
        break;
      case "OrderAccepted":
        ackUs ??= e.monoUs;
        break;
      case "OrderRejected":
        ackUs ??= e.monoUs;
        break;
      case "OrderReplaced":
      case "OrderRestated":
        orderQty = e.data.orderQty;
        price = e.data.price;
        break;
      case "OrderPartiallyFilled":
      case "OrderFilled":
        fills.set(e.data.execId, { execId: e.data.execId, qty: e.data.lastQty, px: e.data.lastPx, ts: e.ts, monoUs: e.monoUs });
        for (const f of e.data.fees ?? []) fees.push(f);
        break;
      case "OrderTradeBusted":
        fills.delete(e.data.refExecId);
        break;
      case "OrderTradeCorrected": {
        const was = fills.get(e.data.refExecId);
        if (was) fills.set(e.data.refExecId, { ...was, qty: e.data.lastQty, px: e.data.lastPx });
        break;
      }
      case "MarkoutSampled": {
        const byHorizon = samples.get(e.data.execId) ?? new Map<number, Decimal | null>();
        for (const k of e.data.earlier ?? []) byHorizon.set(k.horizonMs, k.mid);
        byHorizon.set(e.data.horizonMs, e.data.mid);
        samples.set(e.data.execId, byHorizon);
        break;
      }
      default:
        break;
    }
    if (TERMINAL.has(e.type) && !done) done = { ts: e.ts, monoUs: e.monoUs, type: e.type };
  }
  if (!order) return null;

  const s = order.side === "Buy" ? "1" : "-1";
  const list = [...fills.values()].filter((f) => !isZero(f.qty));
  const Q = sum(list.map((f) => f.qty));
  const notional = sum(list.map((f) => mul(f.qty, f.px)));
  const filled = !isZero(Q);
  const avgPx = filled ? normalize(div(notional, Q, 12)) : null;
  const first = list.reduce<Fill | undefined>((a, f) => (a === undefined || f.monoUs < a.monoUs ? f : a), undefined);
  const last = list.reduce<Fill | undefined>((a, f) => (a === undefined || f.monoUs >= a.monoUs ? f : a), undefined);
  const M0 = arrivalQuote?.mid ?? null;
  const Pd = decisionQuote?.mid ?? null;

  // Arrival slippage s(avgPx − M0): exact, as notional/Q − M0 = (notional − Q·M0)/Q.
  const tradingCost = M0 ? signed(s, sub(notional, mul(Q, M0))) : null; // s·Σq(p − M0)
  const slippage = filled && M0 && tradingCost !== null ? normalize(div(tradingCost, Q, 12)) : null;
  const slippageBps = filled && M0 && tradingCost !== null ? bps(div(tradingCost, Q, 16), M0) : null;
  const slippageVsDecisionBps = filled && Pd ? bps(div(signed(s, sub(notional, mul(Q, Pd))), Q, 16), Pd) : null;
  const limit = order.ordType === "Stop" || order.ordType === "TrailingStop" ? (triggerPx ?? order.stopPx) : price;
  const slippageVsLimitRaw = filled && limit ? div(signed(s, sub(notional, mul(Q, limit))), Q, 16) : null;
  const slippageVsLimit = slippageVsLimitRaw !== null ? normalize(money.round(slippageVsLimitRaw, 12)) : null;
  const slippageVsLimitBps = slippageVsLimitRaw !== null && limit ? bps(slippageVsLimitRaw, limit) : null;

  // Effective spread and price improvement, against the arrival quote, for orders marketable there.
  const marketable =
    arrivalQuote !== null &&
    (order.ordType === "Market" ||
      order.ordType === "Stop" ||
      order.ordType === "TrailingStop" ||
      (price !== null && (order.side === "Buy" ? money.gte(price, arrivalQuote.ask) : money.lte(price, arrivalQuote.bid))));
  let effectiveSpread: Decimal | null = null;
  let effectiveSpreadBps: Decimal | null = null;
  let quotedSpread: Decimal | null = null;
  let effectiveOverQuoted: Decimal | null = null;
  let priceImprovement: ExecutionMetrics["priceImprovement"] = null;
  if (marketable && arrivalQuote && M0 && filled) {
    const twice = mul("2", signed(s, sub(notional, mul(Q, M0))));
    effectiveSpread = normalize(div(twice, Q, 12));
    effectiveSpreadBps = bps(div(twice, Q, 16), M0);
    quotedSpread = normalize(sub(arrivalQuote.ask, arrivalQuote.bid));
    effectiveOverQuoted = isZero(quotedSpread) ? null : normalize(div(div(twice, Q, 16), quotedSpread, 8));
    const quote = order.side === "Buy" ? arrivalQuote.ask : arrivalQuote.bid;
    let improvedQty = "0";
    let atQuoteQty = "0";
    let outsideQty = "0";
    let outsideAmount = "0";
    for (const f of list) {
      const better = signed(s, sub(quote, f.px)); // buy NBO − p, sell p − NBB
      if (money.isPositive(better)) improvedQty = add(improvedQty, f.qty);
      else if (isZero(better)) atQuoteQty = add(atQuoteQty, f.qty);
      else {
        outsideQty = add(outsideQty, f.qty);
        outsideAmount = add(outsideAmount, mul(f.qty, money.neg(better)));
      }
    }
    priceImprovement = {
      improvedQty: normalize(improvedQty),
      atQuoteQty: normalize(atQuoteQty),
      outsideQty: normalize(outsideQty),
      outsideAmount: normalize(outsideAmount),
    };
  }

  // Markouts m_i(h) = s(mid(t_i + h) − p_i), volume-weighted over the order's fills.
  const horizons = options.horizonsMs ?? MARKOUT_HORIZONS_MS;
  const markouts: MarkoutResult[] = horizons.map((horizonMs) => {
    let sampled = 0;
    let amount = "0";
    for (const f of list) {
      const mid = samples.get(f.execId)?.get(horizonMs);
      if (mid === undefined || mid === null) continue;
      sampled += 1;
      amount = add(amount, mul(f.qty, signed(s, sub(mid, f.px))));
    }
    const complete = filled && sampled === list.length;
    return {
      horizonMs,
      perShare: complete ? normalize(div(amount, Q, 12)) : null,
      amount: complete ? normalize(amount) : null,
      bps: complete ? bps(amount, notional) : null,
      sampled,
    };
  });

  // Measured impact: permanent s(mid(t_last + 60 s) − M0); temporary = arrival slippage − permanent.
  const lastMid = last ? samples.get(last.execId)?.get(horizons[horizons.length - 1] ?? 60_000) : undefined;
  const permanentImpact = M0 && lastMid ? signed(s, sub(lastMid, M0)) : null;
  const permanentImpactBps = permanentImpact !== null && M0 ? bps(permanentImpact, M0) : null;
  const temporaryImpactBps =
    permanentImpact !== null && M0 && tradingCost !== null && filled ? bps(sub(div(tradingCost, Q, 16), permanentImpact), M0) : null;

  const feeTotal = normalize(sum(fees.map((f) => f.amount)));
  const byKind: Record<string, Decimal> = {};
  for (const f of fees) byKind[f.kind] = normalize(add(byKind[f.kind] ?? "0", f.amount));
  const currencies = [...new Set(fees.map((f) => f.currency))];

  // Implementation shortfall against the paper portfolio X·P_d.
  let implementationShortfall: ExecutionMetrics["implementationShortfall"] = null;
  if (Pd && M0 && !isZero(orderQty)) {
    const U = sub(orderQty, Q);
    const delay = signed(s, mul(Q, sub(M0, Pd)));
    const trading = tradingCost ?? "0";
    const closeMid = samples.get(CLOSE_SAMPLE_EXEC_ID)?.get(0);
    const opportunity = isZero(U) ? "0" : done && closeMid ? signed(s, mul(U, sub(closeMid, Pd))) : null;
    const paperNotional = normalize(mul(orderQty, Pd));
    const total = opportunity === null ? null : normalize(add(add(add(delay, trading), opportunity), feeTotal));
    implementationShortfall = {
      delay: normalize(delay),
      trading: normalize(trading),
      opportunity: opportunity === null ? null : normalize(opportunity),
      fees: feeTotal,
      total,
      totalBps: total === null ? null : bps(total, paperNotional),
      paperNotional,
    };
  }

  const firstUs = first?.monoUs;
  const doneUs = done?.monoUs;
  return {
    orderId: order.orderId,
    clOrdId: order.clOrdId,
    accountId: order.accountId,
    symbol: order.symbol,
    side: order.side,
    orderType: fixOrdType(order.ordType),
    broker,
    strategy: order.strategy,
    status: done?.type ?? "Working",
    decisionTime,
    submissionTime: sent?.ts ?? null,
    firstFillTime: first?.ts ?? null,
    completionTime: done?.ts ?? null,
    latencyMs: ms(sent?.monoUs, ackUs),
    timeToFirstFillMs: ms(sent?.monoUs, firstUs),
    timeToCompletionMs: ms(sent?.monoUs, doneUs),
    hops: {
      receivedToValidatedMs: ms(receivedUs, validatedUs),
      validatedToSentMs: ms(validatedUs, sent?.monoUs),
      sentToAckMs: ms(sent?.monoUs, ackUs),
      ackToFirstFillMs: ms(ackUs, firstUs),
      firstFillToDoneMs: ms(firstUs, doneUs),
    },
    requestedPrice: order.ordType === "Market" ? null : order.ordType === "Stop" || order.ordType === "TrailingStop" ? order.stopPx : price,
    decisionQuote,
    arrivalQuote,
    arrivalMid: M0,
    orderQty: normalize(orderQty),
    filledQty: normalize(Q),
    averageFillPrice: avgPx,
    notional: normalize(notional),
    fillRate: isZero(orderQty) ? "0" : normalize(div(Q, orderQty, 8)),
    slippage,
    slippageBps,
    slippageVsDecisionBps,
    slippageVsLimit,
    slippageVsLimitBps,
    effectiveSpread,
    effectiveSpreadBps,
    quotedSpread,
    effectiveOverQuoted,
    priceImprovement,
    markouts,
    permanentImpact,
    permanentImpactBps,
    temporaryImpactBps,
    marketImpactBps: permanentImpactBps,
    commissions: feeTotal,
    commissionsByKind: byKind,
    commissionCurrency: currencies.length === 1 ? (currencies[0] ?? null) : currencies.length === 0 ? null : "MIXED",
    implementationShortfall,
    fills: list,
  };
}
