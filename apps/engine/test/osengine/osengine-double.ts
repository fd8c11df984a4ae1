/**
 * A test double of OsEngine's MCP API: a real node:http server on 127.0.0.1 reproducing the wire
 * behaviour in /work/shared/osengine/MCP-PROTOCOL.md (points OSE-n) for the tools the adapter
 * uses, with failure injection. It keeps its own count of position opens, so tests can prove
 * that one submission never opens two positions (OSE-31).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

export interface DoubleConnector {
  type: string;
  number: number;
  name: string;
  status: "Connect" | "Disconnect";
  portfolios: { number: string; positions: { securityNameCode: string; valueCurrent: number }[] }[];
  /** server_instance.* events flow only for connectors connected through the API (OSE-22). */
  connectedViaApi: boolean;
}

export interface DoublePosition {
  number: number;
  bot: string;
  security: string;
  side: "Buy" | "Sell";
  state: string;
  volume: number;
  openVolume: number;
  entryPrice: number;
  closePrice: number;
}

interface DoubleBot {
  number: number;
  name: string;
  className: string;
  tab: string;
  config: Json;
}

interface Session {
  id: string;
  initialized: boolean;
  logging: boolean;
  stream: http.ServerResponse | undefined;
}

export interface DoubleOptions {
  apiKey?: string;
  /** Allowed client addresses (OSE-2); default 127.0.0.1 and ::1. */
  allowedIps?: string[];
  /** false: an older terminal without the v2 route (404 on /api/v2/mcp). */
  v2?: boolean;
  heartbeatMs?: number;
  /** How long a market position takes to fill after the open call; null = never (manual). */
  fillDelayMs?: number | null;
  strategies?: string[];
}

