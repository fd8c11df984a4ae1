import { McpClient, type McpClientOptions, type McpEvent } from "./mcp-client";
import { OsEngineVenue, type OsEngineVenueSettings } from "./osengine-venue";

/** A connector instance inside OsEngine: one broker or exchange connection (ServerType + number). */
export interface ConnectorRef {
  type: string;
  number: number;
}

export interface ConnectorInfo extends ConnectorRef {
  /** The instance's full name, used as `server_full_name` on robot tabs. */
  name: string;
  status: string;
}

export interface OsEngineTerminalOptions extends McpClientOptions {
  /** How often terminal_get_status and server_instance_get_status are polled. */
  pollMs?: number;
  /** The event stream is considered dead after this long without a frame (heartbeats come every 5 s). */
  heartbeatTimeoutMs?: number;
  /** Set when the key's environment variable is missing: attaching fails with this message. */
  missingKey?: string;
}

/** "TInvest", "TInvest#1" or {type, number}. */
export function parseConnector(value: unknown): ConnectorRef {
  if (typeof value === "object" && value !== null) {
    const v = value as { type?: unknown; number?: unknown };
    return { type: String(v.type), number: Number(v.number ?? 0) };
  }
  const [type = "", number = "0"] = String(value).split("#");
  return { type, number: Number(number) };
}

export const connectorKey = (c: ConnectorRef): string => `${c.type.toLowerCase()}#${c.number}`;

const ROBOT_MODES = /OsTrader/i;

/**
 * One OsEngine terminal: one MCP session and event stream shared by every connector instance in
 * it, each of which is one Fillmore venue. Health comes from heartbeats (OSE-35),
 * `server_instance.status_changed` events (OSE-21, 22) and polling `terminal_get_status` and
 * `server_instance_get_status` (the events only flow for connectors connected through the API).
 */
export class OsEngineTerminal {
  readonly client: McpClient;
  private readonly statuses = new Map<string, string>();
  private readonly watched = new Map<string, ConnectorRef>();
  private users = 0;
  private timer: NodeJS.Timeout | undefined;
  private mode = "unknown";
  private lastPollOkAt = 0;
  private polling: Promise<void> | undefined;
  private readonly statusListeners: (() => void)[] = [];
  private readonly faultListeners: ((what: string, error: unknown) => void)[] = [];

  constructor(private readonly options: OsEngineTerminalOptions) {
    this.client = new McpClient(options);
    this.client.onEvent((e) => this.onEvent(e));
    this.client.onFault((what, error) => this.fault(what, error));
  }

  /** Handling the terminal's events or polls failed (a listener threw): reported here, never thrown into a stream or timer. */
  onFault(listener: (what: string, error: unknown) => void): void {
    this.faultListeners.push(listener);
  }

  private fault(what: string, error: unknown): void {
    for (const listener of this.faultListeners) {
      try {
        listener(what, error);
      } catch {
        // a fault listener that fails has nowhere left to report
      }
    }
  }

  /** Every connector instance the terminal has (server_management_get_list). */
  async connectors(): Promise<ConnectorInfo[]> {
    const list = (await this.client.callTool("server_management_get_list")) as {
      name: string;
      type: string;
      status: string;
      number: number;
    }[];
    return list.map((c) => ({ name: c.name, type: c.type, number: Number(c.number ?? 0), status: c.status }));
  }

  /** One venue per connector instance in the terminal. */
  async discoverVenues(settings: Omit<OsEngineVenueSettings, "connector">, name = (c: ConnectorInfo) => `${c.type}#${c.number}`) {
    const found = await this.connectors();
    return found.map((c) => new OsEngineVenue(name(c), this, { ...settings, connector: { type: c.type, number: c.number } }));
  }

  venue(name: string, settings: OsEngineVenueSettings): OsEngineVenue {
    return new OsEngineVenue(name, this, settings);
  }

  /** Called by each venue's connect(): the first one starts the session, stream and polling. */
  async attach(connector: ConnectorRef): Promise<void> {
    if (this.options.missingKey) throw new Error(this.options.missingKey);
    this.watched.set(connectorKey(connector), connector);
    this.users += 1;
    if (!this.timer) {
      try {
        await this.client.initialize();
      } catch (error) {
        this.users -= 1;
        this.watched.delete(connectorKey(connector));
        throw error;
      }
      this.client.startEvents();
      this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 5000);
      this.timer.unref();
    }
    await this.poll();
  }

  async detach(connector: ConnectorRef): Promise<void> {
    this.watched.delete(connectorKey(connector));
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      await this.client.close();
    }
  }

  onStatusChange(listener: () => void): void {
    this.statusListeners.push(listener);
  }

  /** Terminal up: event stream alive, last poll answered, and a mode that has robots (OSE-25). */
  isUp(now = Date.now()): boolean {
    const timeout = this.options.heartbeatTimeoutMs ?? 15_000;
    return this.users > 0 && this.client.sinceLastFrame(now) < timeout && now - this.lastPollOkAt < timeout && ROBOT_MODES.test(this.mode);
  }

  connectorStatus(connector: ConnectorRef): string | undefined {
    return this.statuses.get(connectorKey(connector));
  }

  terminalMode(): string {
    return this.mode;
  }

  /** Polls now (coalescing concurrent calls). */
  poll(): Promise<void> {
    if (!this.polling) {
      this.polling = this.doPoll().finally(() => {
        this.polling = undefined;
      });
    }
    return this.polling;
  }

  private async doPoll(): Promise<void> {
    try {
      const status = (await this.client.callTool("terminal_get_status")) as { mode?: string };
      this.mode = String(status.mode ?? "unknown");
      for (const c of this.watched.values()) {
        const s = (await this.client.callTool("server_instance_get_status", { type: c.type, number: c.number })) as { status?: string };
        this.setStatus(c, String(s.status ?? "Disconnect"));
      }
      this.lastPollOkAt = Date.now();
    } catch {
      this.lastPollOkAt = 0;
      this.notify();
    }
  }

  private onEvent(e: McpEvent): void {
    if (e.event === "server_instance.status_changed") {
      const p = (e.payload ?? {}) as { type?: string; number?: number; status?: string };
      this.setStatus({ type: String(p.type), number: Number(p.number ?? 0) }, String(p.status));
    } else if (e.event === "terminal.mode_changed" || e.event === "terminal.stopped") {
      void this.poll();
    }
  }

  private setStatus(c: ConnectorRef, status: string): void {
    const key = connectorKey(c);
    if (this.statuses.get(key) === status) return;
    this.statuses.set(key, status);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.statusListeners) {
      try {
        listener();
      } catch (error) {
        this.fault("status listener", error);
      }
    }
  }
}
