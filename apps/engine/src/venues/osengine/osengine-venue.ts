import { type Decimal, money, type Order } from "@fillmore/shared";
import type { BrokerAdapter, OrderChanges, VenueCapabilities, VenueOrderStatus, VenuePosition, VenueReport } from "../adapter";
import { type AlertingAdapter, describe, type VenueAlert, VenueListeners } from "../venue-alert";
import { JsonNumber } from "./exact-json";
import { McpHttpError, McpRpcError, McpToolError } from "./mcp-client";
import type { ConnectorRef, OsEngineTerminal } from "./osengine-terminal";
import { newTracked, type Observation, type PositionView, reportsFor, type TrackedOrder } from "./reports";

/**
 * Exactly what OsEngine's MCP API can do (MCP-PROTOCOL.md §4): market orders only, through a
 * robot tab. No limit/stop, no cancel, no modify. Time in force: DAY and GTC only — a market
 * order is done or working until it fills either way; IOC/FOK promise that the remainder is
 * cancelled, which the API cannot do (no cancel), and a live tab may send a marketable limit
 * that rests where the connector lacks market orders.
 */
export const OSENGINE_CAPABILITIES: VenueCapabilities = {
  ordTypes: ["Market"],
  timeInForces: ["DAY", "GTC"],
  nativeStops: false,
  modify: false,
  cancel: false,
};

export const NOT_SUPPORTED = "not supported by OsEngine's MCP API";

export interface OsEngineVenueSettings {
  connector: ConnectorRef;
  /** Portfolio (account) name in that connector, used on the robot tab. */
  portfolio: string;
  /** Strategy class for the provisioned robot: one with a Simple tab and no trading logic of its own. */
  strategy: string;
  /** Fillmore symbol → OsEngine security; absent means same name, no class. */
  securities?: Record<string, { name: string; class?: string }>;
  /** Prefix of the robots the adapter creates (one per connector and security). */
  botPrefix?: string;
  /** true sends virtual orders (the tab's emulator); false (default) trades for real. */
  emulator?: boolean;
  /** Timeout of an open/close call; afterwards the outcome is unknown and read from the tab. */
  orderTimeoutMs?: number;
  /** How often working orders' positions are read for fills, and unknown outcomes resolved. */
  fillPollMs?: number;
  /** Delay between attempts to reach the terminal after a failed connect. */
  reconnectMs?: number;
  /** How long a timed-out call may take to show up in the tab before it is taken as not done. */
  unknownGraceMs?: number;
}

interface Tab {
  bot: string;
  tab: string;
  security: string;
  /** Serialises actions on the tab, so a position that appears can only be ours. */
  lock: Promise<void>;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
/** A number in an OsEngine answer we cannot book: the answer is not used, and an alert says why. */
export class OsEngineDataError extends Error {
  constructor(
    readonly tool: string,
    readonly field: string,
    readonly value: string,
    why: string,
  ) {
    super(`${tool} answered ${field} = ${JSON.stringify(value.slice(0, 40))}: ${why}`);
    this.name = "OsEngineDataError";
  }
}

/**
 * A decimal from an OsEngine answer, exactly: a JSON number from its source text (read with
 * exactNumbers; an exponent is moved in the digit string, `1e-7` is "0.0000001"), or a string
 * holding a plain decimal. Absent or null is zero (a position not priced yet); anything else throws.
 */
function dec(v: unknown, tool: string, field: string): Decimal {
  if (v === undefined || v === null) return "0";
  const exponent = v instanceof JsonNumber || typeof v === "number";
  const text = v instanceof JsonNumber ? v.raw : typeof v === "string" || typeof v === "number" ? String(v) : JSON.stringify(v);
  try {
    return money.parseWireDecimal(text, { exponent });
  } catch (error) {
    throw new OsEngineDataError(tool, field, text, error instanceof Error ? error.message : String(error));
  }
}

/** Answers that carry quantities and prices are read with exact numbers (see exact-json). */
const EXACT = { exactNumbers: true } as const;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function direction(v: unknown): PositionView["direction"] {
  const d = str(v).toLowerCase();
  if (d === "buy" || d === "long") return "long";
  if (d === "sell" || d === "short") return "short";
  return "none";
}

/** Message of an error that says the call was refused before or inside the tool: it did not trade. */
function refusal(error: unknown): string | undefined {
  if (error instanceof McpToolError) return error.toolMessage;
  if (error instanceof McpHttpError) return `HTTP ${error.status} ${error.body}`;
  if (error instanceof McpRpcError) return error.message;
  return undefined;
}

/** One connector instance in an OsEngine terminal, as a Fillmore venue. */
export class OsEngineVenue implements BrokerAdapter, AlertingAdapter {
  readonly capabilities: VenueCapabilities = OSENGINE_CAPABILITIES;
  private readonly listeners: VenueListeners;
  /** Bad-data alerts already raised: a position read every poll alerts once, not every second. */
  private readonly alerted = new Set<string>();
  private readonly tracked = new Map<string, TrackedOrder>();
  private readonly tabs = new Map<string, Promise<Tab>>();
  private timer: NodeJS.Timeout | undefined;
  private connected = false;
  private wanted = false;
  private retry: NodeJS.Timeout | undefined;
  private serverFullName: string | undefined;

