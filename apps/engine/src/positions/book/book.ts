/**
 * The position book: pure P&L core (no I/O, no clock). Keyed per (account, strategy|null, symbol),
 * fed by fills, busts, corrections, FX and instrument marks, cash dividends and splits. Every key keeps
 * its entries (fills and corporate actions, in arrival order, with the FX rates used when they were first
 * booked), so a bust or a correction rebuilds that key exactly from what remains.
 * Conventions: docs/POSITIONS.md. Its views and roll-ups are formatted in views.ts.
 */
import type { Decimal } from "@fillmore/shared";
import { A, abs, convert, decimalsOf, divRound, fromScaled, ONE_Q, Q, sign, toScaled } from "./scaled";
import type {
  BookConfig,
  BookFill,
  ByMethod,
  CashDividend,
  FeeAmount,
  FillLeg,
  Mark,
  MarkSource,
  PnlMethod,
  PositionKey,
  PositionView,
  Rollup,
  SessionBoundary,
  Split,
} from "./types";
import { type Figures, feeAmounts, feesOut, fmtA, type MarkSlot, positionView, rollupOf } from "./views";

const Q_IN_A = 10n ** BigInt(A - Q);

interface Lot {
  qty: bigint; // signed, scale Q
  cost: bigint; // signed, scale A
  openedBy: string;
  ts: string;
}

/** A fill whose quote currency or some fee currency is not the base currency, with the rates it was booked at. */
interface FillEntry {
  kind: "fill";
  fill: BookFill;
  /** Quote currency → base rate when first booked (null: none then). */
  rate: bigint | null;
  feeRates: (bigint | null)[];
}
interface DividendEntry {
  kind: "dividend";
  dividend: CashDividend;
  rate: bigint | null;
}
interface SplitEntry {
  kind: "split";
  split: Split;
  rate: bigint | null;
}
/** A fill all in the base currency is kept as itself (no wrapper: a replay keeps a million of them). */
type Entry = BookFill | FillEntry | DividendEntry | SplitEntry;

const fillOf = (e: Entry): BookFill | null => ("kind" in e ? (e.kind === "fill" ? e.fill : null) : e);

interface Baseline {
  realizedAvg: bigint;
  feesQuote: bigint;
  unrealizedAvg: bigint | null;
  usdRealized: ByMethod<bigint>;
  usdFees: bigint;
  usdUnrealized: ByMethod<bigint | null>;
}

export class KeyState {
  qty = 0n;
  cost = 0n;
  lots: Lot[] = [];
  head = 0;
  fifoCost = 0n;
  realizedAvg = 0n;
  realizedFifo = 0n;
  dividends = 0n;
  cashFlow = 0n;
  fees = new Map<string, bigint>();
  usdRealizedAvg = 0n;
  usdRealizedFifo = 0n;
  usdFees = 0n;
  fxPending = new Set<string>();
  lastFillTs: string | null = null;
  fillCount = 0;
  entries: Entry[] = [];
  baseline: Baseline | null = null;

  constructor(
    readonly id: string,
    readonly key: PositionKey,
    readonly quoteCurrency: string,
    readonly multiplier: Decimal,
    readonly mult: bigint,
  ) {}

  reset(): void {
    this.qty = 0n;
    this.cost = 0n;
    this.lots = [];
    this.head = 0;
    this.fifoCost = 0n;
    this.realizedAvg = 0n;
    this.realizedFifo = 0n;
    this.dividends = 0n;
    this.cashFlow = 0n;
    this.fees = new Map();
    this.usdRealizedAvg = 0n;
    this.usdRealizedFifo = 0n;
    this.usdFees = 0n;
    this.fxPending = new Set();
    this.lastFillTs = null;
    this.fillCount = 0;
  }

  openLots(): Lot[] {
    return this.head === 0 ? this.lots : this.lots.slice(this.head);
  }

