import type { Clock, ControlsHistoryEntry } from "@fillmore/shared";
import type pg from "pg";
import { DEFAULT_KILL_SWITCH_CONFIG, KillSwitch, type KillSwitchConfig } from "../controls/kill-switch";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { OrderManager } from "../orders/order-manager";
import type { RoutingDeps } from "../orders/order-router";
import type { Positions } from "../positions/positions";
import type { RiskSettings } from "../risk/risk-settings";

export interface ControlsWiring {
  risk: RiskSettings;
  orders: OrderManager;
  positions: Positions;
  journal: Journal;
  clock: Clock;
  log: Logger;
  pool: pg.Pool;
  venues: ReadonlyMap<string, unknown>;
  /** The router's routing deps: a venue halt is added to them so HALTED venues are no candidates. */
  routing: RoutingDeps;
  quote: (symbol: string) => { bid: string; ask: string } | undefined;
  env?: Record<string, string | undefined>;
}

const flag = (v: string | undefined) => v === "1" || v === "true";
const int = (v: string | undefined, fallback: number, min: number, max: number) => {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n >= min && n <= max ? n : fallback;
};

/**
 * The kill switch's settings. Read here rather than in config.ts while the controls settle:
 * REQUIRE_SECOND_APPROVAL_FOR_GLOBAL_RESET (0/1), FLATTEN_MAX_ATTEMPTS (1–50, default 5),
 * FLATTEN_ATTEMPT_TIMEOUT_MS (50–60000, default 2000).
 */
export function controlsConfig(env: Record<string, string | undefined> = process.env): KillSwitchConfig {
  const d = DEFAULT_KILL_SWITCH_CONFIG;
  return {
    requireSecondApprovalForGlobalReset: flag(env.REQUIRE_SECOND_APPROVAL_FOR_GLOBAL_RESET),
    flattenMaxAttempts: int(env.FLATTEN_MAX_ATTEMPTS, d.flattenMaxAttempts, 1, 50),
    flattenAttemptTimeoutMs: int(env.FLATTEN_ATTEMPT_TIMEOUT_MS, d.flattenAttemptTimeoutMs, 50, 60_000),
  };
}

const HISTORY_TYPES = ["KillSwitchTripped", "KillSwitchOutcome", "KillSwitchReset", "KillSwitchResetRequested", "TradingStateChanged"];

/** Trips, resets and trading state changes, newest first, from the journal table. */
export async function readControlsHistory(pool: pg.Pool, limit = 200): Promise<ControlsHistoryEntry[]> {
  const { rows } = await pool.query<{ payload: { seq: number; ts: string; type: string; actor: string; data: Record<string, unknown> } }>(
    "SELECT payload FROM journal WHERE type = ANY($1) ORDER BY seq DESC LIMIT $2",
    [HISTORY_TYPES, limit],
  );
  return rows.map(({ payload: e }) => ({
    seq: Number(e.seq),
    ts: e.ts,
    type: e.type as ControlsHistoryEntry["type"],
    actor: e.actor,
    scope: String(e.data.scope ?? ""),
    reason: typeof e.data.reason === "string" ? e.data.reason : null,
    data: e.data,
  }));
}

/** The kill switch, wired to the order commands, risk, positions and the router's venue exclusion. */
export function wireControls(w: ControlsWiring): KillSwitch {
  w.risk.useVenues(w.venues);
  w.routing.venueHalt = (venueId, order) => {
    const halt = w.risk.venueHalt(venueId, order);
    return halt ? `HALTED for ${halt.scope} by ${halt.setBy}: ${halt.reason}` : null;
  };
  return new KillSwitch({
    risk: w.risk,
    orders: w.orders,
    positions: w.positions,
    journal: w.journal,
    clock: w.clock,
    log: w.log,
    quote: w.quote,
    venues: w.venues,
    history: () => readControlsHistory(w.pool),
    config: controlsConfig(w.env),
  });
}