  constructor(
    readonly name: string,
    readonly terminal: OsEngineTerminal,
    private readonly settings: OsEngineVenueSettings,
    log: (line: string) => void = () => undefined,
  ) {
    this.listeners = new VenueListeners(name, (line) => log(`${name} ${line}`));
    terminal.onFault((what, error) => this.listeners.fault(`OsEngine ${what} failed: ${describe(error)}`));
  }

  /** Attaches to the terminal; if it is unreachable now, keeps trying in the background (unhealthy meanwhile). */
  async connect(): Promise<void> {
    if (this.wanted) return;
    this.wanted = true;
    try {
      await this.attach();
    } catch (error) {
      this.retryLater();
      throw error;
    }
  }

  private retryLater(): void {
    this.retry = setTimeout(() => {
      if (this.wanted && !this.connected) this.attach().catch(() => this.retryLater());
    }, this.settings.reconnectMs ?? 5000);
    this.retry.unref();
  }

  private async attach(): Promise<void> {
    await this.terminal.attach(this.settings.connector);
    this.connected = true;
    const c = this.settings.connector;
    const list = await this.terminal.connectors().catch(() => []);
    const found = list.find((i) => i.type.toLowerCase() === c.type.toLowerCase() && i.number === c.number);
    this.serverFullName = found?.name;
    this.timer = setInterval(
      () => void this.pollWorking().catch((error: unknown) => this.listeners.fault(`polling working orders failed: ${describe(error)}`)),
      this.settings.fillPollMs ?? 1000,
    );
    this.timer.unref();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retry);
    if (!this.connected) return;
    this.connected = false;
    clearInterval(this.timer);
    await this.terminal.detach(this.settings.connector);
  }

  /** UP when the terminal is up (heartbeats, polls, robot mode) and this connector says `Connect`. */
  isHealthy(): boolean {
    return this.connected && this.terminal.isUp() && this.terminal.connectorStatus(this.settings.connector) === "Connect";
  }
  /** Age of the terminal's event stream (heartbeats every 5 s, OSE-35). */
  heartbeatAgeMs(): number | null {
    const age = this.terminal.client.sinceLastFrame();
    return Number.isFinite(age) ? age : null;
  }

  onReport(listener: (r: VenueReport) => void): void {
    this.listeners.onReport(listener);
  }

  /** Numbers in OsEngine's answers we cannot book, and failures handling its input (the engine journals them as AlertRaised). */
  onAlert(listener: (alert: VenueAlert) => void): void {
    this.listeners.onAlert(listener);
  }

  async submitOrder(order: Order): Promise<void> {
    if (this.tracked.has(order.orderId)) {
      const seen = this.tracked.get(order.orderId);
      // A resend of an order we never sent goes out; anything else is not sent twice (OSE-31).
      if (seen?.state !== "notSent") return;
    }
    const t = newTracked(order.orderId, "open", order.orderQty, "");
    this.tracked.set(order.orderId, t);
    if (order.ordType !== "Market") {
      this.observe(t, {
        kind: "refused",
        reason: `${order.ordType} orders are ${NOT_SUPPORTED}: it only opens and closes positions at market`,
      });
      return;
    }
    const mode = this.terminal.terminalMode();
    if (!/OsTrader/i.test(mode)) {
      // Robots also exist in the tester and optimizer (OSE-25): an order there would not reach the broker.
      this.observe(t, {
        kind: "refused",
        reason: `OsEngine is in mode ${mode}, not the robots (OsTrader) mode; orders would not reach ${this.name}`,
      });
      return;
    }
    let tab: Tab;
    try {
      tab = await this.tabFor(order.symbol);
    } catch (error) {
      const reason = refusal(error);
      if (reason === undefined) {
        t.state = "notSent";
        throw error;
      }
      this.observe(t, { kind: "refused", reason: `robot tab for ${order.symbol} could not be set up: ${reason}` });
      return;
    }
    t.botName = tab.bot;
    await this.locked(tab, () => this.send(order, t, tab));
  }