  /** Consumes `c` (> 0) from the oldest lots; returns the cost basis taken out. */
  consumeLots(c: bigint): bigint {
    let removed = 0n;
    const lots = this.lots;
    while (c > 0n) {
      const lot = lots[this.head];
      if (!lot) throw new Error(`book ${this.id}: lots short of the position`);
      const lq = lot.qty < 0n ? -lot.qty : lot.qty;
      if (c >= lq) {
        removed += lot.cost;
        c -= lq;
        this.head++;
      } else {
        const part = divRound(lot.cost * c, lq);
        lot.cost -= part;
        lot.qty -= lot.qty < 0n ? -c : c;
        removed += part;
        c = 0n;
      }
    }
    if (this.head === lots.length) {
      this.lots = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > lots.length) {
      this.lots = lots.slice(this.head);
      this.head = 0;
    }
    this.fifoCost -= removed;
    return removed;
  }
}

const keyId = (accountId: string, strategy: string | null, symbol: string) => `${accountId}\u0001${strategy ?? ""}\u0001${symbol}`;
const toMs = (t: string | number): number => (typeof t === "number" ? t : Date.parse(t));
const toA = (v: Decimal): bigint => toScaled(v, Q) * Q_IN_A;

/** Apportions one fee to a fill's legs by quantity: the close leg is rounded half-even to the fee's own places (at least 2), the open leg takes the rest, so the legs sum to the fee exactly. */
export function apportionFee(fee: FeeAmount, closeQty: Decimal, fillQty: Decimal): [close: Decimal, open: Decimal] {
  const places = Math.max(2, decimalsOf(fee.amount));
  const amt = toScaled(fee.amount, Math.max(places, Q));
  const scale = Math.max(places, Q);
  const unit = 10n ** BigInt(scale - places);
  const close = divRound(amt * toScaled(closeQty), toScaled(fillQty) * unit) * unit;
  return [fromScaled(close, scale), fromScaled(amt - close, scale)];
}

interface FxSlot {
  rate: bigint;
  mark: Mark;
  tsMs: number;
}

export class PositionBook {
  private readonly keys = new Map<string, KeyState>();
  private readonly fillIndex = new Map<string, KeyState>();
  private readonly bySymbol = new Map<string, Set<KeyState>>();
  private readonly marks = new Map<string, Map<MarkSource, MarkSlot>>();
  private readonly markSourceOf = new Map<string, MarkSource>();
  private readonly fx = new Map<string, FxSlot>();
  private readonly accountMethod = new Map<string, PnlMethod>();
  private readonly cfg: Required<BookConfig>;
  /** What the last applied fill closed and realized (read by fillLegs). */
  private readonly last = { closeQty: 0n, rAvg: 0n, rFifo: 0n };

  constructor(config: BookConfig) {
    this.cfg = {
      markMaxAgeMs: config.markMaxAgeMs,
      fxMaxAgeMs: config.fxMaxAgeMs ?? config.markMaxAgeMs,
      markSource: config.markSource ?? "mid",
      defaultMethod: config.defaultMethod ?? "avgCost",
      baseCurrency: config.baseCurrency ?? "USD",
    };
  }

  get baseCurrency(): string {
    return this.cfg.baseCurrency;
  }

  // ---------------------------------------------------------------- fills

  /** Books a fill. Returns false (and changes nothing) if a fill with this id is already booked. */
  applyFill(fill: BookFill): boolean {
    if (this.fillIndex.has(fill.fillId)) return false;
    const isNew = !this.keys.has(keyId(fill.accountId, fill.strategy, fill.symbol));
    const st = this.stateFor(fill);
    const entry = this.entryOf(fill);
    try {
      // throws before anything is changed if the fill is malformed
      if (entry === fill) this.applyFillEntry(st, fill, ONE_Q, null);
      else this.applyFillEntry(st, fill, (entry as FillEntry).rate, (entry as FillEntry).feeRates);
    } catch (err) {
      if (isNew) {
        this.keys.delete(st.id);
        this.bySymbol.get(fill.symbol)?.delete(st);
      }
      throw err;
    }
    st.entries.push(entry);
    this.fillIndex.set(fill.fillId, st);
    return true;
  }

  /** A trade bust: the fill is taken out and its key rebuilt from what remains. False if unknown. */
  bustFill(fillId: string): boolean {
    const st = this.fillIndex.get(fillId);
    if (!st) return false;
    st.entries = st.entries.filter((e) => fillOf(e)?.fillId !== fillId);
    this.fillIndex.delete(fillId);
    this.rebuild(st);
    return true;
  }

