import { type Clock, money, type ScopeParts } from "@fillmore/shared";
import type { EventDraft } from "../../journal/journal";
import type { Logger } from "../../log";
import type { RandomWalkFeed } from "../../marketdata/quotes";
import { nextSessionEnd } from "../../orders/expiry";
import type { OrderManager } from "../../orders/order-manager";
import type { LivePositions } from "../../positions/live-positions";
import { Deadman } from "../deadman";
import type { KillSwitch } from "../kill-switch";
import { type BreakerPnl, Breakers } from "./breakers";

export interface Emergency {
  breakers: Breakers;
  deadman: Deadman;
  /** Phase 4: live evaluation, tripping through the kill switch. */
  start(killSwitch: KillSwitch): void;
  stop(): void;
}

/** P&L and positions for the breakers, from the live positions book (USD roll-ups). */
export function livePnl(live: LivePositions, sessionEndMinutes: number): BreakerPnl {
  const filter = (s: ScopeParts) => ({
    ...(s.account === undefined ? {} : { accountId: s.account }),
    ...(s.strategy === undefined ? {} : { strategy: s.strategy }),
  });
  return {
    dailyPnlUsd(scope, now) {
      const r = live.book.rollup("firm", now, filter(scope))[0];
      return r ? Number(r.daily) : 0;
    },
    positions(scope, now) {
      const sum = new Map<string, string>();
      for (const p of live.book.positions(now, filter(scope))) {
        const id =
          scope.strategy === undefined ? `${p.key.accountId}/${p.key.symbol}` : `${p.key.accountId}/${p.key.strategy}/${p.key.symbol}`;
        sum.set(id, money.add(sum.get(id) ?? "0", p.qty));
      }
      return [...sum].map(([id, qty]) => ({ id, qty: Number(qty) }));
    },
    sessionOf: (now) => nextSessionEnd(now, sessionEndMinutes),
  };
}

/**
 * Phase 2 (before replay): the circuit breakers and dead-man's switches, subscribed to the order
 * book so replay restores their configs; live order events and quotes reach them once started.
 */
export function setUpEmergency(deps: {
  orders: OrderManager;
  journal: { append(draft: EventDraft): unknown; durable(): Promise<unknown> };
  clock: Clock;
  log: Logger;
  live: LivePositions;
  feed: RandomWalkFeed;
  sessionEndMinutes: number;
}): Emergency {
  const breakers = new Breakers({
    journal: deps.journal,
    clock: deps.clock,
    log: deps.log,
    pnl: livePnl(deps.live, deps.sessionEndMinutes),
    quotes: () => deps.feed.all(),
  });
  const deadman = new Deadman({ journal: deps.journal, clock: deps.clock, log: deps.log, orders: deps.orders });
  deps.orders.book.onApplied((event) => {
    if (event.orderId !== null) return;
    breakers.replay(event);
    deadman.replay(event);
  });
  deps.orders.book.onRecorded((event, order) => breakers.onOrderEvent(event, order));
  return {
    breakers,
    deadman,
    start(killSwitch) {
      const trip = (input: Parameters<KillSwitch["trip"]>[0], actor: string) => killSwitch.trip(input, actor);
      deps.feed.onQuote((q) => breakers.onQuote(q));
      breakers.start(trip);
      deadman.start(trip);
    },
    stop() {
      breakers.stop();
      deadman.stop();
    },
  };
}