  async cancelOrder(order: Order): Promise<void> {
    const reason = `cancel is ${NOT_SUPPORTED}: it has no cancel, no order ids and no order status; a market order cannot be withdrawn`;
    queueMicrotask(() => this.emit({ kind: "cancelRejected", orderId: order.orderId, reason }));
    throw new Error(reason);
  }

  async modifyOrder(order: Order, _changes: OrderChanges): Promise<void> {
    const reason = `modify is ${NOT_SUPPORTED}: it has no cancel/replace or amend; only opening and closing at market`;
    queueMicrotask(() => this.emit({ kind: "replaceRejected", orderId: order.orderId, reason }));
    throw new Error(reason);
  }

  /**
   * There is no order status by id (OSE-30): an order this adapter sent is resolved by reading its
   * position in the tab and the journal. One it does not know is not reported as unknown (that
   * would make the engine resend it, and a resend opens another position, OSE-31): it throws, so
   * reconciliation flags the outcome as unknown for a human.
   */
  async getOrderStatus(orderId: string): Promise<VenueOrderStatus> {
    const t = this.tracked.get(orderId);
    if (!t) throw new Error(`${this.name}: OsEngine's MCP API has no order status by id; ${orderId} was not sent by this adapter run`);
    if (t.state === "notSent") return { orderId, known: false };
    if (t.state === "unknown" || t.state === "sending")
      throw new Error(`${this.name}: outcome of ${orderId} still unknown; resolving from the tab's positions and journal`);
    if (t.state === "working") await this.refresh(t).catch((error: unknown) => this.readFailed(error, t.orderId));
    return {
      orderId,
      known: true,
      state: t.state === "working" ? "working" : t.state === "filled" ? "filled" : "rejected",
      orderQty: t.orderQty,
      price: null,
      cumQty: t.cumQty,
      fills: [...t.fills],
      reason: t.reason,
    };
  }

  /** The connector's portfolio positions (server_instance_get_portfolios), mapped back to our symbols. */
  async getPositions(): Promise<VenuePosition[]> {
    const c = this.settings.connector;
    const tool = "server_instance_get_portfolios";
    const data = (await this.terminal.client.callTool(tool, { type: c.type, number: c.number }, EXACT)) as {
      portfolios?: { number: string; positions?: { securityNameCode: string; valueCurrent: unknown }[] }[];
    };
    const portfolio = data.portfolios?.find((p) => str(p.number) === this.settings.portfolio);
    const bySecurity = new Map(Object.entries(this.settings.securities ?? {}).map(([symbol, s]) => [s.name, symbol]));
    try {
      return (portfolio?.positions ?? []).map((p) => ({
        symbol: bySecurity.get(p.securityNameCode) ?? p.securityNameCode,
        qty: dec(p.valueCurrent, tool, `${p.securityNameCode}.valueCurrent`),
      }));
    } catch (error) {
      this.readFailed(error, null);
      throw error;
    }
  }

  /** Reconciliation input: OsEngine's own robots-vs-portfolio comparison (compare_positions_get, OSE-33); `Error` rows are mismatches. */
  async comparePositions(): Promise<{ portfolio: string; security: string; robots: Decimal; portfolioQty: Decimal; mismatch: boolean }[]> {
    const c = this.settings.connector;
    const tool = "compare_positions_get";
    const data = (await this.terminal.client.callTool(tool, { server_type: c.type, number: c.number }, EXACT)) as {
      portfolios?: {
        portfolio_name: string;
        securities?: { security: string; status: string; robots_common: unknown; portfolio_common: unknown }[];
      }[];
    };
    try {
      return (data.portfolios ?? []).flatMap((p) =>
        (p.securities ?? []).map((s) => ({
          portfolio: p.portfolio_name,
          security: s.security,
          robots: dec(s.robots_common, tool, `${s.security}.robots_common`),
          portfolioQty: dec(s.portfolio_common, tool, `${s.security}.portfolio_common`),
          mismatch: s.status === "Error",
        })),
      );
    } catch (error) {
      this.readFailed(error, null);
      throw error;
    }
  }