  /** A trade correction: the fill's qty/px (and fees, if given) are replaced in place and its key rebuilt. False if unknown. */
  correctFill(fillId: string, change: { qty: Decimal; px: Decimal; fees?: readonly FeeAmount[] }): boolean {
    const st = this.fillIndex.get(fillId);
    if (!st) return false;
    const i = st.entries.findIndex((e) => fillOf(e)?.fillId === fillId);
    const oldEntry = st.entries[i] as BookFill | FillEntry;
    const old: FillEntry =
      "kind" in oldEntry ? oldEntry : { kind: "fill", fill: oldEntry, rate: ONE_Q, feeRates: oldEntry.fees.map(() => ONE_Q) };
    const fill: BookFill = { ...old.fill, qty: change.qty, px: change.px, fees: change.fees ?? old.fill.fees };
    const feeRates = change.fees
      ? fill.fees.map((f, j) => (f.currency === old.fill.fees[j]?.currency ? (old.feeRates[j] ?? null) : this.rateOf(f.currency)))
      : old.feeRates;
    const previous = st.entries.slice();
    const base = this.cfg.baseCurrency;
    const plain =
      old.rate === ONE_Q && fill.quoteCurrency === base && fill.fees.every((f, j) => f.currency === base && feeRates[j] === ONE_Q);
    st.entries[i] = plain ? fill : { ...old, fill, feeRates };
    try {
      this.rebuild(st);
    } catch (err) {
      st.entries = previous;
      this.rebuild(st);
      throw err;
    }
    return true;
  }

  /** The legs of a booked fill (a fill crossing zero has a close and an open leg), fees apportioned by quantity. */
  fillLegs(fillId: string): FillLeg[] | undefined {
    const st = this.fillIndex.get(fillId);
    if (!st) return undefined;
    // replay the key up to this fill on a scratch state: what the fill closed and realized
    const scratch = new KeyState(st.id, st.key, st.quoteCurrency, st.multiplier, st.mult);
    let f: BookFill | null = null;
    for (const x of st.entries) {
      this.applyEntry(scratch, x);
      f = fillOf(x);
      if (f?.fillId === fillId) break;
    }
    if (!f) return undefined;
    const e = { closeQty: this.last.closeQty, realizedAvg: this.last.rAvg, realizedFifo: this.last.rFifo };
    const qty = toScaled(f.qty);
    const closeQty = fromScaled(e.closeQty, Q);
    const legs: FillLeg[] = [];
    if (e.closeQty === 0n) return [{ kind: "open", qty: f.qty, px: f.px, fees: feeAmounts(f.fees) }];
    const split = f.fees.map((fee) => apportionFee(fee, closeQty, f.qty));
    legs.push({
      kind: "close",
      qty: closeQty,
      px: f.px,
      fees: f.fees.map((fee, i) => ({ amount: split[i]?.[0] ?? "0", currency: fee.currency })),
      realizedBy: { avgCost: fmtA(e.realizedAvg), fifo: fmtA(e.realizedFifo) },
    });
    if (e.closeQty < qty) {
      legs.push({
        kind: "open",
        qty: fromScaled(qty - e.closeQty, Q),
        px: f.px,
        fees: f.fees.map((fee, i) => ({ amount: split[i]?.[1] ?? "0", currency: fee.currency })),
      });
    }
    return legs;
  }

  // ---------------------------------------------------------------- corporate actions

  /** Cash dividend on its pay date: qty × perShare × multiplier to every key of the symbol, into `dividends` and realized (both methods). */
  applyDividend(d: CashDividend): void {
    toScaled(d.perShare);
    for (const st of this.bySymbol.get(d.symbol) ?? []) {
      const entry: DividendEntry = { kind: "dividend", dividend: d, rate: this.rateOf(st.quoteCurrency) };
      this.applyDividendEntry(st, entry);
      st.entries.push(entry);
    }
  }

