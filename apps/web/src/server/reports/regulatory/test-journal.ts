import type { AnyEvent, ArrivalQuote, Order } from "@fillmore/shared";
import pg from "pg";
import { Journal } from "../../../../../engine/src/journal/journal";
import { createLogger } from "../../../../../engine/src/log";

// Test helper: journal events by hand at chosen times through the engine's own Journal (hash chain,
// canonical payload, group commit), so the reports read exactly what the engine writes.

type Draft = { type: string; orderId: string | null; accountId: string | null; actor: string; data: Record<string, unknown> };

export class TestJournal {
  private now = "2026-01-01T00:00:00.000000Z";
  private constructor(
    private readonly pool: pg.Pool,
    private readonly journal: Journal,
  ) {}

  static async open(url: string): Promise<TestJournal> {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    let self: TestJournal | undefined;
    const clock = {
      nowIso: () => self?.now ?? "2026-01-01T00:00:00.000000Z",
      monoUs: () => 0,
      nowMs: () => Date.parse(self?.now ?? "2026-01-01T00:00:00Z"),
    };
    const journal = await Journal.open(pool, clock, createLogger("silent"), { maxBatch: 500 });
    self = new TestJournal(pool, journal);
    return self;
  }

  /** Appends an event stamped `ts` (UTC, microseconds). */
  at(ts: string, draft: Draft): AnyEvent {
    this.now = ts;
    return this.journal.append(draft as never).event;
  }

  async close(): Promise<void> {
    await this.journal.close();
    await this.pool.end();
  }
}

/** An order as OrderReceived carries it. */
export function receivedOrder(
  o: Partial<Order> & Pick<Order, "orderId" | "accountId" | "symbol" | "side" | "ordType" | "orderQty">,
): Order {
  return {
    clOrdId: `C-${o.orderId}`,
    timeInForce: "DAY",
    price: null,
    stopPx: null,
    trailAmount: null,
    trailPercent: null,
    expireTime: null,
    ordStatus: "PendingNew",
    previousStatus: null,
    cumQty: "0",
    leavesQty: o.orderQty,
    avgPx: "0",
    notional: "0",
    requestedVenueId: null,
    venueId: null,
    venueOrderId: null,
    parentId: null,
    strategy: null,
    createdBy: "user:t@x.test",
    rejectSource: null,
    rejectReason: null,
    lateFill: false,
    createdAt: "2026-01-01T00:00:00.000000Z",
    updatedAt: "2026-01-01T00:00:00.000000Z",
    lastSeq: 0,
    ...o,
  } as Order;
}

export const quote = (bid: string, ask: string, mid: string): ArrivalQuote => ({ bid, ask, mid, ts: 0 });