  /** What the adapter knows of an order it sent (tests and diagnostics). */
  trackedOrder(orderId: string): Readonly<TrackedOrder> | undefined {
    return this.tracked.get(orderId);
  }

  // ---- sending -------------------------------------------------------------------------------

  private async send(order: Order, t: TrackedOrder, tab: Tab): Promise<void> {
    const client = this.terminal.client;
    const base = { bot_id: tab.bot, tab_name: tab.tab };
    let positions: Map<number, PositionView>;
    try {
      positions = await this.readTab(tab);
    } catch (error) {
      this.readFailed(error, t.orderId);
      const reason = error instanceof OsEngineDataError ? `not sent: ${error.message}` : refusal(error);
      if (reason === undefined) {
        t.state = "notSent";
        throw error;
      }
      this.observe(t, { kind: "refused", reason });
      return;
    }
    const wanted = order.side === "Buy" ? "long" : "short";
    // What is still open once our own closes in flight are done: a position being closed keeps its
    // open volume until the close fills, and closing it again would reverse it.
    const closing = new Map<number, Decimal>();
    for (const o of this.tracked.values()) {
      if (o.action !== "close" || o.state !== "working" || o.positionNumber === null || o.botName !== tab.bot) continue;
      closing.set(o.positionNumber, money.add(closing.get(o.positionNumber) ?? "0", money.sub(o.orderQty, o.cumQty)));
    }
    const opposite = [...positions.values()]
      .filter((p) => !p.closed && p.direction !== wanted && p.direction !== "none")
      .map((p) => ({ ...p, openVolume: money.sub(p.openVolume, closing.get(p.number) ?? "0") }))
      .filter((p) => money.isPositive(p.openVolume));
    let call: () => Promise<unknown>;
    let find: (now: Map<number, PositionView>) => PositionView | undefined;
    if (opposite.length > 0) {
      // Reduce an opposite position: OsEngine closes by position number only (§4).
      const target = opposite.find((p) => money.gte(p.openVolume, order.orderQty));
      if (!target) {
        this.observe(t, {
          kind: "refused",
          reason: `${order.side} ${order.orderQty} ${order.symbol} would close ${opposite.map((p) => `#${p.number} (${p.openVolume})`).join(", ")} and open the rest; OsEngine closes one position at a time — send the close and the open as separate orders`,
        });
        return;
      }
      t.action = "close";
      t.baseline = target.openVolume;
      call = () =>
        client.callTool(
          "bot_position_close_at_market",
          { ...base, position_number: target.number, volume: Number(order.orderQty) },
          { timeoutMs: this.settings.orderTimeoutMs, sendOnce: true, ...EXACT },
        );
      find = (now) => {
        const p = now.get(target.number);
        return p && (p.closed || money.lt(p.openVolume, t.baseline)) ? p : undefined;
      };
    } else {
      const before = new Set(positions.keys());
      call = () =>
        client.callTool(
          "bot_position_open_at_market",
          { ...base, side: order.side, volume: Number(order.orderQty), security_name: tab.security },
          { timeoutMs: this.settings.orderTimeoutMs, sendOnce: true, ...EXACT },
        );
      // The tab is locked, so a position number we had not seen, in our direction, is ours.
      find = (now) => [...now.values()].find((p) => !before.has(p.number) && p.direction === wanted);
    }
    let answer: Json;
    try {
      answer = (await call()) as Json;
    } catch (error) {
      const reason = refusal(error);
      if (reason !== undefined) {
        this.observe(t, { kind: "refused", reason });
        return;
      }
      // Timed out or the connection broke: the call may have run. Never resend (OSE-31); read the tab.
      t.state = "unknown";
      t.reason = String(error);
      await this.resolveUnknown(t, tab, find);
      return;
    }
    const number = Number(answer.position_number);
    this.observe(t, { kind: "submitted", positionNumber: number });
    try {
      if (t.action === "open") this.observe(t, { kind: "position", view: this.viewFromOpen(answer, "bot_position_open_at_market") });
    } catch (error) {
      this.readFailed(error, t.orderId); // the position is ours and working: later reads book its fills
    }
    await this.refresh(t).catch((error: unknown) => this.readFailed(error, t.orderId));
  }

