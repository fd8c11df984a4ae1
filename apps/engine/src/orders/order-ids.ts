import type { AnyEvent } from "@fillmore/shared";
import type { Journal } from "../journal/journal";

/** Order numbers a crash may have used without journaling them: O<from>..O<to>, both inclusive. */
export interface OrderIdRange {
  from: number;
  to: number;
}

export function orderNumber(orderId: string): number | null {
  const match = /^O(\d+)$/.exec(orderId);
  return match ? Number(match[1]) : null;
}

export function inRange(orderId: string, range: OrderIdRange): boolean {
  const n = orderNumber(orderId);
  return n !== null && n >= range.from && n <= range.to;
}

/**
 * Hands out order ids O1, O2, … from blocks reserved in the journal. Orders are sent to their
 * venue while their journal entry is still being committed, so a crash can leave a venue holding
 * an order the journal never got. Because a block is durable before its first id is used, a
 * restart continues after the whole block: such an id is never given to another order, and the
 * ids that may have been lost form one known range, which recovery asks the venues about.
 */
export class OrderIds {
  private reservedTo = 0;
  private durableTo = 0;
  private highestJournaled = 0;
  private next = 1;
  private pending: Promise<void> | undefined;
  private resumed = false;

  constructor(
    private readonly journal: Journal,
    private readonly blockSize = 10_000,
  ) {}

  /** Follows the journal during replay. */
  replay(event: AnyEvent): void {
    if (event.type === "IdBlockReserved") this.reservedTo = Math.max(this.reservedTo, event.data.to);
    if (event.type === "OrderReceived") this.highestJournaled = Math.max(this.highestJournaled, orderNumber(event.orderId ?? "") ?? 0);
  }

  /**
   * After replay: the ids the previous run reserved but never journaled (null if none), and the
   * next id placed after all of them.
   */
  resume(): OrderIdRange | null {
    const lost = this.reservedTo > this.highestJournaled ? { from: this.highestJournaled + 1, to: this.reservedTo } : null;
    this.resumed = true;
    this.reservedTo = Math.max(this.reservedTo, this.highestJournaled);
    this.durableTo = this.reservedTo;
    this.next = this.reservedTo + 1;
    return lost;
  }

  /**
   * Resolves when the next `count` ids are usable; the caller must then call `take` in the same synchronous
   * step as journaling the order, so ids enter the journal in increasing order.
   */
  async ready(count = 1): Promise<void> {
    if (!this.resumed) this.resume();
    if (this.reservedTo - this.next < this.blockSize / 2) this.reserve();
    while (this.next + count - 1 > this.durableTo) await this.pending;
  }

  /** Whether `count` more ids can be taken now without waiting. */
  canTake(count: number): boolean {
    return this.resumed && this.next + count - 1 <= this.durableTo;
  }

  take(): string {
    if (this.next > this.durableTo) throw new Error("order id taken before its block was durable");
    const id = `O${this.next}`;
    this.next += 1;
    return id;
  }

  private reserve(): void {
    if (this.pending) return;
    const from = this.reservedTo + 1;
    const to = this.reservedTo + this.blockSize;
    const { event } = this.journal.append({ type: "IdBlockReserved", orderId: null, accountId: null, actor: "engine", data: { from, to } });
    this.reservedTo = to;
    this.pending = this.journal.durable(event.seq).then(() => {
      this.durableTo = to;
      this.pending = undefined;
    });
  }
}
