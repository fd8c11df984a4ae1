import { type BreakFoundData, type Decimal, money } from "@fillmore/shared";
import type { VenuePosition, VenueTrade } from "../../venues/adapter";

/** A break as the matcher proposes it; the component gives it an id and journals it. */
export type BreakDraft = Omit<BreakFoundData, "breakId" | "restricts"> & { accountId: string | null };
export type BreakCause = BreakFoundData["cause"];

/** Our quantity for one account (null: every account, against a venue that keeps one book) and symbol. */
export interface OurPosition {
  accountId: string | null;
  symbol: string;
  qty: Decimal;
}

/** What the matcher may use to explain a difference: the fills we booked and the orders we know. */
export interface OurEvidence {
  /** Exec ids we booked (at this source; for a statement, at any venue). */
  bookedExecIds: { has(execId: string): boolean };
  /** Whether an order id is one of ours. */
  knownOrder: (orderId: string) => boolean;
  /** Fees we booked per exec id (the sum of the fill's fees in its currency), for fee differences. */
  feeOf?: (execId: string) => Decimal | undefined;
}

const key = (accountId: string | null | undefined, symbol: string) => `${accountId ?? "*"}|${symbol}`;
const signed = (t: VenueTrade): Decimal => (t.side === "Buy" ? t.qty : money.neg(t.qty));

/**
 * Why theirs and ours may differ, from the broker's trades we did not book: trades of our own orders
 * (a fill we never saw), trades of no order of ours (an external trade), else a ratio that looks like a
 * split or consolidation (a corporate action not applied), else unexplained.
 */
export function suggestCause(input: {
  ours: Decimal;
  theirs: Decimal;
  /** Their trades we never booked, by whether the order is ours. */
  missing: readonly VenueTrade[];
  external: readonly VenueTrade[];
}): { cause: BreakCause; explanation: string } {
  const diff = money.sub(input.theirs, input.ours);
  const missingQty = money.sum(input.missing.map(signed));
  const externalQty = money.sum(input.external.map(signed));
  const ids = (ts: readonly VenueTrade[]) =>
    ts
      .slice(0, 5)
      .map((t) => `${t.execId}${t.orderId ? ` (${t.orderId})` : ""} ${t.side} ${t.qty} @ ${t.px}`)
      .join(", ") + (ts.length > 5 ? `, … ${ts.length - 5} more` : "");
  if (input.missing.length > 0 && money.eq(missingQty, diff))
    return { cause: "MISSING_FILL", explanation: `the broker has fills of our orders we never booked: ${ids(input.missing)}` };
  if (input.external.length > 0 && money.eq(externalQty, diff))
    return { cause: "EXTERNAL_TRADE", explanation: `the broker has trades of no order of ours: ${ids(input.external)}` };
  if (input.missing.length + input.external.length > 0 && money.eq(money.add(missingQty, externalQty), diff)) {
    const bigger = money.gte(money.abs(missingQty), money.abs(externalQty)) ? "MISSING_FILL" : "EXTERNAL_TRADE";
    return {
      cause: bigger,
      explanation: `fills of our orders we never booked (${ids(input.missing)}) and trades of no order of ours (${ids(input.external)})`,
    };
  }
  const ratio = splitRatio(input.ours, input.theirs);
  if (ratio) return { cause: "CORPORATE_ACTION", explanation: `theirs is ours × ${ratio}: a split or consolidation not applied?` };
  const seen = input.missing.length + input.external.length;
  return {
    cause: "UNEXPLAINED",
    explanation:
      seen > 0
        ? `the broker's unbooked trades (${ids([...input.missing, ...input.external])}) account for ${money.add(missingQty, externalQty)} of ${diff}`
        : `no trade of the broker's explains ${diff}: look for an external trade or a transfer`,
  };
}

