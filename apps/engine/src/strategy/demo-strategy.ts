import { money, type Order, type SubmitOrder } from "@fillmore/shared";
import type { Logger } from "../log";
import type { Quote } from "../marketdata/quotes";
import type { Instrument } from "../reference";

export interface DemoStrategyDeps {
  instruments: readonly Instrument[];
  accounts: readonly string[];
  quote: (symbol: string) => Quote | undefined;
  submit: (order: SubmitOrder) => Promise<unknown>;
  cancel: (orderId: string) => Promise<unknown>;
  working: () => Order[];
  log: Logger;
  ordersPerSecond: number;
  /** Venues that get some limit orders directed to them, so a venue the router rarely picks (the demo's FIX venue) trades too. */
  directedVenues?: readonly string[];
}

/**
 * Keeps the demo blotter alive: posts passive and marketable limit orders and the odd market
 * order around the simulated mid, and cancels stale resting orders.
 */
export class DemoStrategy {
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;

  constructor(private readonly deps: DemoStrategyDeps) {}

  start(): void {
    if (this.timer || this.deps.ordersPerSecond <= 0) return;
    this.timer = setInterval(() => void this.tick(), Math.max(20, 1000 / this.deps.ordersPerSecond));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    try {
      this.counter += 1;
      const mine = this.deps.working().filter((o) => o.strategy === "demo" && o.ordStatus !== "PendingCancel");
      if (mine.length > 12 || (mine.length > 0 && Math.random() < 0.2)) {
        const oldest = mine.reduce((a, b) => (a.createdAt < b.createdAt ? a : b));
        await this.deps.cancel(oldest.orderId);
        return;
      }
      const order = this.nextOrder();
      if (order) await this.deps.submit(order);
    } catch (error) {
      this.deps.log.debug({ err: error }, "demo strategy step failed");
    }
  }

  private nextOrder(): SubmitOrder | undefined {
    const { instruments, accounts } = this.deps;
    const instrument = instruments[Math.floor(Math.random() * instruments.length)];
    const accountId = accounts[Math.floor(Math.random() * accounts.length)];
    if (!instrument || !accountId) return undefined;
    const quote = this.deps.quote(instrument.symbol);
    if (!quote) return undefined;
    const side = Math.random() < 0.5 ? "Buy" : "Sell";
    const lots = 1 + Math.floor(Math.random() * 9);
    const orderQty = money.mul(String(lots), instrument.lotSize);
    const base = {
      accountId,
      symbol: instrument.symbol,
      side,
      orderQty,
      strategy: "demo",
      clOrdId: `demo-${Date.now().toString(36)}-${this.counter}`,
    } as const;
    if (Math.random() < 0.15) return { ...base, ordType: "Market", timeInForce: "DAY" };
    const offsetTicks = Math.floor(Math.random() * 7) - 2;
    const touch = side === "Buy" ? quote.bid : quote.ask;
    const towardsMarket = side === "Buy" ? offsetTicks : -offsetTicks;
    const price = money.add(touch, money.mul(String(towardsMarket), instrument.tickSize));
    if (!money.isPositive(price)) return undefined;
    const directed = this.deps.directedVenues ?? [];
    if (directed.length > 0 && this.counter % 5 === 0)
      return { ...base, ordType: "Limit", price, timeInForce: "DAY", venueId: directed[this.counter % directed.length] };
    return { ...base, ordType: "Limit", price, timeInForce: Math.random() < 0.8 ? "DAY" : "GTC" };
  }
}
