import type { AnyEvent, Order } from "@fillmore/shared";
import type { JournalEntry } from "../journal/journal";

/** One committed event and, for order events, the order's state after it. */
export class StreamItem {
  private text: string | undefined;

  constructor(
    readonly seq: number,
    readonly event: AnyEvent,
    readonly order: Order | null,
    private readonly json: string | undefined,
  ) {}

  /**
   * The item as the stream sends it (`{seq, event, order}` JSON): serialised once for every
   * subscriber, and only when one reads it (with no stream client connected, never).
   */
  get wire(): string {
    this.text ??= `{"seq":${this.seq},"event":${this.json ?? JSON.stringify(this.event)},"order":${this.order ? JSON.stringify(this.order) : "null"}}`;
    return this.text;
  }
}

type Subscriber = (item: StreamItem) => void;

/**
 * Fans committed journal entries out to stream subscribers, in sequence order, and keeps the
 * recent ones so a reconnecting client can resume from its last sequence number.
 */
export class EventHub {
  private readonly recent: StreamItem[] = [];
  private readonly subscribers = new Set<Subscriber>();

  /**
   * `committedSeq`: the journal's last sequence number when the hub started; older items are not held.
   * `capacity`: how many recent items a reconnecting client can resume from; further back it takes a
   * new snapshot. Each item holds its event, the order after it and the event's JSON. Held longer
   * than two young-generation collections (about 0.3 s at 1,000 orders/s) they are promoted to the
   * old generation and die there: with 5,000 the engine promoted about 1.7 times as much (docs/PERFORMANCE.md).
   */
  constructor(
    private committedSeq: number,
    private readonly capacity = 1_000,
  ) {}

  publish(entries: readonly JournalEntry[]): void {
    for (const entry of entries) {
      const item = new StreamItem(entry.event.seq, entry.event, entry.orderAfter ?? null, entry.json);
      this.recent.push(item);
      this.committedSeq = item.seq;
      for (const subscriber of this.subscribers) subscriber(item);
    }
    // Trimmed in steps of a tenth: one splice per many commits rather than a shift of the whole array on each.
    if (this.recent.length > this.capacity + Math.ceil(this.capacity / 10)) this.recent.splice(0, this.recent.length - this.capacity);
  }

  /** Items after `seq`, or null when they are no longer held (the client must take a new snapshot). */
  since(seq: number): StreamItem[] | null {
    if (seq > this.committedSeq) return null;
    const firstHeld = this.recent[0]?.seq ?? this.committedSeq + 1;
    if (seq + 1 < firstHeld) return null;
    return this.recent.filter((i) => i.seq > seq);
  }

  /** How many recent items are held for resuming clients. */
  get heldCount(): number {
    return this.recent.length;
  }

  get lastSeq(): number {
    return this.committedSeq;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }
}