  /** Split or reverse split of every key of the symbol; fractions below `unit` paid as cash in lieu (see Split). */
  applySplit(s: Split): void {
    const n = toScaled(s.ratioNew);
    const o = toScaled(s.ratioOld);
    if (n <= 0n || o <= 0n) throw new RangeError("split ratios must be positive");
    if (s.cashInLieuPx === undefined) throw new RangeError("a split needs cashInLieuPx (the price fractions are paid at)");
    toScaled(s.cashInLieuPx);
    if (s.unit !== undefined && toScaled(s.unit) <= 0n) throw new RangeError("split unit must be positive");
    for (const st of this.bySymbol.get(s.symbol) ?? []) {
      const entry: SplitEntry = { kind: "split", split: s, rate: this.rateOf(st.quoteCurrency) };
      this.applySplitEntry(st, entry);
      st.entries.push(entry);
    }
  }

  // ---------------------------------------------------------------- marks, FX, settings

  /** An instrument mark; kept per source, the symbol's selected source (default config.markSource) values it. */
  setMark(symbol: string, mark: Mark): void {
    let slots = this.marks.get(symbol);
    if (!slots) {
      slots = new Map();
      this.marks.set(symbol, slots);
    }
    slots.set(mark.source, { mark: { ...mark }, px: toScaled(mark.px), tsMs: toMs(mark.ts) });
  }

  setMarkSource(symbol: string, source: MarkSource): void {
    this.markSourceOf.set(symbol, source);
  }

  /**
   * An FX mark: "EURUSD" (rate of EUR), "USDJPY" (JPY, inverted, half-even to 12 places) or a bare
   * currency "EUR" (its rate in the base currency). Amounts realized while a currency had no rate are
   * converted at the first rate that arrives (their keys are rebuilt with it).
   */
  setFxMark(pair: string, mark: Mark): void {
    const base = this.cfg.baseCurrency;
    const px = toScaled(mark.px);
    if (px <= 0n) throw new RangeError("FX rate must be positive");
    let ccy: string;
    let rate: bigint;
    if (pair.length === 3) [ccy, rate] = [pair, px];
    else if (pair.length === 6 && pair.endsWith(base)) [ccy, rate] = [pair.slice(0, 3), px];
    else if (pair.length === 6 && pair.startsWith(base)) [ccy, rate] = [pair.slice(3), divRound(ONE_Q * ONE_Q, px)];
    else throw new RangeError(`FX pair ${pair} does not involve ${base}`);
    if (ccy === base) return;
    this.fx.set(ccy, { rate, mark: { ...mark }, tsMs: toMs(mark.ts) });
    for (const st of this.keys.values()) {
      if (!st.fxPending.has(ccy)) continue;
      for (const e of st.entries) {
        if (!("kind" in e)) continue; // all in the base currency
        if (e.kind === "fill") {
          if (e.rate === null && e.fill.quoteCurrency === ccy) e.rate = rate;
          e.fill.fees.forEach((f, i) => {
            if (e.feeRates[i] === null && f.currency === ccy) e.feeRates[i] = rate;
          });
        } else if (e.rate === null && st.quoteCurrency === ccy) e.rate = rate;
      }
      this.rebuild(st);
    }
  }

  setAccountMethod(accountId: string, method: PnlMethod): void {
    this.accountMethod.set(accountId, method);
  }

  methodOf(accountId: string): PnlMethod {
    return this.accountMethod.get(accountId) ?? this.cfg.defaultMethod;
  }

  // ---------------------------------------------------------------- session

