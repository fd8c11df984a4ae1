import { type Decimal, type FillFee, feeScheduleInput, money } from "@fillmore/shared";

/**
 * A venue's fee schedule (the `fees` object of its `venue.config` row). Every rate is a decimal string.
 * A fill's commission is `perShare × qty + bps × notional / 10,000` (notional = qty × px), with the
 * maker or taker rates replacing `perShare`/`bps` when the fill says which it was; the order as a
 * whole pays at least `minimumPerOrder`: its first fill is topped up to it ("minimum" fee) and later
 * fills pay only what takes the order's total past it.
 */
export interface FeeSchedule {
  currency: string;
  perShare?: Decimal;
  bps?: Decimal;
  minimumPerOrder?: Decimal;
  maker?: { perShare?: Decimal; bps?: Decimal };
  taker?: { perShare?: Decimal; bps?: Decimal };
  /** Decimal places each fee is rounded to (half-even); default 4. */
  scale?: number;
}

/** The schedule's schema is the one venue rows are checked with everywhere (packages/shared reference-data.ts). */
export const feeScheduleSchema = feeScheduleInput;

/** The schedule in a venue's config, or undefined when it has none (its fills then carry no scheduled fees). Throws on a malformed one. */
export function feeScheduleOf(venueConfig: Record<string, unknown> | undefined): FeeSchedule | undefined {
  const raw = venueConfig?.fees;
  if (raw === undefined || raw === null) return undefined;
  return feeScheduleSchema.parse(raw);
}

export interface FeeFill {
  qty: Decimal;
  px: Decimal;
  liquidity?: "maker" | "taker";
  /** Contract multiplier for notional; 1 when absent. */
  multiplier?: Decimal;
}

export interface OrderFeesSoFar {
  /** What the order's earlier fills paid under this schedule (commission + minimum), in the schedule's currency. */
  charged: Decimal;
}

/** The fees of one fill under a schedule: a "commission" line (when non-zero) and a "minimum" top-up (when due). Pure. */
export function feesFor(schedule: FeeSchedule, fill: FeeFill, orderSoFar: OrderFeesSoFar = { charged: "0" }): FillFee[] {
  const scale = schedule.scale ?? 4;
  const side = fill.liquidity ? schedule[fill.liquidity] : undefined;
  const perShare = side?.perShare ?? schedule.perShare ?? "0";
  const bps = side?.bps ?? schedule.bps ?? "0";
  const notional = money.mul(money.mul(fill.qty, fill.px), fill.multiplier ?? "1");
  const variable = money.round(money.add(money.mul(perShare, fill.qty), money.mul(money.mul(notional, bps), "0.0001")), scale);
  // Literals and concat, not push: a pushed-to array keeps room for 16 more, and the day's fills keep these lists.
  const commission: FillFee[] = money.isZero(variable)
    ? []
    : [{ amount: money.normalize(variable), currency: schedule.currency, kind: "commission" }];
  const minimum = schedule.minimumPerOrder ?? "0";
  const after = money.add(orderSoFar.charged, variable);
  if (!money.lt(after, minimum)) return commission;
  const topUp = money.normalize(money.round(money.sub(minimum, after), scale));
  return commission.concat([{ amount: topUp, currency: schedule.currency, kind: "minimum" }]);
}

/** The venue's own commission on a fill, as fee lines. */
export function reportedFees(commission: { amount: Decimal; currency: string }): FillFee[] {
  return [{ amount: money.normalize(commission.amount), currency: commission.currency, kind: "commission" }];
}

/** Fee schedules by venue id, as the engine's wiring knows them from reference data. */
export type FeeScheduleLookup = (venueId: string) => FeeSchedule | undefined;

/**
 * Where an order book's venue-report path finds the fee schedules (set by the engine's wiring; a book
 * with none books fills without scheduled fees). Keyed by the book, so engines in one process don't mix.
 */
const schedulesByBook = new WeakMap<object, FeeScheduleLookup>();

export function useFeeSchedules(book: object, lookup: FeeScheduleLookup): void {
  schedulesByBook.set(book, lookup);
}

export function feeSchedulesOf(book: object): FeeScheduleLookup | undefined {
  return schedulesByBook.get(book);
}
