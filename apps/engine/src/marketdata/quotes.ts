import { type Decimal, money } from "@fillmore/shared";

export interface Quote {
  symbol: string;
  bid: Decimal;
  ask: Decimal;
  last: Decimal;
  ts: number;
}

export interface InstrumentRef {
  symbol: string;
  tickSize: Decimal;
  lotSize: Decimal;
  refPrice: Decimal;
}

type QuoteListener = (quote: Quote) => void;

/**
 * Simulated quotes: each symbol's mid follows a random walk in whole ticks, with a spread of
 * one to three ticks. Seeded, so a test can replay the same prices.
 */
export class RandomWalkFeed {
  private readonly quotes = new Map<string, Quote>();
  private readonly listeners: QuoteListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private state: number;
  private readonly instruments: InstrumentRef[];

  constructor(
    instruments: readonly InstrumentRef[],
    private readonly tickMs: number,
    seed = 42,
  ) {
    this.state = seed >>> 0 || 1;
    this.instruments = [...instruments];
    for (const i of instruments) this.quotes.set(i.symbol, this.makeQuote(i, i.refPrice));
  }

  /**
   * An instrument added or changed at runtime (reference/service.ts): quoted at once around its
   * reference price when it is new or its reference price changed, so risk's price collar has a price.
   */
  upsertInstrument(instrument: InstrumentRef): void {
    const at = this.instruments.findIndex((i) => i.symbol === instrument.symbol);
    const before = at >= 0 ? this.instruments[at] : undefined;
    if (at >= 0) this.instruments[at] = instrument;
    else this.instruments.push(instrument);
    if (before && before.refPrice === instrument.refPrice && before.tickSize === instrument.tickSize) return;
    const quote = this.makeQuote(instrument, instrument.refPrice);
    this.quotes.set(instrument.symbol, quote);
    for (const listener of this.listeners) listener(quote);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  quote(symbol: string): Quote | undefined {
    return this.quotes.get(symbol);
  }

  all(): Quote[] {
    return [...this.quotes.values()];
  }

  onQuote(listener: QuoteListener): void {
    this.listeners.push(listener);
  }

  /** Moves every symbol one step; exposed so tests can drive prices without timers. */
  step(): void {
    for (const instrument of this.instruments) {
      const current = this.quotes.get(instrument.symbol);
      if (!current) continue;
      const mid = money.div(money.add(current.bid, current.ask), "2", 10);
      const ticks = Math.round(this.gaussian() * 2);
      let next = money.roundToStep(money.add(mid, money.mul(String(ticks), instrument.tickSize)), instrument.tickSize);
      const floor = money.mul(instrument.tickSize, "10");
      if (money.lt(next, floor)) next = floor;
      const quote = this.makeQuote(instrument, next);
      this.quotes.set(instrument.symbol, quote);
      for (const listener of this.listeners) listener(quote);
    }
  }

  private makeQuote(instrument: InstrumentRef, mid: Decimal): Quote {
    const halfSpreadTicks = 1 + Math.floor(this.random() * 2);
    const half = money.mul(String(halfSpreadTicks), instrument.tickSize);
    const bid = money.roundToStep(money.sub(mid, half), instrument.tickSize);
    const ask = money.roundToStep(money.add(mid, half), instrument.tickSize);
    return { symbol: instrument.symbol, bid, ask, last: money.roundToStep(mid, instrument.tickSize), ts: Date.now() };
  }

  private random(): number {
    // xorshift32: small, fast, seedable
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }

  private gaussian(): number {
    const u = Math.max(this.random(), 1e-12);
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