/** Writes JSON as OsEngine's strict encoder does: quotes as \u0022, apostrophes as \u0027 (OSE-19). */
export function strictJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") {
    let out = '"';
    for (const ch of value) {
      const code = ch.charCodeAt(0);
      if (ch === '"') out += "\\u0022";
      else if (ch === "'") out += "\\u0027";
      else if (ch === "\\") out += "\\\\";
      else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += ch;
    }
    return `${out}"`;
  }
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(strictJson).join(",")}]`;
  const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${strictJson(k)}:${strictJson(v)}`).join(",")}}`;
}

class ToolFailure extends Error {}

export class OsEngineDouble {
  readonly apiKey: string;
  allowedIps: string[];
  v2: boolean;
  mode = "IsOsTrader";
  /** Encrypted settings with the encryptor locked (OSE-4). */
  locked = false;
  fillDelayMs: number | null;
  readonly connectors: DoubleConnector[] = [
    {
      type: "TInvest",
      number: 0,
      name: "TInvest",
      status: "Connect",
      portfolios: [{ number: "2000123456", positions: [{ securityNameCode: "SBER", valueCurrent: 10 }] }],
      connectedViaApi: true,
    },
    {
      type: "Binance",
      number: 0,
      name: "Binance",
      status: "Connect",
      portfolios: [{ number: "BinanceSpot", positions: [] }],
      connectedViaApi: true,
    },
  ];
  readonly bots: DoubleBot[] = [];
  readonly positions: DoublePosition[] = [];
  prices: Record<string, number> = { SBER: 250.5, BTCUSDT: 60000 };
  /** Every bot_position_open_at_market call that created a position. */
  opens = 0;
  /** Every tool call by name, in order. */
  readonly calls: { name: string; args: Json }[] = [];
  /** Requests refused at the gate, by status. */
  readonly refused: number[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly v1Streams = new Set<http.ServerResponse>();
  private readonly toolErrors = new Map<string, string[]>();
  private readonly delays = new Map<string, number[]>();
  private readonly disconnectOnOpen = new Set<string>();
  private readonly rewrites = new Map<string, (text: string) => string>();
  private positionSeq = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly strategies: string[];
  private server: http.Server | undefined;
  port = 0;

  constructor(private readonly options: DoubleOptions = {}) {
    this.apiKey = options.apiKey ?? "osengine-mcp-default-key";
    this.allowedIps = options.allowedIps ?? ["127.0.0.1", "::1"];
    this.v2 = options.v2 ?? true;
    this.fillDelayMs = options.fillDelayMs === undefined ? 20 : options.fillDelayMs;
    this.strategies = options.strategies ?? ["FillmoreBlank", "TwoTimeFramesBot"];
  }

  get url(): string {
    return `http://localhost:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.heartbeat = setInterval(() => this.publish("heartbeat", { time: new Date().toISOString() }), this.options.heartbeatMs ?? 50);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const s of this.sessions.values()) s.stream?.end();
    for (const s of this.v1Streams) s.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The terminal process restarts: sessions are in memory and are lost (OSE-12); positions survive in its journal. */
  async restart(): Promise<void> {
    const port = this.port;
    await this.stop();
    this.sessions.clear();
    this.v1Streams.clear();
    await this.start(port);
  }

  /** Makes the next `times` calls of a tool answer isError with this message. */
  failTool(name: string, message: string, times = 1): void {
    this.toolErrors.set(name, [...(this.toolErrors.get(name) ?? []), ...Array<string>(times).fill(message)]);
  }

  /** Makes the next call of a tool answer only after `ms` (the tool itself runs at once). */
  delayTool(name: string, ms: number): void {
    this.delays.set(name, [...(this.delays.get(name) ?? []), ms]);
  }

  /** The connector drops right after it accepts the next open: the position stays Opening. */
  /**
   * Rewrites the JSON text the named tools answer from now on: numbers as a C# terminal writes them
   * (`123456789.123456789`), which JSON.stringify of a double cannot, or garbage.
   */
  rewriteAnswers(names: string[], fn: (text: string) => string): void {
    for (const name of names) this.rewrites.set(name, fn);
  }

  disconnectAfterNextOpen(type: string): void {
    this.disconnectOnOpen.add(type.toLowerCase());
  }

  setConnectorStatus(type: string, number: number, status: "Connect" | "Disconnect"): void {
    const c = this.connector(type, number);
    if (!c || c.status === status) return;
    c.status = status;
    if (c.connectedViaApi) this.publish("server_instance.status_changed", { type: c.type, number: c.number, status });
  }

  /** Fills positions still Opening (manual fill mode), at the current price. */
  fillOpening(): void {
    for (const p of this.positions) if (p.state === "Opening") this.fill(p);
  }

  openPositions(bot?: string): DoublePosition[] {
    return this.positions.filter((p) => (bot === undefined || p.bot === bot) && !["Done", "OpeningFail"].includes(p.state));
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private deny(res: http.ServerResponse, status: number, text: string): void {
    this.refused.push(status);
    res.writeHead(status, { "content-type": "text/plain" }).end(text);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ip = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    // OSE-1 gate order: IP list → (locked mode) → key → route.
    if (!this.allowedIps.includes(ip)) return this.deny(res, 403, "Forbidden: IP not allowed"); // OSE-2
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (this.locked && (await this.lockedGate(req, res, path))) return; // OSE-4
    if (req.headers["x-api-key"] !== this.apiKey) return this.deny(res, 401, "Unauthorized"); // OSE-3
    if (path === "/api/v2/mcp" && this.v2) return this.v2Route(req, res);
    if (path === "/api/v1/mcp" && req.method === "POST") return this.v1Post(req, res);
    if (path === "/api/v1/events" && req.method === "GET") return this.v1Events(res);
    return this.deny(res, 404, "Not found");
  }

  private readonly bodies = new WeakMap<http.IncomingMessage, Promise<unknown>>();

  private body(req: http.IncomingMessage): Promise<unknown> {
    let body = this.bodies.get(req);
    if (!body) {
      body = (async () => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        try {
          return JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return undefined;
        }
      })();
      this.bodies.set(req, body);
    }
    return body;
  }

  /** OSE-4: with the encryptor locked only initialize (v2) and encryption_unlock pass, without a key. */
  private async lockedGate(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> {
    const locked = "Encryptor is locked. Call encryption_unlock first (no API key required)";
    if (req.method !== "POST") {
      this.deny(res, 401, locked);
      return true;
    }
    const m = ((await this.body(req)) ?? {}) as Json;
    const unlock = m.method === "tools/call" && (m.params as Json | undefined)?.name === "encryption_unlock";
    if (path === "/api/v2/mcp" && !(m.method === "initialize" || unlock)) {
      this.deny(res, 401, locked);
      return true;
    }
    if (path === "/api/v1/mcp" && m.id !== undefined && !unlock) {
      this.answer(res, {
        jsonrpc: "2.0",
        result: null,
        error: { code: -32601, message: "Encryptor is locked. Only encryption_unlock is available (no API key required)", data: null },
        id: m.id,
      });
      return true;
    }
    return false;
  }

  private async v2Route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const sessionHeader = req.headers["mcp-session-id"] as string | undefined;
    if (req.method === "DELETE") {
      // OSE-11
      if (!sessionHeader) return this.deny(res, 400, "Mcp-Session-Id header is required");
      if (!this.sessions.delete(sessionHeader)) return this.deny(res, 404, "Session not found");
      res.writeHead(200).end();
      return;
    }
    if (req.method !== "POST" && req.method !== "GET") return this.deny(res, 405, "Method Not Allowed");
    const version = req.headers["mcp-protocol-version"] as string | undefined;
    if (version !== undefined && version !== "2024-11-05") return this.deny(res, 400, `Invalid MCP-Protocol-Version: ${version}`); // OSE-9
    if (req.method === "GET") {
      // OSE-35
      if (!sessionHeader) return this.deny(res, 400, "Mcp-Session-Id header is required");
      const session = this.sessions.get(sessionHeader);
      if (!session) return this.deny(res, 404, "Session not found");
      session.stream?.end(); // a second GET replaces the first
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(": connected\n\n");
      session.stream = res;
      this.writeV2(res, "notice", "terminal.launched", { mode: this.mode });
      res.on("close", () => {
        if (session.stream === res) session.stream = undefined;
      });
      return;
    }
    const message = await this.body(req);
    if (typeof message !== "object" || message === null || Array.isArray(message)) return this.deny(res, 400, "Invalid JSON-RPC message"); // OSE-10
    const m = message as Json;
    if (m.id === undefined) {
      // OSE-7
      if (m.method === "notifications/initialized" && sessionHeader) {
        const s = this.sessions.get(sessionHeader);
        if (s) s.initialized = true;
      }
      res.writeHead(202).end();
      return;
    }
    if (m.method === "initialize") {
      // OSE-6
      const id = randomBytes(16).toString("hex");
      const params = (m.params ?? {}) as Json;
      const caps = (params.capabilities ?? {}) as Json;
      this.sessions.set(id, { id, initialized: false, logging: caps.logging !== undefined, stream: undefined });
      return this.answer(res, { jsonrpc: "2.0", result: this.initResult(), id: m.id }, { "mcp-session-id": id });
    }
    if (!sessionHeader) return this.deny(res, 400, "Mcp-Session-Id header is required"); // OSE-8
    if (!this.sessions.has(sessionHeader)) return this.deny(res, 404, "Session not found"); // OSE-8, OSE-12
    const out = await this.dispatch(m, "v2");
    // OSE-13: v2 omits nulls.
    return this.answer(res, out.error ? { jsonrpc: "2.0", error: out.error, id: m.id } : { jsonrpc: "2.0", result: out.result, id: m.id });
  }

  private async v1Post(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const message = await this.body(req);
    if (typeof message !== "object" || message === null || Array.isArray(message))
      return this.answer(res, { jsonrpc: "2.0", result: null, error: { code: -32700, message: "Parse error", data: null }, id: null }); // OSE-10
    const m = message as Json;
    if (m.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    let out: { result?: unknown; error?: Json };
    if (m.method === "initialize") {
      const v = String(((m.params ?? {}) as Json).protocolVersion ?? "");
      out =
        v === "2024-11-05"
          ? { result: this.initResult() }
          : { error: { code: -32603, message: `Unsupported protocol version '${v}'. Supported: 2024-11-05` } }; // OSE-20
    } else {
      out = await this.dispatch(m, "v1");
    }
    // OSE-13: v1 always has result and error, one null, error.data null.
    return this.answer(res, {
      jsonrpc: "2.0",
      result: out.result ?? null,
      error: out.error ? { ...out.error, data: null } : null,
      id: m.id,
    });
  }

  private v1Events(res: http.ServerResponse): void {
    // OSE-34
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    this.v1Streams.add(res);
    res.write(
      `event: terminal.launched\ndata: ${strictJson({ event: "terminal.launched", timestamp: new Date().toISOString(), payload: {} })}\n\n`,
    );
    res.on("close", () => this.v1Streams.delete(res));
  }

  private initResult(): Json {
    return {
      protocolVersion: "2024-11-05",
      capabilities: { tools: {}, logging: {} },
      serverInfo: { name: "osengine-mcp", version: "2.0.0.0" },
    };
  }

  private answer(res: http.ServerResponse, body: Json, headers: Record<string, string> = {}): void {
    res.writeHead(200, { "content-type": "application/json", ...headers }).end(strictJson(body)); // OSE-5
  }

  private publish(event: string, payload: unknown): void {
    for (const s of this.sessions.values()) {
      // OSE-35: notifications only to sessions that declared logging and sent notifications/initialized.
      if (s.stream && s.logging && s.initialized) this.writeV2(s.stream, event === "heartbeat" ? "debug" : "notice", event, payload);
    }
    for (const r of this.v1Streams)
      r.write(`event: ${event}\ndata: ${strictJson({ event, timestamp: new Date().toISOString(), payload })}\n\n`);
  }

  private writeV2(res: http.ServerResponse, level: string, event: string, payload: unknown): void {
    const note = { jsonrpc: "2.0", method: "notifications/message", params: { level, logger: "osengine", data: { event, payload } } };
    res.write(`event: message\ndata: ${strictJson(note)}\n\n`);
  }

  // ---- JSON-RPC and tools ------------------------------------------------------------------------

  private async dispatch(m: Json, transport: "v1" | "v2"): Promise<{ result?: unknown; error?: Json }> {
    if (m.method === "tools/list") return { result: { tools: [{ name: "ping", description: "ping", inputSchema: { type: "object" } }] } };
    if (m.method !== "tools/call") return { error: { code: -32601, message: `Method '${String(m.method)}' not found. Use tools/call.` } }; // OSE-14
    const params = m.params;
    if (typeof params !== "object" || params === null || Array.isArray(params))
      return { error: { code: -32603, message: "Parameters must be an object" } }; // OSE-15
    const name = (params as Json).name;
    if (typeof name !== "string") return { error: { code: -32603, message: "Parameter 'name' is required" } };
    const args = (params as Json).arguments;
    this.calls.push({ name, args: (args ?? {}) as Json });
    let text: string;
    let isError = false;
    try {
      const injected = this.toolErrors.get(name)?.shift();
      if (injected !== undefined) throw new ToolFailure(injected);
      if (typeof args !== "object" || args === null || Array.isArray(args)) throw new ToolFailure("Parameters must be an object"); // OSE-18
      const data = this.tool(name, args as Json);
      text = JSON.stringify(data);
      text = this.rewrites.get(name)?.(text) ?? text;
    } catch (error) {
      if (!(error instanceof ToolFailure)) throw error;
      text = error.message;
      isError = true;
    }
    const delay = this.delays.get(name)?.shift();
    if (delay) await new Promise((r) => setTimeout(r, delay));
    // OSE-19 (double-encoded text), v1 in PascalCase.
    return transport === "v2"
      ? { result: { content: [{ type: "text", text }], isError } }
      : { result: { Content: [{ Type: "text", Text: text }], IsError: isError } };
  }

  private connector(type: string, number: number): DoubleConnector | undefined {
    return this.connectors.find((c) => c.type.toLowerCase() === type.toLowerCase() && c.number === number);
  }

  private instance(args: Json, key = "type"): DoubleConnector {
    const type = args[key];
    if (typeof type !== "string") throw new ToolFailure(`Parameter '${key}' is required and must be a string`); // OSE-17
    const number = Number(args.number ?? 0);
    const c = this.connector(type, number);
    if (!c) {
      if (!this.connectors.some((x) => x.type.toLowerCase() === type.toLowerCase())) throw new ToolFailure(`Unknown server type '${type}'`);
      throw new ToolFailure(`Server ${type}#${number} not found`);
    }
    return c;
  }

  private bot(args: Json): DoubleBot {
    if (!/OsTrader|IsTester/.test(this.mode))
      throw new ToolFailure("Robot master is not available. Open a mode that supports robots first."); // OSE-25
    const id = args.bot_id;
    // OSE-26: a number is a 1-based index; a string is an exact name.
    const bot = typeof id === "number" ? this.bots[id - 1] : this.bots.find((b) => b.name === id);
    if (!bot) throw new ToolFailure(typeof id === "number" ? `Bot number ${id} is out of range` : `Bot '${String(id)}' not found`);
    return bot;
  }

  private tab(args: Json): DoubleBot {
    const bot = this.bot(args);
    if (args.tab_name !== bot.tab) throw new ToolFailure(`Tab '${String(args.tab_name)}' not found`);
    return bot;
  }

  private positionJson(p: DoublePosition): Json {
    return {
      position_number: p.number,
      security_name: p.security,
      direction: p.side,
      state: p.state,
      open_volume: p.openVolume,
      entry_price: p.entryPrice,
    };
  }

  private journalJson(p: DoublePosition): Json {
    return {
      number: p.number,
      bot_name: p.bot,
      security_name: p.security,
      direction: p.side === "Buy" ? "Long" : "Short",
      state: p.state,
      open_time: null,
      close_time: null,
      entry_price: p.entryPrice,
      close_price: p.closePrice,
      volume: p.volume,
      open_volume: p.openVolume,
      profit_abs: 0,
      profit_percent: 0,
      commission: 0,
    };
  }

  private fill(p: DoublePosition): void {
    const bot = this.bots.find((b) => b.name === p.bot);
    const c = this.connectors.find((x) => x.type === bot?.config.server_type);
    if (c?.status !== "Connect") return; // a disconnected connector fills nothing
    p.state = "Open";
    p.openVolume = p.volume;
    p.entryPrice = this.prices[p.security] ?? 100;
  }

  private later(fn: () => void): void {
    if (this.fillDelayMs === null) return;
    setTimeout(fn, this.fillDelayMs);
  }

  private tool(name: string, args: Json): unknown {
    switch (name) {
      case "ping":
        return "pong";
      case "terminal_get_status":
        return { mode: this.mode, version: "2.0.0.0", processStarted: new Date().toISOString(), isMainWindowVisible: true };
      case "server_management_get_list":
        return this.connectors.map((c) => ({ name: c.name, type: c.type, status: c.status, number: c.number }));
      case "server_instance_get_status": {
        const c = this.instance(args);
        return { type: c.type, number: c.number, status: c.status };
      }
      case "server_instance_get_portfolios": {
        const c = this.instance(args);
        return {
          type: c.type,
          number: c.number,
          count: c.portfolios.length,
          portfolios: c.portfolios.map((p) => ({
            number: p.number,
            valueBegin: 100000,
            valueCurrent: 101250.5,
            valueBlocked: 0,
            unrealizedPnl: 0,
            serverType: c.type,
            serverUniqueName: c.name,
            positions: p.positions.map((x) => ({ ...x, securityNameClass: "TQBR", valueBegin: 0, valueBlocked: 0, unrealizedPnl: 0 })),
          })),
        };
      }
      case "compare_positions_get": {
        const c = this.instance(args, "server_type"); // OSE-33
        return {
          portfolios: c.portfolios.map((p) => ({
            portfolio_name: p.number,
            is_watched: true,
            securities: p.positions.map((x) => {
              const robots = this.openPositions()
                .filter((o) => o.security === x.securityNameCode)
                .reduce((s, o) => s + (o.side === "Buy" ? o.openVolume : -o.openVolume), 0);
              return {
                security: x.securityNameCode,
                status: robots === x.valueCurrent ? "Normal" : "Error",
                robots_long: 0,
                robots_short: 0,
                robots_common: robots,
                portfolio_long: 0,
                portfolio_short: 0,
                portfolio_common: x.valueCurrent,
                is_ignored: false,
              };
            }),
            securities_count: p.positions.length,
          })),
          count: c.portfolios.length,
        };
      }
      case "bot_get_list":
        if (!/OsTrader|IsTester/.test(this.mode))
          throw new ToolFailure("Robot master is not available. Open a mode that supports robots first.");
        return { bots: this.bots.map((b) => ({ number: b.number, class_name: b.className, name: b.name })), count: this.bots.length };
      case "bot_create": {
        if (!/OsTrader|IsTester/.test(this.mode))
          throw new ToolFailure("Robot master is not available. Open a mode that supports robots first.");
        const strategy = String(args.strategy_name ?? "");
        if (!this.strategies.includes(strategy)) throw new ToolFailure(`Unknown strategy: ${strategy}`);
        const botName = String(args.name ?? `${strategy}${this.bots.length + 1}`);
        const bot: DoubleBot = { number: this.bots.length + 1, name: botName, className: strategy, tab: `${botName}tab0`, config: {} };
        this.bots.push(bot);
        return { number: bot.number, class_name: bot.className, name: bot.name };
      }
      case "bot_get_sources": {
        const bot = this.bot(args);
        return { sources: [{ type: "Simple", name: bot.tab }], count: 1 };
      }
      case "bot_set_config_tab_simple":
      case "bot_get_config_tab_simple": {
        const bot = this.tab(args);
        if (name === "bot_set_config_tab_simple") {
          // Unknown keys are ignored; only known ones are taken.
          for (const key of [
            "server_type",
            "server_full_name",
            "portfolio_name",
            "emulator_is_on",
            "security_name",
            "security_class",
            "time_frame",
          ])
            if (args[key] !== undefined) bot.config[key] = args[key];
        }
        return {
          server_type: bot.config.server_type ?? "None",
          server_full_name: bot.config.server_full_name ?? "",
          portfolio_name: bot.config.portfolio_name ?? "",
          emulator_is_on: bot.config.emulator_is_on ?? false,
          commission_type: "None",
          commission_value: 0,
          security_class: bot.config.security_class ?? "",
          security_name: bot.config.security_name ?? "",
          events_is_on: true,
          candle_market_data_type: "Tick",
          candle_create_method_type: "Simple",
          time_frame: "Min1",
          save_trades_in_candles: false,
          build_non_trading_candles: false,
        };
      }
      case "bot_position_get_open": {
        const bot = this.tab(args);
        const positions = this.openPositions(bot.name).map((p) => this.positionJson(p));
        return { positions, count: positions.length };
      }
      case "bot_position_open_at_market": {
        const bot = this.tab(args);
        const side = args.side;
        if (side !== "Buy" && side !== "Sell") throw new ToolFailure(`Unknown side '${String(side)}'. Expected: Buy, Sell`); // OSE-28
        if (typeof args.volume !== "number") throw new ToolFailure("volume is required and must be a number");
        if (args.volume <= 0) throw new ToolFailure("volume must be greater than 0");
        if (args.price !== undefined && args.is_fake !== true) throw new ToolFailure("price is allowed only with is_fake=true");
        const security = String(bot.config.security_name ?? "");
        if (args.security_name !== undefined && args.security_name !== security)
          throw new ToolFailure(`Security mismatch: tab '${bot.tab}' trades ${security}, got ${String(args.security_name)}`); // OSE-27
        const c = this.connectors.find((x) => x.type === bot.config.server_type);
        if (!security || !bot.config.portfolio_name || c?.status !== "Connect")
          throw new ToolFailure(
            `Position was not created on tab '${bot.tab}'. Check the tab configuration (security, portfolio) and the robot log`,
          ); // OSE-29
        this.positionSeq += 1;
        this.opens += 1; // OSE-31: every successful call opens one more position
        const p: DoublePosition = {
          number: this.positionSeq,
          bot: bot.name,
          security,
          side,
          state: "Opening", // OSE-30: a submission snapshot, not a fill
          volume: args.volume,
          openVolume: 0,
          entryPrice: 0,
          closePrice: 0,
        };
        this.positions.push(p);
        if (c && this.disconnectOnOpen.delete(c.type.toLowerCase())) this.setConnectorStatus(c.type, c.number, "Disconnect");
        this.later(() => this.fill(p));
        return this.positionJson(p);
      }
      case "bot_position_close_at_market": {
        const bot = this.tab(args);
        const number = Number(args.position_number);
        const p = this.openPositions(bot.name).find((x) => x.number === number);
        if (!p) throw new ToolFailure(`Open position number ${number} not found in tab '${bot.tab}'`); // OSE-32
        const volume = args.volume === undefined ? p.openVolume : Number(args.volume);
        if (volume > p.openVolume) throw new ToolFailure(`volume ${volume} exceeds open volume ${p.openVolume} of position ${number}`);
        p.state = "Closing";
        this.later(() => {
          p.openVolume -= volume;
          p.closePrice = this.prices[p.security] ?? 100;
          p.state = p.openVolume === 0 ? "Done" : "Open";
        });
        return { position_number: number, closed_volume: volume, is_fake: false, state: p.state };
      }
      case "bot_journal_get_open_positions":
      case "bot_journal_get_closed_positions": {
        const botName = args.bot_name === undefined ? undefined : String(args.bot_name);
        const closed = name === "bot_journal_get_closed_positions";
        const list = this.positions.filter(
          (p) =>
            (botName === undefined || p.bot === botName) &&
            (closed
              ? p.state === "Done" || (args.include_failed === true && p.state === "OpeningFail")
              : !["Done", "OpeningFail"].includes(p.state)),
        );
        return { positions: list.map((p) => this.journalJson(p)), count: list.length };
      }
      default:
        if (name.startsWith("bot_")) throw new ToolFailure(`Method '${name}' not found in robots API`); // OSE-16
        throw new ToolFailure(`Tool '${name}' not found`);
    }
  }
}