/** "2", "7", "1/10" when theirs is ours times a whole number or divided by one (same sign); else null. */
export function splitRatio(ours: Decimal, theirs: Decimal): string | null {
  if (money.isZero(ours) || money.isZero(theirs) || money.isPositive(ours) !== money.isPositive(theirs)) return null;
  const a = money.abs(ours);
  const b = money.abs(theirs);
  if (money.gt(b, a) && money.isMultipleOf(b, a)) return money.div(b, a, 0);
  if (money.gt(a, b) && money.isMultipleOf(a, b)) return `1/${money.div(a, b, 0)}`;
  return null;
}

/**
 * Compares our positions with a source's. Every account/symbol on either side is compared (a missing
 * row is zero); each difference is a break with both views, the difference and a suggested cause.
 * Their trades with a fee that differs from the fee we booked for the same exec id are fee breaks.
 */
export function matchPositions(
  source: string,
  ours: readonly OurPosition[],
  theirs: readonly VenuePosition[],
  evidence: OurEvidence,
): BreakDraft[] {
  const rows = new Map<string, { accountId: string | null; symbol: string; ours: Decimal; theirs: Decimal; trades: VenueTrade[] }>();
  const row = (accountId: string | null, symbol: string) => {
    const k = key(accountId, symbol);
    let r = rows.get(k);
    if (!r) {
      r = { accountId, symbol, ours: "0", theirs: "0", trades: [] };
      rows.set(k, r);
    }
    return r;
  };
  for (const p of ours) {
    const r = row(p.accountId, p.symbol);
    r.ours = money.add(r.ours, p.qty);
  }
  for (const p of theirs) {
    const r = row(p.accountId ?? null, p.symbol);
    r.theirs = money.add(r.theirs, p.qty);
    r.trades.push(...(p.trades ?? []));
  }
  const breaks: BreakDraft[] = [];
  for (const r of [...rows.values()].sort((x, y) => key(x.accountId, x.symbol).localeCompare(key(y.accountId, y.symbol)))) {
    const unbooked = r.trades.filter((t) => !evidence.bookedExecIds.has(t.execId));
    if (!money.eq(r.ours, r.theirs)) {
      const missing = unbooked.filter((t) => t.orderId !== null && evidence.knownOrder(t.orderId));
      const external = unbooked.filter((t) => t.orderId === null || !evidence.knownOrder(t.orderId));
      breaks.push({
        kind: "position",
        source,
        accountId: r.accountId,
        symbol: r.symbol,
        orderId: null,
        ours: r.ours,
        theirs: r.theirs,
        difference: money.sub(r.theirs, r.ours),
        ...suggestCause({ ours: r.ours, theirs: r.theirs, missing, external }),
      });
    }
    if (!evidence.feeOf) continue;
    for (const t of r.trades) {
      if (t.fee === undefined || !evidence.bookedExecIds.has(t.execId)) continue;
      const ourFee = evidence.feeOf(t.execId) ?? "0";
      if (money.eq(ourFee, t.fee)) continue;
      breaks.push({
        kind: "fee",
        source,
        accountId: r.accountId,
        symbol: r.symbol,
        orderId: t.orderId,
        ours: ourFee,
        theirs: t.fee,
        difference: money.sub(t.fee, ourFee),
        cause: "FEE_DIFFERENCE",
        explanation: `trade ${t.execId}: the broker charged ${t.fee}, we booked ${ourFee}`,
      });
    }
  }
  return breaks;
}

/** The identity of a break across runs: the same difference found again is the same break. */
export function breakKey(b: Pick<BreakDraft, "kind" | "source" | "accountId" | "symbol" | "orderId" | "explanation">): string {
  if (b.kind === "order") return `order|${b.orderId}`;
  if (b.kind === "fee") return `fee|${b.source}|${b.accountId ?? "*"}|${b.symbol}|${b.explanation.split(":")[0]}`;
  return `position|${b.source}|${b.accountId ?? "*"}|${b.symbol}`;
}