  /** Closes the session: each key's realized, fees and unrealized at the boundary's marks become the base of daily P&L. */
  rollSession(boundary: SessionBoundary): void {
    const fxAt = new Map<string, bigint>();
    for (const [k, v] of Object.entries(boundary.fx ?? {})) {
      const px = toScaled(v);
      const base = this.cfg.baseCurrency;
      if (k.length === 3) fxAt.set(k, px);
      else if (k.endsWith(base)) fxAt.set(k.slice(0, 3), px);
      else if (k.startsWith(base)) fxAt.set(k.slice(3), divRound(ONE_Q * ONE_Q, px));
    }
    for (const st of this.keys.values()) {
      const bpx = boundary.marks[st.key.symbol];
      const px = bpx !== undefined ? toScaled(bpx) : (this.slotOf(st.key.symbol)?.px ?? null);
      const rate =
        st.quoteCurrency === this.cfg.baseCurrency ? ONE_Q : (fxAt.get(st.quoteCurrency) ?? this.fx.get(st.quoteCurrency)?.rate ?? null);
      const mtm = st.qty === 0n ? 0n : px === null ? null : st.qty * px * st.mult;
      const uAvg = mtm === null ? null : mtm - st.cost;
      const uFifo = mtm === null ? null : mtm - st.fifoCost;
      st.baseline = {
        realizedAvg: st.realizedAvg,
        feesQuote: st.fees.get(st.quoteCurrency) ?? 0n,
        unrealizedAvg: uAvg,
        usdRealized: { avgCost: st.usdRealizedAvg, fifo: st.usdRealizedFifo },
        usdFees: st.usdFees,
        usdUnrealized: {
          avgCost: uAvg === null || rate === null ? null : convert(uAvg, rate),
          fifo: uFifo === null || rate === null ? null : convert(uFifo, rate),
        },
      };
    }
  }

  // ---------------------------------------------------------------- reads

  keyList(): PositionKey[] {
    return [...this.keys.values()].map((s) => ({ ...s.key }));
  }

  /**
   * One position now. `lots: false` leaves its open lots out (`lots` is empty): they are formatted one
   * by one, so a position built from thousands of fills costs thousands of conversions with them.
   */
  position(key: PositionKey, now: string | number, options: { lots?: boolean } = {}): PositionView | undefined {
    const st = this.keys.get(keyId(key.accountId, key.strategy, key.symbol));
    return st ? positionView(this.figures(st, toMs(now)), options.lots ?? true) : undefined;
  }

  positions(now: string | number, filter: Partial<PositionKey> = {}): PositionView[] {
    const t = toMs(now);
    const out: PositionView[] = [];
    for (const st of this.keys.values()) if (matches(st.key, filter)) out.push(positionView(this.figures(st, t)));
    return out;
  }

  /**
   * Roll-ups in the base currency: per account, per strategy (across accounts), per account × strategy,
   * or firm-wide. Each account's keys use that account's method. Figures that leave something out
   * (missing mark, missing FX) set `incomplete` and list what.
   */
  rollup(groupBy: "account" | "strategy" | "accountStrategy" | "firm", now: string | number, filter: Partial<PositionKey> = {}): Rollup[] {
    const t = toMs(now);
    const groups = new Map<string, { group: Rollup["group"]; figs: Figures[] }>();
    for (const st of this.keys.values()) {
      if (!matches(st.key, filter)) continue;
      const group: Rollup["group"] =
        groupBy === "account"
          ? { accountId: st.key.accountId }
          : groupBy === "strategy"
            ? { strategy: st.key.strategy }
            : groupBy === "accountStrategy"
              ? { accountId: st.key.accountId, strategy: st.key.strategy }
              : {};
      const id = JSON.stringify(group);
      let g = groups.get(id);
      if (!g) {
        g = { group, figs: [] };
        groups.set(id, g);
      }
      g.figs.push(this.figures(st, t));
    }
    return [...groups.values()].map(({ group, figs }) => rollupOf(group, figs, this.cfg.baseCurrency));
  }

