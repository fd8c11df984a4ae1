/** A queue sorted by due time, taken from the front: a head index, the array compacted now and then (no shift per take). */
export class DueQueue<T extends { dueMs: number }> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the items due by `nowMs`. */
  takeDue(nowMs: number): T[] {
    const start = this.head;
    while (this.head < this.items.length && (this.items[this.head] as T).dueMs <= nowMs) this.head += 1;
    const due = this.items.slice(start, this.head);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return due;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
