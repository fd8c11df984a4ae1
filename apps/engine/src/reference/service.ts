import {
  type accountSchema,
  type instrumentSchema,
  setVenueEnabledInput,
  testVenueInput,
  upsertAccountInput,
  upsertInstrumentInput,
  upsertVenueInput,
  venueRowSchema,
} from "@fillmore/shared";
import type { z } from "zod";
import type { AlertCentre } from "../alerts/alert-centre";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { RandomWalkFeed } from "../marketdata/quotes";
import { CommandError } from "../orders/errors";
import type { OrderManager } from "../orders/order-manager";
import { type FeeSchedule, feeScheduleOf, useFeeSchedules } from "../positions/fees";
import type { ReferenceData } from "../reference";
import type { BrokerAdapter } from "../venues/adapter";
import type { OsEngineVenueConfig } from "../venues/osengine/config";
import { createVenue } from "../venues/registry";
import { SimVenue } from "../venues/sim/sim-venue";
import { journalAlertsOf, type VenueSetup } from "../wiring/venue-setup";
import { type ConnectionTestResult, testFixVenue, testOsEngineVenue } from "./connection-test";
import type { ReferenceStore, StoredAccount, StoredInstrument, StoredVenue } from "./store";
import { UnavailableVenue } from "./unavailable-venue";

export const VENUE_CONFIG_INVALID = "VENUE_CONFIG_INVALID";

/** Config keys only the router and the fee booking read: changing them never reconnects a venue. */
const ROUTING_ONLY = new Set(["feeBps", "depth", "maxOrdersPerSecond", "orderBurst", "fees"]);

export type VenueState = "running" | "draining" | "disabled" | "invalid";

export interface VenueAdminView extends StoredVenue {
  state: VenueState;
  /** Why: the bad setting of an invalid row, or who disabled the venue and why. */
  reason: string | null;
  connected: boolean;
  workingOrders: number;
  capabilities: BrokerAdapter["capabilities"] | null;
}

export interface ReferenceServiceDeps {
  store: ReferenceStore;
  journal: Journal;
  log: Logger;
  reference: ReferenceData;
  /** The set of known accounts the order path checks against (the same object). */
  accountIds: Set<string>;
  setup: VenueSetup;
  feed: RandomWalkFeed;
  orders: OrderManager;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new CommandError("INVALID_INPUT", r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return r.data;
}

const withoutRoutingKeys = (config: Record<string, unknown>) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(config)
        .filter(([k]) => !ROUTING_ONLY.has(k))
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );

/**
 * Venues, instruments, accounts and fee schedules changed at runtime, without a restart. Every change
 * is checked with the shared schemas (the ones the engine checks rows with at start), written to its
 * row, journaled (`ReferenceDataChanged`, with who and why) and applied: a new or changed venue is
 * built and connects, a disabled one drains (no new orders; cancels and reports still flow), a new
 * instrument is quoted and tradable at once. Changes run one at a time.
 */
