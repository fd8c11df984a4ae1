import {
  type AnyEvent,
  type Clock,
  type CorporateActionResults,
  type CorporateActionTerms,
  type Decimal,
  money,
  type Order,
} from "@fillmore/shared";
import { z } from "zod";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import { CommandError, type CommandErrorCode } from "../orders/errors";
import type { OrderManager } from "../orders/order-manager";
import type { PositionBook } from "./book";
import type { LivePositions } from "./live-positions";
import type { Positions } from "./positions";

/**
 * Corporate actions: splits, reverse splits (cash in lieu), cash dividends and symbol changes.
 *
 * Scheduled by risk or admin with an effective date (a dividend's: its pay date), applied when that date
 * starts (UTC; checked at start and every minute), journaled, and reversible by a compensating action.
 *
 * Applying journals one CorporateActionApplied carrying the terms and what it did; the same event, live or
 * replayed, drives:
 * - the P&L book (LivePositions → `applyCorporateActionToBook`);
 * - the per-account quantities risk reads (`Positions.adjust` with the journaled per-account deltas);
 * Resting orders in the symbol (splits, reverse splits, symbol changes) are cancelled through the cancel
 * command with actor `corporate-action:<id>`: the venues hold the original order and have adjusted (or
 * dropped) it on their side, so we do not amend in place; the event lists each cancelled order with the
 * replacement a trader may enter (quantity × ratio, price ÷ ratio on the tick: buys down, sells up).
 * Dividends leave orders alone.
 *
 * Reversal (CorporateActionReversed) applies the inverse to the positions of now:
 * - split / reverse split: the inverse split (ratioOld-for-ratioNew, fractions at cashInLieuPx × new/old);
 *   cash in lieu the original paid stays paid (it left the account), resting orders are cancelled again;
 * - cash dividend: perShare debited back on the quantity held now (equal to the credit when unchanged);
 * - symbol change: positions move back to the old symbol; orders in the new symbol are cancelled.
 * A scheduled action not yet applied is simply dropped (`applied: false`).
 */

export type CorporateActionErrorReason =
  | "INVALID"
  | "UNKNOWN_SYMBOL"
  | "BAD_RATIO"
  | "IN_THE_PAST"
  | "DUPLICATE_ID"
  | "NOT_FOUND"
  | "ALREADY_REVERSED";

const CODE_OF: Record<CorporateActionErrorReason, CommandErrorCode> = {
  INVALID: "INVALID_INPUT",
  UNKNOWN_SYMBOL: "INVALID_INPUT",
  BAD_RATIO: "INVALID_INPUT",
  IN_THE_PAST: "INVALID_INPUT",
  DUPLICATE_ID: "INVALID_INPUT",
  NOT_FOUND: "NOT_FOUND",
  ALREADY_REVERSED: "NOT_SUPPORTED",
};

/** A refused schedule or reversal; nothing was journaled. */
export class CorporateActionError extends CommandError {
  constructor(
    readonly reason: CorporateActionErrorReason,
    message: string,
  ) {
    super(CODE_OF[reason], message, { reason });
    this.name = "CorporateActionError";
  }
}

const decimal = z.string().regex(/^\d+(\.\d+)?$/, "a non-negative decimal string");
const positiveInt = z.string().regex(/^[1-9]\d{0,8}$/, "a positive whole number");
const symbolText = z.string().min(1).max(32);

export const scheduleCorporateActionInput = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    kind: z.enum(["split", "reverseSplit", "cashDividend", "symbolChange"]),
    symbol: symbolText,
    effectiveDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD"),
    ratioNew: positiveInt.optional(),
    ratioOld: positiveInt.optional(),
    cashInLieuPx: decimal.optional(),
    perShare: decimal.optional(),
    newSymbol: symbolText.optional(),
    reason: z.string().min(1).max(500),
  })
  .strict();
export type ScheduleCorporateActionInput = z.infer<typeof scheduleCorporateActionInput>;

export type CorporateActionStatus = "scheduled" | "applied" | "reversed" | "dropped";

export interface CorporateActionView extends CorporateActionTerms {
  status: CorporateActionStatus;
  scheduledBy: string;
  scheduledAt: string;
  appliedAt: string | null;
  results: CorporateActionResults | null;
  reversedAt: string | null;
  reversedBy: string | null;
  reverseReason: string | null;
  reversal: CorporateActionResults | null;
}

export interface CorporateActionsDeps {
  journal: Journal;
  clock: Clock;
  log: Logger;
  orders: OrderManager;
  positions: Positions;
  live: LivePositions;
  instruments: ReadonlyMap<string, { tickSize: Decimal }>;
}