  /** The account's position per symbol = the sum of its strategy books (what reconciles with a broker). */
  accountPositions(accountId: string): { symbol: string; qty: Decimal; cashFlow: Decimal; fees: Record<string, Decimal> }[] {
    const bySym = new Map<string, { qty: bigint; cash: bigint; fees: Map<string, bigint> }>();
    for (const st of this.keys.values()) {
      if (st.key.accountId !== accountId) continue;
      const a = bySym.get(st.key.symbol) ?? { qty: 0n, cash: 0n, fees: new Map<string, bigint>() };
      a.qty += st.qty;
      a.cash += st.cashFlow;
      for (const [c, v] of st.fees) a.fees.set(c, (a.fees.get(c) ?? 0n) + v);
      bySym.set(st.key.symbol, a);
    }
    return [...bySym.entries()]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([symbol, a]) => ({ symbol, qty: fromScaled(a.qty, Q), cashFlow: fmtA(a.cash), fees: feesOut(a.fees) }));
  }

  /** Every booked fill of a key, in booking order (for a position's detail page). */
  fillsOf(key: PositionKey): BookFill[] {
    const st = this.keys.get(keyId(key.accountId, key.strategy, key.symbol));
    if (!st) return [];
    const out: BookFill[] = [];
    for (const e of st.entries) {
      const f = fillOf(e);
      if (f) out.push(f);
    }
    return out;
  }

  get fillCount(): number {
    return this.fillIndex.size;
  }

  // ---------------------------------------------------------------- internals

  private stateFor(fill: BookFill): KeyState {
    const id = keyId(fill.accountId, fill.strategy, fill.symbol);
    let st = this.keys.get(id);
    const multiplier = fill.multiplier ?? "1";
    if (!st) {
      const mult = toScaled(multiplier);
      if (mult <= 0n) throw new RangeError(`fill ${fill.fillId}: multiplier must be positive`);
      st = new KeyState(
        id,
        { accountId: fill.accountId, strategy: fill.strategy, symbol: fill.symbol },
        fill.quoteCurrency,
        multiplier,
        mult,
      );
      this.keys.set(id, st);
      let set = this.bySymbol.get(fill.symbol);
      if (!set) {
        set = new Set();
        this.bySymbol.set(fill.symbol, set);
      }
      set.add(st);
    } else {
      if (st.quoteCurrency !== fill.quoteCurrency)
        throw new RangeError(`fill ${fill.fillId}: quote currency ${fill.quoteCurrency}, the position's is ${st.quoteCurrency}`);
      if (multiplier !== st.multiplier && toScaled(multiplier) !== st.mult)
        throw new RangeError(`fill ${fill.fillId}: multiplier ${multiplier}, the position's is ${st.multiplier}`);
    }
    return st;
  }

  private rateOf(ccy: string): bigint | null {
    return ccy === this.cfg.baseCurrency ? ONE_Q : (this.fx.get(ccy)?.rate ?? null);
  }

  private rebuild(st: KeyState): void {
    st.reset();
    for (const e of st.entries) this.applyEntry(st, e);
  }

  private applyEntry(st: KeyState, e: Entry): void {
    if (!("kind" in e)) this.applyFillEntry(st, e, ONE_Q, null);
    else if (e.kind === "fill") this.applyFillEntry(st, e.fill, e.rate, e.feeRates);
    else if (e.kind === "dividend") this.applyDividendEntry(st, e);
    else this.applySplitEntry(st, e);
  }

  /** The fill itself when it is all in the base currency; otherwise a wrapper with the rates of now. */
  private entryOf(fill: BookFill): Entry {
    const base = this.cfg.baseCurrency;
    let plain = fill.quoteCurrency === base;
    for (let i = 0; plain && i < fill.fees.length; i++) plain = (fill.fees[i] as FeeAmount).currency === base;
    if (plain) return fill;
    return { kind: "fill", fill, rate: this.rateOf(fill.quoteCurrency), feeRates: fill.fees.map((f) => this.rateOf(f.currency)) };
  }

  private credit(st: KeyState, rate: bigint | null, avg: bigint, fifo: bigint): void {
    if (avg === 0n && fifo === 0n) return;
    if (rate === null) {
      st.fxPending.add(st.quoteCurrency);
      return;
    }
    st.usdRealizedAvg += convert(avg, rate);
    st.usdRealizedFifo += convert(fifo, rate);
  }

  /** The hot path: one fill into one key. Validates before it mutates. */
  private applyFillEntry(st: KeyState, f: BookFill, rate: bigint | null, feeRates: (bigint | null)[] | null): void {
    const qty = toScaled(f.qty);
    const px = toScaled(f.px);
    if (qty <= 0n) throw new RangeError(`fill ${f.fillId}: qty must be positive`);
    if (px < 0n) throw new RangeError(`fill ${f.fillId}: px must not be negative`);
    if (f.side !== "Buy" && f.side !== "Sell") throw new RangeError(`fill ${f.fillId}: side ${String(f.side)}`);
    const nFees = f.fees.length;
    for (let i = 0; i < nFees; i++) toScaled((f.fees[i] as FeeAmount).amount); // validate before mutating
    const buy = f.side === "Buy";
    const pxm = st.mult === ONE_Q ? px * ONE_Q : px * st.mult; // scale 2Q
    let rest = qty;
    let closeQty = 0n;
    let rAvg = 0n;
    let rFifo = 0n;
    if (st.qty !== 0n && st.qty > 0n !== buy) {
      const absQ = st.qty < 0n ? -st.qty : st.qty;
      closeQty = rest < absQ ? rest : absQ;
      // sign(q) · closed · px · multiplier: a sell closes a long (+), a buy closes a short (−)
      const closeCash = buy ? -(closeQty * pxm) : closeQty * pxm;
      const removed = closeQty === absQ ? st.cost : divRound(st.cost * closeQty, absQ);
      rAvg = closeCash - removed;
      st.cost -= removed;
      st.qty = buy ? st.qty + closeQty : st.qty - closeQty;
      rFifo = closeCash - st.consumeLots(closeQty);
      rest -= closeQty;
    }
    if (rest > 0n) {
      const signed = buy ? rest : -rest;
      const amount = signed * pxm;
      st.qty += signed;
      st.cost += amount;
      st.fifoCost += amount;
      st.lots.push({ qty: signed, cost: amount, openedBy: f.fillId, ts: f.ts });
    }
    const notional = qty * pxm;
    st.cashFlow = buy ? st.cashFlow - notional : st.cashFlow + notional;
    if (rAvg !== 0n || rFifo !== 0n) {
      st.realizedAvg += rAvg;
      st.realizedFifo += rFifo;
      this.credit(st, rate, rAvg, rFifo);
    }
    for (let i = 0; i < nFees; i++) {
      const fee = f.fees[i] as FeeAmount;
      const amt = toA(fee.amount);
      if (amt === 0n) continue;
      st.fees.set(fee.currency, (st.fees.get(fee.currency) ?? 0n) + amt);
      const r = feeRates === null ? ONE_Q : (feeRates[i] ?? null);
      if (r === null) st.fxPending.add(fee.currency);
      else st.usdFees += convert(amt, r);
    }
    st.lastFillTs = f.ts;
    st.fillCount++;
    this.last.closeQty = closeQty;
    this.last.rAvg = rAvg;
    this.last.rFifo = rFifo;
  }

  private applyDividendEntry(st: KeyState, e: DividendEntry): void {
    const amount = st.qty * toScaled(e.dividend.perShare) * st.mult; // scale 3Q = A
    st.dividends += amount;
    st.realizedAvg += amount;
    st.realizedFifo += amount;
    st.cashFlow += amount;
    this.credit(st, e.rate, amount, amount);
  }

  private applySplitEntry(st: KeyState, e: SplitEntry): void {
    if (st.qty === 0n) return;
    const sp = e.split;
    const n = toScaled(sp.ratioNew);
    const o = toScaled(sp.ratioOld);
    const unit = toScaled(sp.unit ?? "1");
    const cashPx = toScaled(sp.cashInLieuPx ?? "0");
    const q = st.qty;
    const sq = sign(q);
    // whole units after the split, toward zero
    const units = (abs(q) * n) / (o * unit);
    const newQty = sq * units * unit;
    // fraction in new shares = (q·n − newQty·o) / o   (scale Q after dividing by o)
    const fracNum = q * n - newQty * o; // scale 2Q
    const cash = fracNum === 0n ? 0n : divRound(fracNum * cashPx * st.mult, o); // scale A
    // average cost: the fraction takes its share of the basis
    const basisAvg = fracNum === 0n ? 0n : divRound(st.cost * fracNum, q * n);
    st.realizedAvg += cash - basisAvg;
    st.cost -= basisAvg;
    st.qty = newQty;
    // FIFO. When the kept quantity is an exact number of old shares (always, for whole-share ratios), the
    // fraction leaves the oldest lots before scaling, at exact basis; otherwise the lots are scaled first and
    // the (rounded) fraction leaves them after. Lots are scaled half-even to 12 places, the newest lot
    // absorbing the rounding so that the lots sum to the position exactly.
    let basisFifo = 0n;
    const keepOld2 = newQty * o; // scale 2Q
    const exactOld = keepOld2 % n === 0n;
    if (exactOld) {
      const removeOld = abs(q - keepOld2 / n);
      if (removeOld !== 0n) basisFifo = st.consumeLots(removeOld);
    }
    const target = exactOld ? newQty : divRound(q * n, o);
    const lots = st.openLots().map((l) => ({ ...l, qty: divRound(l.qty * n, o) }));
    let sumOthers = 0n;
    for (let i = 0; i < lots.length - 1; i++) sumOthers += (lots[i] as Lot).qty;
    const last = lots[lots.length - 1];
    if (last) last.qty = target - sumOthers;
    st.lots = lots;
    st.head = 0;
    if (!exactOld) {
      const toRemove = abs(target - newQty);
      if (toRemove !== 0n) basisFifo = st.consumeLots(toRemove);
    }
    st.realizedFifo += cash - basisFifo;
    st.cashFlow += cash;
    this.credit(st, e.rate, cash - basisAvg, cash - basisFifo);
  }

  private slotOf(symbol: string): MarkSlot | null {
    const source = this.markSourceOf.get(symbol) ?? this.cfg.markSource;
    return this.marks.get(symbol)?.get(source) ?? null;
  }

  private figures(st: KeyState, now: number): Figures {
    const method = this.methodOf(st.key.accountId);
    const slot = this.slotOf(st.key.symbol);
    const markStale = slot !== null && now - slot.tsMs > this.cfg.markMaxAgeMs;
    const mtm = st.qty === 0n ? 0n : slot === null ? null : st.qty * slot.px * st.mult;
    const unrealizedAvg = mtm === null ? null : mtm - st.cost;
    const unrealizedFifo = mtm === null ? null : mtm - st.fifoCost;
    const notional = st.qty === 0n ? 0n : mtm;
    const feesQuote = st.fees.get(st.quoteCurrency) ?? 0n;
    const b = st.baseline;
    const daily =
      unrealizedAvg === null || (b !== null && b.unrealizedAvg === null)
        ? null
        : st.realizedAvg - (b?.realizedAvg ?? 0n) + unrealizedAvg - (b?.unrealizedAvg ?? 0n) - (feesQuote - (b?.feesQuote ?? 0n));
    const base = st.quoteCurrency === this.cfg.baseCurrency;
    const fxSlot = base ? null : (this.fx.get(st.quoteCurrency) ?? null);
    const rate = base ? ONE_Q : (fxSlot?.rate ?? null);
    const fxStale = fxSlot !== null && now - fxSlot.tsMs > this.cfg.fxMaxAgeMs;
    const usdUnrealized = {
      avgCost: unrealizedAvg === null || rate === null ? null : convert(unrealizedAvg, rate),
      fifo: unrealizedFifo === null || rate === null ? null : convert(unrealizedFifo, rate),
    };
    const u = usdUnrealized[method];
    const bu = b ? b.usdUnrealized[method] : 0n;
    const usdRealized = method === "avgCost" ? st.usdRealizedAvg : st.usdRealizedFifo;
    const usdDaily =
      u === null || bu === null ? null : usdRealized - (b ? b.usdRealized[method] : 0n) + u - bu - (st.usdFees - (b?.usdFees ?? 0n));
    return {
      st,
      now,
      method,
      slot,
      markStale,
      unrealizedAvg,
      unrealizedFifo,
      notional,
      feesQuote,
      daily,
      rate,
      fxStale,
      usdUnrealized,
      usdDaily,
    };
  }
}

function matches(key: PositionKey, f: Partial<PositionKey>): boolean {
  return (
    (f.accountId === undefined || f.accountId === key.accountId) &&
    (f.strategy === undefined || f.strategy === key.strategy) &&
    (f.symbol === undefined || f.symbol === key.symbol)
  );
}
