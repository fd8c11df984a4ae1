import { type AnyEvent, type Decimal, money, type Order } from "@fillmore/shared";
import type { OrderManager } from "../../orders/order-manager";
import type { OurEvidence, OurPosition } from "./match";

/**
 * Our side of a venue's reconciliation: the position per account and symbol from the fills booked
 * there (plus the adjustments adopted from it), and the exec ids we booked.
 *
 * The positions are running totals, moved by each fill, bust and correction as the book applies it,
 * so a run reads one small map per venue. Summing the day's fills on every run held the engine's loop
 * for a time that grew with the day (140–250 ms over 36,000 orders). A split parent's copies of its
 * children's fills (`childOrderId`) are not fills at a venue: the child's own fill is counted there.
 */
export class OurVenueBooks {
  /** venueId → `account|symbol` → signed quantity. */
  private readonly totals = new Map<string, Map<string, Decimal>>();

  constructor(
    private readonly orders: OrderManager,
    /** Adjusting entries by `source|account|symbol` (the reconciliation's own). */
    private readonly adjusted: ReadonlyMap<string, Decimal>,
  ) {
    const { book } = orders;
    // What the book holds already (replayed before we were built), then every event from here on.
    for (const [key, fill] of book.fills) {
      if (fill.busted || key !== `${fill.venueId}:${fill.execId}` || book.splitChildren.has(fill.orderId)) continue;
      const order = orders.get(fill.orderId);
      if (order) this.move(fill.venueId, order, fill.lastQty);
    }
    book.onApplied((event, order) => this.apply(event, order));
  }

  private apply(event: AnyEvent, order: Order | undefined): void {
    if (!order) return;
    switch (event.type) {
      case "OrderFilled":
      case "OrderPartiallyFilled":
        if (event.data.childOrderId === undefined) this.move(event.data.venueId, order, event.data.lastQty);
        return;
      case "OrderTradeBusted":
        if (event.data.childOrderId === undefined) this.move(event.data.venueId, order, money.neg(event.data.lastQty));
        return;
      case "OrderTradeCorrected":
        if (event.data.childOrderId === undefined) this.move(event.data.venueId, order, money.sub(event.data.lastQty, event.data.oldQty));
        return;
    }
  }

  /** `qty` bought (sold, for a sell order) at the venue. */
  private move(venueId: string, order: Order, qty: Decimal): void {
    let atVenue = this.totals.get(venueId);
    if (!atVenue) {
      atVenue = new Map();
      this.totals.set(venueId, atVenue);
    }
    const key = `${order.accountId}|${order.symbol}`;
    atVenue.set(key, money.add(atVenue.get(key) ?? "0", order.side === "Buy" ? qty : money.neg(qty)));
  }

  /** Our position at a venue: the fills booked there (busted ones out) plus adjustments adopted from it. */
  positions(venueId: string, perAccount: boolean): OurPosition[] {
    const byKey = new Map<string, OurPosition>();
    const add = (accountId: string, symbol: string, qty: Decimal) => {
      const acc = perAccount ? accountId : null;
      const k = `${acc}|${symbol}`;
      const p = byKey.get(k) ?? { accountId: acc, symbol, qty: "0" };
      p.qty = money.add(p.qty, qty);
      byKey.set(k, p);
    };
    const split = (k: string) => k.split("|") as [string, string];
    for (const [k, qty] of this.totals.get(venueId) ?? []) add(...split(k), qty);
    const prefix = `venue:${venueId}|`;
    for (const [k, delta] of this.adjusted) if (k.startsWith(prefix)) add(...split(k.slice(prefix.length)), delta);
    return [...byKey.values()];
  }

  /** What we booked at a venue (null: at any venue, for a statement), and which orders are ours. */
  evidence(venueId: string | null): OurEvidence {
    const knownOrder = (orderId: string) => this.orders.get(orderId) !== undefined;
    const { fills, seenExecIds } = this.orders.book;
    if (venueId !== null) {
      // Looked up in the book's own maps (keyed `venue:execId`) rather than copied into a set per run.
      return {
        bookedExecIds: { has: (execId) => fills.has(`${venueId}:${execId}`) || seenExecIds.has(`${venueId}:${execId}`) },
        knownOrder,
      };
    }
    const booked = new Set<string>();
    for (const fill of fills.values()) booked.add(fill.execId);
    for (const k of seenExecIds) booked.add(k.slice(k.indexOf(":") + 1));
    return { bookedExecIds: booked, knownOrder };
  }
}
