import { type AnyEvent, type Clock, formatScope, KILL_SWITCH_ACTIONS, parseScope, tradingStateScope } from "@fillmore/shared";
import { z } from "zod";
import type { EventDraft } from "../journal/journal";
import type { Logger } from "../log";
import { CommandError } from "../orders/errors";
import type { Tripper } from "./breakers/breakers";
import type { ControlsOrders } from "./kill-switch";

/** `strategy:<name>` or `key:<api key id>` (the actor an API key's orders carry). */
export const deadmanId = z.string().regex(/^(strategy|key):[A-Za-z0-9._:-]{1,64}$/, {
  message: "a dead-man's switch id is strategy:<name> or key:<api key id>",
});

/**
 * A dead-man's switch: when `id` sends no heartbeat for `timeoutMs`, it fires.
 * - strategy:<S>: the kill switch trips `scope` (default strategy:<S>) with `actions` (default
 *   haltNewOrders, cancelOpenOrders, notifyRiskTeam): the strategy's orders are cancelled and it is halted.
 * - key:<K>: every working order the key sent (actor key:<K>) is cancelled, whatever its scope; then
 *   `scope` is tripped with `actions` (default haltNewOrders, notifyRiskTeam). `scope` is required for a
 *   key: the strategy it runs (strategy:<S>) or the account it is bound to (account:<A>). The engine does
 *   not know which accounts a key is bound to (the console does), so risk says which scope stops.
 */
export const deadmanConfigSchema = z
  .object({
    enabled: z.boolean(),
    timeoutMs: z.number().int().min(100).max(86_400_000),
    scope: tradingStateScope.optional(),
    actions: z
      .array(z.enum(KILL_SWITCH_ACTIONS))
      .min(1)
      .max(4)
      .optional()
      .transform((a) => (a ? [...new Set(a)] : a)),
  })
  .strict();
export type DeadmanConfig = z.output<typeof deadmanConfigSchema>;

export interface DeadmanView {
  id: string;
  config: DeadmanConfig;
  /** The scope and actions it trips when it fires. */
  scope: string;
  actions: string[];
  setBy: string | null;
  /** waiting: configured, no heartbeat yet (since config or restart); alive: heartbeats coming; fired. */
  status: "waiting" | "alive" | "fired" | "disabled";
  lastHeartbeat: string | null;
  silentMs: number | null;
  lastFired: { ts: string; silentMs: number; ordersCancelled: number; failures: string[] } | null;
}

export interface DeadmanDeps {
  journal: { append(draft: EventDraft): unknown; durable?(): Promise<unknown> };
  clock: Clock;
  log: Logger;
  orders: Pick<ControlsOrders, "working" | "cancelAll">;
  timerMs?: number;
}

interface Entry {
  id: string;
  config: DeadmanConfig;
  setBy: string | null;
  lastBeatMs: number | null;
  status: "waiting" | "alive" | "fired";
  lastFired: DeadmanView["lastFired"];
}

const STRATEGY_ACTIONS = ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"] as const;
const KEY_ACTIONS = ["haltNewOrders", "notifyRiskTeam"] as const;

/**
 * Dead-man's switches per strategy or API key. Heartbeats are kept in memory only: after a restart
 * each switch waits for its first heartbeat before it is armed again (otherwise every restart would
 * fire them all). Configs are journaled (DeadmanConfigChanged) and restored by replay; firing is
 * journaled (DeadmanFired) and goes through the kill switch as actor `deadman:<id>`.
 */