export class ReferenceService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly invalid = new Map<string, string>();
  private readonly fees = new Map<string, FeeSchedule>();
  private alerts: AlertCentre | undefined;

  constructor(private readonly deps: ReferenceServiceDeps) {
    for (const v of deps.setup.invalid) this.invalid.set(v.venueId, v.reason);
    for (const v of deps.reference.venues) this.setFees(v.id, v.config);
    useFeeSchedules(deps.orders.book, (venueId) => this.fees.get(venueId));
  }

  /**
   * After replay, before the venues connect and the working orders are reconciled (engine.ts). Every
   * venue that still has working orders but was left out at start (its row disabled, or invalid) is put
   * back in the venue map so its orders stay manageable: a disabled row is built and drains (closed to
   * new orders; cancels, reports and reconciliation flow as for a venue disabled at runtime); an invalid
   * row cannot be built, so an UnavailableVenue stands in (DOWN; cancels on record until the row is
   * corrected). Then every venue row refused at start is raised with its reason, once the alert centre runs.
   */
  start(alerts: AlertCentre | undefined): void {
    this.alerts = alerts;
    this.keepVenuesWithWorkingOrders();
    for (const [venueId, reason] of this.invalid) {
      this.deps.log.error({ venueId, reason }, "venue row is invalid; the venue is disabled, the engine runs without it");
      const message = `venue ${venueId} is disabled: its row is invalid (${reason}). Fix it in Admin → Venues.`;
      if (alerts) alerts.raise({ code: VENUE_CONFIG_INVALID, message, subject: `venue:${venueId}` }, "engine");
      else
        this.deps.journal.append({
          type: "AlertRaised",
          orderId: null,
          accountId: null,
          actor: "engine",
          data: { code: VENUE_CONFIG_INVALID, message, subject: `venue:${venueId}` },
        });
    }
  }

  private keepVenuesWithWorkingOrders(): void {
    const { setup, orders, reference, log } = this.deps;
    const working = new Map<string, number>();
    for (const o of orders.working())
      if (o.venueId !== null && !setup.venues.has(o.venueId)) working.set(o.venueId, (working.get(o.venueId) ?? 0) + 1);
    for (const [venueId, count] of working) {
      const row = reference.disabledVenues?.find((v) => v.id === venueId);
      let adapter: BrokerAdapter | undefined;
      if (row && !this.invalid.has(venueId)) {
        try {
          adapter = createVenue(row, setup.venueDeps);
          setup.setConfig(venueId, row.config);
          this.setFees(venueId, row.config);
          setup.setClosed(venueId, `its row is disabled: draining ${count} working orders`);
        } catch (error) {
          this.invalid.set(venueId, error instanceof Error ? error.message : String(error));
        }
      }
      if (!adapter) {
        const reason = this.invalid.get(venueId) ?? `no venue row ${venueId}`;
        if (!this.invalid.has(venueId)) this.invalid.set(venueId, reason);
        adapter = new UnavailableVenue(venueId, reason);
        setup.setClosed(venueId, `its row is invalid (${reason})`);
      }
      log.warn(
        { venueId, workingOrders: count, state: adapter instanceof UnavailableVenue ? "unavailable" : "draining" },
        "venue left out at start still has working orders; kept for them",
      );
      this.wire(venueId, adapter);
    }
  }

  async list(): Promise<{ venues: VenueAdminView[]; instruments: StoredInstrument[]; accounts: StoredAccount[] }> {
    const [venues, instruments, accounts] = await Promise.all([
      this.deps.store.venues(),
      this.deps.store.instruments(),
      this.deps.store.accounts(),
    ]);
    return { venues: venues.map((v) => this.view(v)), instruments, accounts };
  }

  private view(v: StoredVenue): VenueAdminView {
    const adapter = this.deps.setup.venues.get(v.id);
    const workingOrders = this.deps.orders.working().filter((o) => o.venueId === v.id).length;
    const invalid = this.invalid.get(v.id);
    const closed = this.deps.setup.closedReason(v.id);
    const state: VenueState = invalid ? "invalid" : adapter ? (closed ? "draining" : "running") : "disabled";
    return {
      ...v,
      state,
      reason: invalid ?? closed,
      connected: adapter?.isHealthy() ?? false,
      workingOrders,
      capabilities: adapter?.capabilities ?? null,
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  upsertVenue(body: unknown, actor: string): Promise<{ venue: VenueAdminView }> {
    const input = parse(upsertVenueInput, body);
    return this.serial(() => this.applyVenue(input.venue as StoredVenue, input.reason, actor));
  }

  setVenueEnabled(body: unknown, actor: string): Promise<{ venue: VenueAdminView }> {
    const input = parse(setVenueEnabledInput, body);
    return this.serial(async () => {
      const before = await this.deps.store.venue(input.id);
      if (!before) throw new CommandError("NOT_FOUND", `no venue ${input.id}`);
      const row = { ...before, enabled: input.enabled };
      // An invalid row cannot be enabled as it is: it must be corrected (upsertVenue) first.
      if (input.enabled) parse(venueRowSchema, row);
      return this.applyVenue(row, input.reason, actor);
    });
  }

  private async applyVenue(row: StoredVenue, reason: string, actor: string): Promise<{ venue: VenueAdminView }> {
    const { setup, store, orders } = this.deps;
    const before = (await store.venue(row.id)) ?? null;
    const existing = setup.venues.get(row.id);
    const working = orders.working().filter((o) => o.venueId === row.id).length;
    if (before && before.kind !== row.kind && working > 0)
      throw new CommandError("INVALID_INPUT", `venue ${row.id} has ${working} working orders: its kind cannot change until they are done`);
    const reconnect =
      !existing || !before || before.kind !== row.kind || withoutRoutingKeys(before.config) !== withoutRoutingKeys(row.config);
    let built: BrokerAdapter | undefined;
    // A disabled row is built too when orders are still working there (a corrected row whose venue was
    // unavailable), so that they drain.
    if ((row.enabled || working > 0) && reconnect) {
      try {
        built = createVenue(row, setup.venueDeps);
      } catch (error) {
        throw new CommandError("INVALID_INPUT", error instanceof Error ? error.message : String(error));
      }
    }
    await store.saveVenue(row);
    this.journal("venue", row.id, before, row, reason, actor, null);

    setup.setConfig(row.id, row.config);
    this.setFees(row.id, row.config);
    const rows = this.deps.reference.venues;
    const at = rows.findIndex((v) => v.id === row.id);
    if (at >= 0) rows[at] = row;
    else rows.push(row);
    if (this.invalid.delete(row.id)) this.alerts?.clear(VENUE_CONFIG_INVALID, `venue:${row.id}`, `corrected by ${actor}: ${reason}`);
    if (built) {
      if (existing) await existing.disconnect().catch((e: unknown) => this.deps.log.warn({ err: String(e), venue: row.id }, "old adapter"));
      this.attach(row.id, built);
    }
    if (row.enabled) setup.setClosed(row.id, null);
    // Disabled: closed to new orders; the session stays up until the next start (which leaves the row
    // out), so cancels, modifies and reports of its working orders still flow and its health stays true.
    else if (existing || built) setup.setClosed(row.id, `disabled by ${actor}: ${reason}`);
    await this.deps.journal.durable();
    this.deps.log.info({ venueId: row.id, enabled: row.enabled, reconnect, actor, reason }, "venue changed");
    return { venue: this.view(row) };
  }

  /** In the venue map (router, cancels, reconciliation), watched, its reports and alerts going to the engine. */
  private wire(venueId: string, adapter: BrokerAdapter): void {
    const { setup, orders, journal, log } = this.deps;
    setup.venues.set(venueId, adapter);
    setup.monitor.track(venueId);
    adapter.onReport((r) => orders.onVenueReport(venueId, r));
    journalAlertsOf(adapter, journal, log, (orderId) => orders.get(orderId)?.accountId ?? null);
  }

  /** A venue built at runtime: wired, given back its working orders (a simulator), connecting. */
  private attach(venueId: string, adapter: BrokerAdapter): void {
    const { orders, log } = this.deps;
    this.wire(venueId, adapter);
    if (adapter instanceof SimVenue) adapter.restore(orders.working().filter((o) => o.venueId === venueId && o.ordStatus !== "Validated"));
    void adapter
      .connect()
      .then(() => log.info({ venue: venueId }, "venue connected"))
      .catch((error: unknown) => log.warn({ err: String(error), venue: venueId }, "venue did not connect yet; it keeps trying"));
  }

  upsertInstrument(body: unknown, actor: string): Promise<{ instrument: StoredInstrument }> {
    const input = parse(upsertInstrumentInput, body);
    return this.serial(async () => {
      const i = input.instrument as z.output<typeof instrumentSchema>;
      const before = this.deps.reference.instruments.get(i.symbol);
      const row: StoredInstrument = { ...i, tradingHours: i.tradingHours ?? null };
      await this.deps.store.saveInstrument(row);
      const old = before
        ? {
            symbol: before.symbol,
            name: before.name,
            currency: before.currency,
            tickSize: before.tickSize,
            lotSize: before.lotSize,
            refPrice: before.refPrice,
            tradable: before.tradable,
            tradingHours: before.tradingHours,
          }
        : null;
      this.journal("instrument", i.symbol, old, row, input.reason, actor, null);
      this.deps.reference.instruments.set(i.symbol, { ...row, allowNoReferencePrice: before?.allowNoReferencePrice ?? false });
      this.deps.feed.upsertInstrument(row);
      await this.deps.journal.durable();
      return { instrument: row };
    });
  }

  upsertAccount(body: unknown, actor: string): Promise<{ account: StoredAccount }> {
    const input = parse(upsertAccountInput, body);
    return this.serial(async () => {
      const a = input.account as z.output<typeof accountSchema>;
      const beforeName = this.deps.reference.accounts.get(a.id);
      await this.deps.store.saveAccount(a);
      this.journal("account", a.id, beforeName === undefined ? null : { id: a.id, name: beforeName }, a, input.reason, actor, a.id);
      this.deps.reference.accounts.set(a.id, a.name);
      this.deps.accountIds.add(a.id);
      await this.deps.journal.durable();
      return { account: a };
    });
  }

  /** A connection test of a venue as entered (not saved): FIX logon/heartbeat/logout, OsEngine's status tool. */
  async testVenue(body: unknown): Promise<ConnectionTestResult> {
    const { venue } = parse(testVenueInput, body);
    const running = this.deps.setup.venues.get(venue.id);
    if (venue.kind === "fix") return testFixVenue(venue.id, venue.config, running);
    if (venue.kind === "osengine") return testOsEngineVenue(venue.config as unknown as OsEngineVenueConfig);
    return {
      ok: true,
      steps: [{ step: "simulator", ok: true, detail: "a simulated venue has no connection to test", ms: 0 }],
    };
  }

  private setFees(venueId: string, config: Record<string, unknown>): void {
    try {
      const schedule = feeScheduleOf(config);
      if (schedule) this.fees.set(venueId, schedule);
      else this.fees.delete(venueId);
    } catch (error) {
      this.fees.delete(venueId);
      this.deps.log.error({ venue: venueId, err: String(error) }, "venue fee schedule is malformed; its fills carry no scheduled fees");
    }
  }

  private journal(
    entity: "venue" | "instrument" | "account",
    id: string,
    old: object | null,
    next: object,
    reason: string,
    actor: string,
    accountId: string | null,
  ): void {
    this.deps.journal.append({
      type: "ReferenceDataChanged",
      orderId: null,
      accountId,
      actor,
      data: { entity, id, old: old as Record<string, unknown> | null, new: next as Record<string, unknown>, reason },
    });
  }
}