export class CorporateActions {
  private readonly actions = new Map<string, CorporateActionView>();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;

  constructor(private readonly deps: CorporateActionsDeps) {
    // replayed events come through the order book (non-order events are published with no order)
    deps.orders.book.onApplied((event) => this.apply(event));
  }

  list(): CorporateActionView[] {
    return [...this.actions.values()].sort((a, b) => cmp(b.scheduledAt, a.scheduledAt) || cmp(a.id, b.id));
  }

  get(id: string): CorporateActionView | undefined {
    return this.actions.get(id);
  }

  /** Validates and journals a CorporateActionScheduled; applies it at once when its date has come. */
  async schedule(input: unknown, actor: string): Promise<CorporateActionView> {
    const parsed = scheduleCorporateActionInput.safeParse(input);
    if (!parsed.success)
      throw new CorporateActionError("INVALID", parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
    const terms = this.validate(parsed.data);
    this.append({ type: "CorporateActionScheduled", orderId: null, accountId: null, actor, data: terms });
    await this.deps.journal.durable();
    await this.applyDue();
    return this.actions.get(terms.id) as CorporateActionView;
  }

  /** Reverses an applied action by a compensating one, or drops one still scheduled. */
  async reverse(id: string, reason: string, actor: string): Promise<CorporateActionView> {
    const a = this.actions.get(id);
    if (!a) throw new CorporateActionError("NOT_FOUND", `no corporate action ${id}`);
    if (!reason.trim()) throw new CorporateActionError("INVALID", "a reason is required");
    if (a.status === "reversed" || a.status === "dropped")
      throw new CorporateActionError("ALREADY_REVERSED", `${id} is already ${a.status}`);
    if (a.status === "scheduled") {
      this.append({ type: "CorporateActionReversed", orderId: null, accountId: null, actor, data: { id, reason, applied: false } });
    } else {
      const inverse = inverseTerms(a);
      const results = this.results(inverse);
      this.append({
        type: "CorporateActionReversed",
        orderId: null,
        accountId: null,
        actor,
        data: { ...terms(a), reason, applied: true, ...results },
      });
      await this.cancelOrders(id, results);
    }
    await this.deps.journal.durable();
    return this.actions.get(id) as CorporateActionView;
  }

  /** Applies every scheduled action whose effective date has started (UTC). */
  async applyDue(): Promise<number> {
    const today = this.deps.clock.nowIso().slice(0, 10);
    let n = 0;
    for (const a of this.list().reverse()) {
      if (a.status !== "scheduled" || a.effectiveDate > today) continue;
      const results = this.results(a);
      this.append({
        type: "CorporateActionApplied",
        orderId: null,
        accountId: null,
        actor: "corporate-actions",
        data: { ...terms(a), ...results },
      });
      await this.cancelOrders(a.id, results);
      n++;
    }
    if (n > 0) await this.deps.journal.durable();
    return n;
  }

  /** Due actions at start, then a check each minute. */
  start(intervalMs = 60_000): void {
    const tick = () =>
      this.applyDue().catch((error: unknown) => this.deps.log.error({ err: String(error) }, "applying corporate actions failed"));
    void tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  // ------------------------------------------------------------------ internals

  private validate(input: ScheduleCorporateActionInput): CorporateActionTerms {
    const { instruments, clock } = this.deps;
    const id = input.id ?? `CA-${clock.nowIso().slice(0, 10).replaceAll("-", "")}-${++this.seq}-${input.symbol}`;
    if (this.actions.has(id)) throw new CorporateActionError("DUPLICATE_ID", `corporate action ${id} exists`);
    if (!instruments.has(input.symbol)) throw new CorporateActionError("UNKNOWN_SYMBOL", `unknown symbol ${input.symbol}`);
    const date = new Date(`${input.effectiveDate}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== input.effectiveDate)
      throw new CorporateActionError("INVALID", `effectiveDate ${input.effectiveDate} is not a date`);
    if (input.effectiveDate < clock.nowIso().slice(0, 10))
      throw new CorporateActionError("IN_THE_PAST", `effectiveDate ${input.effectiveDate} is before today (UTC)`);
    const base = { id, kind: input.kind, symbol: input.symbol, effectiveDate: input.effectiveDate, reason: input.reason };
    const onlyFields = (allowed: string[]) => {
      for (const f of ["ratioNew", "ratioOld", "cashInLieuPx", "perShare", "newSymbol"] as const)
        if (input[f] !== undefined && !allowed.includes(f))
          throw new CorporateActionError("INVALID", `${f} does not apply to a ${input.kind}`);
    };
    if (input.kind === "split" || input.kind === "reverseSplit") {
      onlyFields(["ratioNew", "ratioOld", "cashInLieuPx"]);
      const { ratioNew: n, ratioOld: o } = input;
      if (!n || !o) throw new CorporateActionError("BAD_RATIO", "ratioNew and ratioOld are required (positive whole numbers)");
      if (input.kind === "split" && !money.gt(n, o)) throw new CorporateActionError("BAD_RATIO", "a split has ratioNew > ratioOld");
      if (input.kind === "reverseSplit" && !money.lt(n, o))
        throw new CorporateActionError("BAD_RATIO", "a reverse split has ratioNew < ratioOld");
      const fractional = BigInt(n) % BigInt(o) !== 0n;
      if (fractional && input.cashInLieuPx === undefined)
        throw new CorporateActionError("INVALID", "cashInLieuPx is required: fractions of a share are paid in cash");
      return { ...base, ratioNew: n, ratioOld: o, cashInLieuPx: input.cashInLieuPx ?? "0" };
    }
    if (input.kind === "cashDividend") {
      onlyFields(["perShare"]);
      if (!input.perShare || !money.isPositive(input.perShare))
        throw new CorporateActionError("INVALID", "perShare is required and must be positive");
      return { ...base, perShare: input.perShare };
    }
    onlyFields(["newSymbol"]);
    if (!input.newSymbol) throw new CorporateActionError("INVALID", "newSymbol is required");
    if (input.newSymbol === input.symbol) throw new CorporateActionError("INVALID", "newSymbol is the same symbol");
    if (!instruments.has(input.newSymbol))
      throw new CorporateActionError("UNKNOWN_SYMBOL", `unknown newSymbol ${input.newSymbol}: add the instrument to reference data first`);
    return { ...base, newSymbol: input.newSymbol };
  }

  /** What applying `t` to the book of now would do (the book applies the same rule when the event is applied). */
  private results(t: CorporateActionTerms): CorporateActionResults {
    const now = this.deps.clock.nowMs();
    const views = this.deps.live.book.positions(now, { symbol: t.symbol }).filter((v) => !money.isZero(v.qty));
    const out: CorporateActionResults = { positions: [], accounts: [], orders: [] };
    const deltaOf = new Map<string, Decimal>();
    for (const v of views) {
      let qtyAfter = v.qty;
      let cashInLieu = "0";
      let dividend = "0";
      if (t.kind === "split" || t.kind === "reverseSplit") {
        const s = splitQty(v.qty, t.ratioNew as string, t.ratioOld as string, t.cashInLieuPx ?? "0", v.multiplier);
        qtyAfter = s.qty;
        cashInLieu = s.cash;
        deltaOf.set(v.key.accountId, money.add(deltaOf.get(v.key.accountId) ?? "0", money.sub(qtyAfter, v.qty)));
      } else if (t.kind === "cashDividend") {
        dividend = money.mul(money.mul(v.qty, t.perShare as string), v.multiplier);
      }
      out.positions.push({ ...v.key, qtyBefore: v.qty, qtyAfter, cashInLieu, dividend });
    }
    if (t.kind === "symbolChange") {
      const to = t.newSymbol as string;
      for (const p of this.deps.positions.all()) {
        if (p.symbol !== t.symbol || money.isZero(p.qty)) continue;
        const dest = this.deps.positions.position(p.accountId, to).qty;
        out.accounts.push({ accountId: p.accountId, symbol: t.symbol, qtyBefore: p.qty, qtyAfter: "0", delta: money.neg(p.qty) });
        out.accounts.push({ accountId: p.accountId, symbol: to, qtyBefore: dest, qtyAfter: money.add(dest, p.qty), delta: p.qty });
      }
    } else {
      for (const [accountId, delta] of deltaOf) {
        if (money.isZero(delta)) continue;
        const before = this.deps.positions.position(accountId, t.symbol).qty;
        out.accounts.push({ accountId, symbol: t.symbol, qtyBefore: before, qtyAfter: money.add(before, delta), delta });
      }
    }
    if (t.kind !== "cashDividend") {
      const tick = this.deps.instruments.get(t.symbol)?.tickSize ?? "0.01";
      for (const o of this.deps.orders.working()) {
        if (o.symbol !== t.symbol || o.parentId) continue;
        out.orders.push(suggestReplacement(o, t, tick));
      }
    }
    return out;
  }

  private async cancelOrders(id: string, results: CorporateActionResults): Promise<void> {
    for (const o of results.orders) {
      try {
        await this.deps.orders.cancel(o.orderId, `corporate-action:${id}`, `corporate action ${id}`);
      } catch (error) {
        // a refused cancel is journaled by the order manager (CommandRefused); the order may have finished meanwhile
        this.deps.log.warn({ err: String(error), orderId: o.orderId, id }, "corporate action: cancel refused");
      }
    }
  }

  private append(draft: Parameters<Journal["append"]>[0]): void {
    const { event } = this.deps.journal.append(draft);
    this.apply(event);
    this.deps.live.onApplied(event, undefined);
  }

  /** State from an event, live or replayed: the list, and risk's quantities. */
  private apply(event: AnyEvent): void {
    if (event.type === "CorporateActionScheduled") {
      this.actions.set(event.data.id, {
        ...event.data,
        status: "scheduled",
        scheduledBy: event.actor,
        scheduledAt: event.ts,
        appliedAt: null,
        results: null,
        reversedAt: null,
        reversedBy: null,
        reverseReason: null,
        reversal: null,
      });
    } else if (event.type === "CorporateActionApplied") {
      const a = this.actions.get(event.data.id);
      const { positions, accounts, orders } = event.data;
      if (a) Object.assign(a, { status: "applied", appliedAt: event.ts, results: { positions, accounts, orders } });
      for (const x of accounts) this.deps.positions.adjust(x.accountId, x.symbol, x.delta);
    } else if (event.type === "CorporateActionReversed") {
      const a = this.actions.get(event.data.id);
      const r = { positions: event.data.positions ?? [], accounts: event.data.accounts ?? [], orders: event.data.orders ?? [] };
      if (a)
        Object.assign(a, {
          status: event.data.applied ? "reversed" : "dropped",
          reversedAt: event.ts,
          reversedBy: event.actor,
          reverseReason: event.data.reason,
          reversal: event.data.applied ? r : null,
        });
      for (const x of r.accounts) this.deps.positions.adjust(x.accountId, x.symbol, x.delta);
    }
  }
}

function terms(a: CorporateActionTerms): CorporateActionTerms {
  const { id, kind, symbol, effectiveDate, ratioNew, ratioOld, cashInLieuPx, perShare, newSymbol, reason } = a;
  return Object.fromEntries(
    Object.entries({ id, kind, symbol, effectiveDate, ratioNew, ratioOld, cashInLieuPx, perShare, newSymbol, reason }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as unknown as CorporateActionTerms;
}

/** The compensating terms: the inverse split, the negative dividend, the rename back. */
export function inverseTerms(t: CorporateActionTerms): CorporateActionTerms {
  if (t.kind === "split" || t.kind === "reverseSplit") {
    const n = t.ratioNew as string;
    const o = t.ratioOld as string;
    // a fraction after the inverse is paid at the original price per new share, carried back to the old share
    const px = money.normalize(money.div(money.mul(t.cashInLieuPx ?? "0", n), o, 12));
    return { ...t, kind: t.kind === "split" ? "reverseSplit" : "split", ratioNew: o, ratioOld: n, cashInLieuPx: px };
  }
  if (t.kind === "cashDividend") return { ...t, perShare: money.neg(t.perShare as string) };
  return { ...t, symbol: t.newSymbol as string, newSymbol: t.symbol };
}

/** The book's split rule (PositionBook.applySplit, unit 1): whole shares toward zero, the fraction × cashInLieuPx. */
export function splitQty(
  qty: Decimal,
  n: Decimal,
  o: Decimal,
  cashPx: Decimal,
  multiplier: Decimal = "1",
): { qty: Decimal; cash: Decimal } {
  const q = toS(qty);
  const bn = BigInt(n);
  const bo = BigInt(o);
  const whole = (q * bn) / (bo * ONE); // toward zero
  const fracNum = q * bn - whole * ONE * bo; // scale S, in old-share units × n
  const cash = fracNum === 0n ? "0" : money.normalize(money.div(money.mul(money.mul(fromS(fracNum), cashPx), multiplier), o, 12));
  return { qty: fromS(whole * ONE), cash };
}

/** The order a trader may enter after a split: qty × new/old (whole, toward zero), prices ÷ on the tick (buys down, sells up). */
export function suggestReplacement(o: Order, t: CorporateActionTerms, tick: Decimal): CorporateActionResults["orders"][number] {
  if (t.kind !== "split" && t.kind !== "reverseSplit")
    return { orderId: o.orderId, action: "cancel", suggestedQty: null, suggestedPrice: null, suggestedStopPx: null };
  const n = t.ratioNew as string;
  const o2 = t.ratioOld as string;
  const px = (p: Decimal | null) => (p === null ? null : adjustPrice(p, n, o2, tick, o.side === "Buy" ? "down" : "up"));
  const qty = (toS(o.leavesQty) * BigInt(n)) / (BigInt(o2) * ONE);
  return {
    orderId: o.orderId,
    action: "cancel",
    suggestedQty: qty > 0n ? qty.toString() : null,
    suggestedPrice: px(o.price),
    suggestedStopPx: px(o.stopPx),
  };
}

/** price × old / new, on the tick: rounded down (buys) or up (sells). 69.00 after 7-for-1 → 9.85 (buy) / 9.86 (sell). */
export function adjustPrice(price: Decimal, n: Decimal, o: Decimal, tick: Decimal, dir: "down" | "up"): Decimal {
  const num = toS(price) * BigInt(o);
  const den = toS(tick) * BigInt(n);
  let ticks = num / den;
  if (dir === "up" && num % den !== 0n) ticks += 1n;
  return fromS(ticks * toS(tick));
}

/**
 * Applies a journaled CorporateActionApplied / CorporateActionReversed to the P&L book (LivePositions calls
 * this, live and on replay). Returns the symbols whose positions changed.
 */
export function applyCorporateActionToBook(book: PositionBook, event: AnyEvent, nowMs: number): string[] {
  if (event.type === "CorporateActionApplied") return applyTerms(book, event.data, event.data.id, event.ts, nowMs);
  if (event.type === "CorporateActionReversed" && event.data.applied && event.data.kind) {
    const t = inverseTerms(event.data as CorporateActionTerms);
    return applyTerms(book, t, `${event.data.id}:reversal`, event.ts, nowMs);
  }
  return [];
}

function applyTerms(book: PositionBook, t: CorporateActionTerms, id: string, ts: string, nowMs: number): string[] {
  if (t.kind === "split" || t.kind === "reverseSplit") {
    book.applySplit({
      id,
      symbol: t.symbol,
      ratioNew: t.ratioNew as string,
      ratioOld: t.ratioOld as string,
      cashInLieuPx: t.cashInLieuPx ?? "0",
      ts,
    });
    return [t.symbol];
  }
  if (t.kind === "cashDividend") {
    book.applyDividend({ id, symbol: t.symbol, perShare: t.perShare as string, ts });
    return [t.symbol];
  }
  const to = t.newSymbol as string;
  // the position moves lot by lot at each lot's basis: zero-fee transfer fills out of the old symbol and into the new
  for (const v of book.positions(nowMs, { symbol: t.symbol })) {
    if (money.isZero(v.qty)) continue;
    v.lots.forEach((lot, i) => {
      const long = money.isPositive(lot.qty);
      const qty = money.abs(lot.qty);
      const base = {
        orderId: `corporate-action:${id}`,
        accountId: v.key.accountId,
        strategy: v.key.strategy,
        qty,
        px: lot.px,
        fees: [],
        ts,
        multiplier: v.multiplier,
        quoteCurrency: v.quoteCurrency,
      };
      const tag = `ca:${id}:${v.key.accountId}:${v.key.strategy ?? ""}:${i}`;
      book.applyFill({ ...base, fillId: `${tag}:out`, symbol: t.symbol, side: long ? "Sell" : "Buy" });
      book.applyFill({ ...base, fillId: `${tag}:in`, symbol: to, side: long ? "Buy" : "Sell" });
    });
  }
  return [t.symbol, to];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const S = 12;
const ONE = 10n ** BigInt(S);

/** A decimal string (at most 12 places) as an integer scaled by 10^12. */
function toS(d: Decimal): bigint {
  const neg = d.startsWith("-");
  const [i = "0", f = ""] = (neg ? d.slice(1) : d).split(".");
  if (f.length > S) throw new RangeError(`${d}: more than ${S} decimal places`);
  const v = BigInt(i + f.padEnd(S, "0"));
  return neg ? -v : v;
}

function fromS(v: bigint): Decimal {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const f = (a % ONE).toString().padStart(S, "0").replace(/0+$/, "");
  const text = `${a / ONE}${f ? `.${f}` : ""}`;
  return neg && text !== "0" ? `-${text}` : text;
}