export class Deadman {
  private readonly entries = new Map<string, Entry>();
  private trip: Tripper | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DeadmanDeps) {}

  private static validId(id: string): string {
    const r = deadmanId.safeParse(id);
    if (!r.success) throw new CommandError("INVALID_INPUT", r.error.issues[0]?.message ?? "bad id");
    return id;
  }

  private static target(id: string, config: DeadmanConfig): { scope: string; actions: (typeof KILL_SWITCH_ACTIONS)[number][] } {
    const isKey = id.startsWith("key:");
    const scope = config.scope ?? (isKey ? "" : id);
    return {
      scope: scope && formatScope(parseScope(scope) ?? {}),
      actions: config.actions ?? [...(isKey ? KEY_ACTIONS : STRATEGY_ACTIONS)],
    };
  }

  async set(id: string, input: unknown, actor: string): Promise<DeadmanView> {
    Deadman.validId(id);
    const parsed = deadmanConfigSchema.safeParse(input);
    if (!parsed.success)
      throw new CommandError("INVALID_INPUT", parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "));
    const config = parsed.data;
    const { scope, actions } = Deadman.target(id, config);
    if (!scope)
      throw new CommandError("INVALID_INPUT", "scope: a key's dead-man's switch needs the scope to halt (strategy:<name> or account:<id>)");
    if (parseScope(scope)?.strategy !== undefined && actions.includes("closeAllPositions"))
      throw new CommandError("INVALID_INPUT", "actions: closeAllPositions needs an account or symbol scope, not a strategy");
    const old = this.entries.get(id)?.config ?? null;
    this.deps.journal.append({
      type: "DeadmanConfigChanged",
      orderId: null,
      accountId: parseScope(scope)?.account ?? null,
      actor,
      data: { id, old: old as Record<string, unknown> | null, new: config as Record<string, unknown> },
    });
    this.apply(id, config, actor);
    await this.deps.journal.durable?.();
    return this.view(this.entries.get(id) as Entry);
  }

  private apply(id: string, config: DeadmanConfig, setBy: string | null): void {
    const previous = this.entries.get(id);
    this.entries.set(id, {
      id,
      config,
      setBy,
      lastBeatMs: previous?.lastBeatMs ?? null,
      status: previous?.status === "alive" ? "alive" : "waiting",
      lastFired: previous?.lastFired ?? null,
    });
  }

  replay(event: AnyEvent): void {
    if (event.type === "DeadmanConfigChanged") {
      if (event.data.new === null) this.entries.delete(event.data.id);
      else {
        const parsed = deadmanConfigSchema.safeParse(event.data.new);
        if (parsed.success) this.apply(event.data.id, parsed.data, event.actor);
      }
    } else if (event.type === "DeadmanFired") {
      const e = this.entries.get(event.data.id);
      if (e)
        e.lastFired = {
          ts: event.ts,
          silentMs: event.data.silentMs,
          ordersCancelled: event.data.ordersCancelled,
          failures: event.data.failures,
        };
    }
  }

  /** A heartbeat: arms (or re-arms, after it fired) the switch. Unknown ids are answered, not kept. */
  heartbeat(id: string): DeadmanView | { id: string; configured: false } {
    Deadman.validId(id);
    const e = this.entries.get(id);
    if (!e) return { id, configured: false };
    e.lastBeatMs = this.deps.clock.nowMs();
    e.status = "alive";
    return this.view(e);
  }

  start(trip: Tripper): void {
    this.trip = trip;
    this.timer = setInterval(() => this.check(), this.deps.timerMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Fires every enabled, alive switch whose heartbeat is older than its timeout. */
  check(): void {
    const now = this.deps.clock.nowMs();
    for (const e of this.entries.values()) {
      if (!e.config.enabled || e.status !== "alive" || e.lastBeatMs === null) continue;
      const silentMs = now - e.lastBeatMs;
      if (silentMs > e.config.timeoutMs) {
        e.status = "fired";
        void this.fire(e, silentMs);
      }
    }
  }

  private async fire(e: Entry, silentMs: number): Promise<void> {
    const { scope, actions } = Deadman.target(e.id, e.config);
    const actor = `deadman:${e.id}`;
    const reason = `dead-man's switch: no heartbeat from ${e.id} for ${silentMs} ms (timeout ${e.config.timeoutMs} ms)`;
    this.deps.log.warn({ id: e.id, scope, silentMs }, reason);
    const failures: string[] = [];
    let cancelled = 0;
    // The halt first (in force when trip() hands back its promise), then the key's own orders.
    const tripped = this.trip
      ? this.trip({ scope, actions, reason }, actor).catch((error: unknown) => {
          failures.push(`trip ${scope}: ${error instanceof Error ? error.message : String(error)}`);
        })
      : Promise.resolve(failures.push("the kill switch is not attached"));
    if (e.id.startsWith("key:")) {
      // One cancel-all over the key's own orders: not throttled, every cancel journaled and sent in one pass.
      const mine = this.deps.orders.working().filter((o) => o.createdBy === e.id && o.parentId === null && o.ordStatus !== "PendingCancel");
      if (mine.length > 0) {
        try {
          const result = await this.deps.orders.cancelAll({ orderIds: new Set(mine.map((o) => o.orderId)) }, actor);
          cancelled += result.cancelled.length;
          for (const s of result.skipped) failures.push(`${s.orderId}: ${s.reason}`);
        } catch (error) {
          failures.push(`cancel ${mine.length} order(s): ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    const result = (await tripped) as { outcome?: { ordersCancelled?: number } } | undefined;
    cancelled += result?.outcome?.ordersCancelled ?? 0;
    e.lastFired = { ts: this.deps.clock.nowIso(), silentMs, ordersCancelled: cancelled, failures };
    this.deps.journal.append({
      type: "DeadmanFired",
      orderId: null,
      accountId: parseScope(scope)?.account ?? null,
      actor,
      data: { id: e.id, silentMs, timeoutMs: e.config.timeoutMs, scope, ordersCancelled: cancelled, failures },
    });
    this.deps.journal.append({
      type: "AlertRaised",
      orderId: null,
      accountId: parseScope(scope)?.account ?? null,
      actor,
      data: {
        code: "DEADMAN_FIRED",
        message: `${reason}: halted ${scope}, ${cancelled} order(s) cancelled${failures.length ? `; failures: ${failures.join("; ").slice(0, 300)}` : ""}`,
      },
    });
  }

  list(): DeadmanView[] {
    return [...this.entries.values()].sort((a, b) => a.id.localeCompare(b.id)).map((e) => this.view(e));
  }

  private view(e: Entry): DeadmanView {
    const { scope, actions } = Deadman.target(e.id, e.config);
    const now = this.deps.clock.nowMs();
    return {
      id: e.id,
      config: e.config,
      scope,
      actions,
      setBy: e.setBy,
      status: e.config.enabled ? e.status : "disabled",
      lastHeartbeat: e.lastBeatMs === null ? null : new Date(e.lastBeatMs).toISOString(),
      silentMs: e.lastBeatMs === null ? null : now - e.lastBeatMs,
      lastFired: e.lastFired,
    };
  }
}