  /** Reads the tab until the timed-out call shows up, or, after the grace period with reads answering, takes it as not done. */
  private async resolveUnknown(t: TrackedOrder, tab: Tab, find: (now: Map<number, PositionView>) => PositionView | undefined) {
    const grace = this.settings.unknownGraceMs ?? 30_000;
    const deadline = Date.now() + grace;
    let answeredAfterDeadline = false;
    while (this.connected && t.state === "unknown") {
      await sleep(this.settings.fillPollMs ?? 1000);
      let now: Map<number, PositionView>;
      try {
        now = await this.readTab(tab);
      } catch (error) {
        this.readFailed(error, t.orderId);
        continue;
      }
      const found = find(now);
      if (found) {
        this.observe(t, { kind: "submitted", positionNumber: found.number });
        this.observe(t, { kind: "position", view: found });
        return;
      }
      if (answeredAfterDeadline) {
        this.observe(t, {
          kind: "refused",
          reason: `the ${t.action} call timed out and no matching position appeared in ${tab.tab} within ${grace} ms (read bot_position_get_open and bot_journal_*); not resent`,
        });
        return;
      }
      if (Date.now() >= deadline) answeredAfterDeadline = true;
    }
  }

  private viewFromOpen(p: Json, tool: string): PositionView {
    const at = `position ${str(p.position_number)}`;
    return {
      number: Number(p.position_number),
      direction: direction(p.direction),
      state: str(p.state),
      openVolume: dec(p.open_volume, tool, `${at} open_volume`),
      volume: null,
      entryPrice: dec(p.entry_price, tool, `${at} entry_price`),
      closePrice: null,
      closed: false,
    };
  }

  /**
   * The tab's positions: bot_position_get_open, overlaid with the journal's open and closed (failed
   * included) positions. No `limit`: the journal pages newest first, and a page boundary could hide a
   * position from the before-snapshot and make it look new. The robot is Fillmore's alone, so its journal stays small.
   */
  private async readTab(tab: Tab): Promise<Map<number, PositionView>> {
    const client = this.terminal.client;
    const open = (await client.callTool("bot_position_get_open", { bot_id: tab.bot, tab_name: tab.tab }, EXACT)) as { positions?: Json[] };
    const jOpen = (await client.callTool("bot_journal_get_open_positions", { bot_name: tab.bot }, EXACT)) as { positions?: Json[] };
    const jClosed = (await client.callTool("bot_journal_get_closed_positions", { bot_name: tab.bot, include_failed: true }, EXACT)) as {
      positions?: Json[];
    };
    const views = new Map<number, PositionView>();
    for (const p of open.positions ?? []) views.set(Number(p.position_number), this.viewFromOpen(p, "bot_position_get_open"));
    const fromJournal = (p: Json, closed: boolean): PositionView => {
      const tool = closed ? "bot_journal_get_closed_positions" : "bot_journal_get_open_positions";
      const at = `position ${str(p.number)}`;
      return {
        number: Number(p.number),
        direction: direction(p.direction),
        state: str(p.state),
        openVolume: closed ? "0" : dec(p.open_volume, tool, `${at} open_volume`),
        volume: p.volume === undefined ? null : dec(p.volume, tool, `${at} volume`),
        entryPrice: dec(p.entry_price, tool, `${at} entry_price`),
        closePrice: p.close_price === undefined || p.close_price === null ? null : dec(p.close_price, tool, `${at} close_price`),
        closed,
      };
    };
    for (const p of jOpen.positions ?? []) {
      const v = fromJournal(p, false);
      const known = views.get(v.number);
      views.set(v.number, known ? { ...v, direction: v.direction === "none" ? known.direction : v.direction } : v);
    }
    for (const p of jClosed.positions ?? []) views.set(Number(p.number), fromJournal(p, true));
    return views;
  }

  private async refresh(t: TrackedOrder): Promise<void> {
    const tab = [...this.tabs.values()];
    for (const pending of tab) {
      const resolved = await pending.catch(() => undefined);
      if (!resolved || resolved.bot !== t.botName || t.positionNumber === null) continue;
      const views = await this.readTab(resolved);
      const view = views.get(t.positionNumber);
      if (view) this.observe(t, { kind: "position", view });
    }
  }

