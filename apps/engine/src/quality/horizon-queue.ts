/**
 * Items in time order, each due once at every horizon after its time (`atMs + horizon`): one array
 * and a read position per horizon, so an item is stored once however many horizons it has. The array
 * is compacted now and then behind the longest horizon (no shift per take).
 */
export class HorizonQueue<T extends { atMs: number }> {
  private items: T[] = [];
  /** Per horizon (shortest first): the index of the next item to take at it. */
  private readonly next: number[];
  private readonly last: number;

  /** `horizonsMs` ascending, no repeats. */
  constructor(readonly horizonsMs: readonly number[]) {
    if (horizonsMs.length === 0 || horizonsMs.some((h, i) => i > 0 && h <= (horizonsMs[i - 1] as number)))
      throw new RangeError(`horizons must be ascending without repeats: ${horizonsMs.join(", ")}`);
    this.next = horizonsMs.map(() => 0);
    this.last = horizonsMs.length - 1;
  }

  /** Items not yet taken at their longest horizon. */
  get length(): number {
    return this.items.length - (this.next[this.last] as number);
  }

  push(item: T): void {
    this.items.push(item);
  }

  /**
   * Hands each item due by `nowMs` to `take`, once per horizon that fell due (shortest horizons first,
   * so an item's horizons come in order). Returns how many (item, horizon) pairs were taken.
   */
  takeDue(nowMs: number, take: (item: T, horizon: number) => void): number {
    let taken = 0;
    for (const [h, horizonMs] of this.horizonsMs.entries()) {
      let i = this.next[h] as number;
      while (i < this.items.length && (this.items[i] as T).atMs + horizonMs <= nowMs) {
        take(this.items[i] as T, h);
        i += 1;
        taken += 1;
      }
      this.next[h] = i;
    }
    this.compact();
    return taken;
  }

  /** When the next (item, horizon) falls due, epoch ms; undefined when nothing waits. */
  nextDueMs(): number | undefined {
    let due: number | undefined;
    for (const [h, horizonMs] of this.horizonsMs.entries()) {
      const item = this.items[this.next[h] as number];
      if (item !== undefined && (due === undefined || item.atMs + horizonMs < due)) due = item.atMs + horizonMs;
    }
    return due;
  }

  /** The items not yet taken at their longest horizon, oldest first. */
  waiting(): T[] {
    return this.items.slice(this.next[this.last]);
  }

  clear(): void {
    this.items = [];
    this.next.fill(0);
  }

  private compact(): void {
    const done = this.next[this.last] as number;
    if (done === this.items.length) this.clear();
    else if (done > 1024 && done * 2 > this.items.length) {
      this.items = this.items.slice(done);
      for (let h = 0; h < this.next.length; h += 1) this.next[h] = (this.next[h] as number) - done;
    }
  }
}