  /** Reads positions of working orders (there are no order events, OSE-30), one read per tab. */
  private async pollWorking(): Promise<void> {
    const working = [...this.tracked.values()].filter((t) => t.state === "working" && t.positionNumber !== null);
    if (working.length === 0) return;
    for (const pending of this.tabs.values()) {
      const tab = await pending.catch(() => undefined);
      const mine = working.filter((t) => t.botName === tab?.bot);
      if (!tab || mine.length === 0) continue;
      const views = await this.readTab(tab).catch((error: unknown) => this.readFailed(error, null));
      if (!views) continue;
      for (const t of mine) {
        const view = t.positionNumber === null ? undefined : views.get(t.positionNumber);
        if (view) this.observe(t, { kind: "position", view });
      }
    }
  }

  // ---- robot tab provisioning ------------------------------------------------------------------

  private tabFor(symbol: string): Promise<Tab> {
    let tab = this.tabs.get(symbol);
    if (!tab) {
      tab = this.provision(symbol);
      tab.catch(() => this.tabs.delete(symbol));
      this.tabs.set(symbol, tab);
    }
    return tab;
  }

  /** Finds or creates the robot for this connector and security, and points its Simple tab at them (bot_create, bot_set_config_tab_simple). */
  private async provision(symbol: string): Promise<Tab> {
    const client = this.terminal.client;
    const c = this.settings.connector;
    const security = this.settings.securities?.[symbol] ?? { name: symbol };
    const bot = `${this.settings.botPrefix ?? "fillmore"}_${c.type}${c.number}_${security.name}`.replace(/[^A-Za-z0-9_]/g, "_");
    const list = (await client.callTool("bot_get_list")) as { bots?: { name: string }[] };
    if (!list.bots?.some((b) => b.name === bot)) await client.callTool("bot_create", { strategy_name: this.settings.strategy, name: bot });
    const sources = (await client.callTool("bot_get_sources", { bot_id: bot })) as { sources?: { type: string; name: string }[] };
    const simple = sources.sources?.find((s) => s.type === "Simple");
    if (!simple) throw new McpToolError("bot_get_sources", `strategy ${this.settings.strategy} has no Simple tab`);
    const config: Json = {
      bot_id: bot,
      tab_name: simple.name,
      server_type: c.type,
      portfolio_name: this.settings.portfolio,
      security_name: security.name,
      emulator_is_on: this.settings.emulator ?? false,
    };
    if (this.serverFullName) config.server_full_name = this.serverFullName;
    if (security.class) config.security_class = security.class;
    const applied = (await client.callTool("bot_set_config_tab_simple", config)) as Json;
    // Unknown keys and bad values are ignored silently: check what the tab says it took.
    if (
      str(applied.security_name) !== security.name ||
      str(applied.portfolio_name) !== this.settings.portfolio ||
      Boolean(applied.emulator_is_on) !== (this.settings.emulator ?? false)
    )
      throw new McpToolError(
        "bot_set_config_tab_simple",
        `tab ${simple.name} did not take the configuration (security ${str(applied.security_name)}, portfolio ${str(applied.portfolio_name)}, emulator ${str(applied.emulator_is_on)})`,
      );
    return { bot, tab: simple.name, security: security.name, lock: Promise.resolve() };
  }

  private async locked(tab: Tab, fn: () => Promise<void>): Promise<void> {
    const previous = tab.lock;
    let release = () => {};
    tab.lock = new Promise<void>((r) => {
      release = r;
    });
    await previous;
    try {
      await fn();
    } finally {
      release();
    }
  }

  private observe(t: TrackedOrder, obs: Observation): void {
    for (const report of reportsFor(t, obs)) this.emit(report);
  }

  private emit(report: VenueReport): void {
    this.listeners.emit(report);
  }

  /**
   * A read that failed: one with a number we cannot book is alerted (once per distinct answer) and
   * its answer not used; others are transient and retried by the next poll, as before.
   */
  private readFailed(error: unknown, orderId: string | null): void {
    if (!(error instanceof OsEngineDataError) || this.alerted.has(error.message)) return;
    this.alerted.add(error.message);
    this.listeners.alert("VENUE_BAD_DATA", `${this.name}: ${error.message}; not booked`, orderId);
  }
}
