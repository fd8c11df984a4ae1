/**
 * Client for OsEngine's MCP API (see /work/shared/osengine/MCP-PROTOCOL.md, points OSE-n).
 *
 * v2 Streamable HTTP: one path `/api/v2/mcp` — POST JSON-RPC, GET SSE, DELETE ends the session —
 * with `Mcp-Session-Id` and `MCP-Protocol-Version: 2024-11-05`. v1 (`/api/v1/mcp` +
 * `/api/v1/events`, no session) is the fallback when the terminal has no v2 route.
 */

import { parseJsonExact } from "./exact-json";

export const MCP_PROTOCOL_VERSION = "2024-11-05";

export type McpTransport = "v2" | "v1";

/** The terminal answered with a non-200 status and a text/plain body (OSE-1..4, 8..11). */
export class McpHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`OsEngine MCP HTTP ${status}: ${body}`);
  }
}

/** A JSON-RPC error object (OSE-13..15, 20). */
export class McpRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`OsEngine MCP error ${code}: ${message}`);
  }
}

/** A tool answered `isError: true`; `toolMessage` is the plain text it gave (OSE-16, 17, 29, 32). */
export class McpToolError extends Error {
  constructor(
    readonly tool: string,
    readonly toolMessage: string,
  ) {
    super(`${tool}: ${toolMessage}`);
  }
}

/** No answer in time: the call may or may not have run inside the terminal. */
export class McpTimeoutError extends Error {
  constructor(
    readonly tool: string,
    readonly timeoutMs: number,
  ) {
    super(`${tool}: no answer from OsEngine within ${timeoutMs} ms; outcome unknown`);
  }
}

/** One event from the terminal's stream, v1 and v2 frames normalised (OSE-34, 35). */
export interface McpEvent {
  event: string;
  payload: unknown;
}

export interface McpClientOptions {
  /** Base URL, e.g. `http://localhost:6500` (the terminal wants host `localhost`). */
  url: string;
  apiKey: string;
  /** "auto" tries v2 and falls back to v1 when the v2 path is missing (404 on initialize). */
  transport?: McpTransport | "auto";
  requestTimeoutMs?: number;
  clientName?: string;
  /** Delay before reopening a dropped event stream. */
  reconnectMs?: number;
}

type JsonObject = Record<string, unknown>;

/**
 * Decodes a tool result envelope: one text item whose text is (usually) JSON, v1 or v2 casing (OSE-19).
 * With `exactNumbers`, the text's numbers come back as JsonNumber (their exact source text).
 */
export function decodeToolResult(tool: string, result: unknown, exactNumbers = false): unknown {
  const r = (result ?? {}) as JsonObject;
  const content = (r.content ?? r.Content) as JsonObject[] | undefined;
  const isError = Boolean(r.isError ?? r.IsError);
  const first = content?.[0];
  const text = first ? String(first.text ?? first.Text ?? "") : "";
  if (isError) throw new McpToolError(tool, text);
  try {
    return exactNumbers ? parseJsonExact(text) : JSON.parse(text);
  } catch {
    return text;
  }
}

export class McpClient {
  private transport: McpTransport | undefined;
  private sessionId: string | undefined;
  private nextId = 1;
  private initializing: Promise<void> | undefined;
  private readonly eventListeners: ((e: McpEvent) => void)[] = [];
  private readonly frameListeners: (() => void)[] = [];
  private readonly faultListeners: ((what: string, error: unknown) => void)[] = [];
  private stream: AbortController | undefined;
  private streamWanted = false;
  private lastFrameAt = 0;
  private lastHeartbeatAt = 0;
  /** How many times a session was (re)established: more than one means the session was lost. */
  sessions = 0;

  constructor(private readonly options: McpClientOptions) {}

  get protocol(): McpTransport | undefined {
    return this.transport;
  }

  get session(): string | undefined {
    return this.sessionId;
  }

  /** Milliseconds since the event stream last delivered anything (frame, comment or heartbeat). */
  sinceLastFrame(now = Date.now()): number {
    return this.lastFrameAt === 0 ? Number.POSITIVE_INFINITY : now - this.lastFrameAt;
  }

  sinceLastHeartbeat(now = Date.now()): number {
    return this.lastHeartbeatAt === 0 ? Number.POSITIVE_INFINITY : now - this.lastHeartbeatAt;
  }

  onEvent(listener: (e: McpEvent) => void): void {
    this.eventListeners.push(listener);
  }

  onFrame(listener: () => void): void {
    this.frameListeners.push(listener);
  }

  /** A stream listener threw: it is reported here instead of ending the stream. */
  onFault(listener: (what: string, error: unknown) => void): void {
    this.faultListeners.push(listener);
  }

  /** Calls a stream listener; what it throws goes to the fault listeners, never into the stream reader. */
  private deliver(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      for (const listener of this.faultListeners) {
        try {
          listener(what, error);
        } catch {
          // a fault listener that fails has nowhere left to report
        }
      }
    }
  }

  /** Handshake: `initialize` (declaring logging so notifications flow, OSE-35), then `notifications/initialized` (OSE-7). */
  async initialize(): Promise<void> {
    if (!this.initializing) {
      this.initializing = this.doInitialize().finally(() => {
        this.initializing = undefined;
      });
    }
    return this.initializing;
  }

  private async doInitialize(): Promise<void> {
    const wanted = this.options.transport ?? "auto";
    const params = {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: { logging: {} },
      clientInfo: { name: this.options.clientName ?? "fillmore", version: "0.1.0" },
    };
    if (wanted !== "v1") {
      try {
        const { headers } = await this.post("v2", { jsonrpc: "2.0", id: this.nextId++, method: "initialize", params }, "initialize");
        const id = headers.get("mcp-session-id");
        if (!id) throw new Error("OsEngine answered initialize without an Mcp-Session-Id header");
        this.transport = "v2";
        this.sessionId = id;
        this.sessions += 1;
        await this.post("v2", { jsonrpc: "2.0", method: "notifications/initialized" }, "notifications/initialized");
        return;
      } catch (error) {
        // An OsEngine without the v2 route answers 404 Not found (OSE-1); anything else is a real failure.
        if (wanted === "v2" || !(error instanceof McpHttpError && error.status === 404)) throw error;
      }
    }
    await this.post("v1", { jsonrpc: "2.0", id: this.nextId++, method: "initialize", params }, "initialize");
    this.transport = "v1";
    this.sessionId = undefined;
    this.sessions += 1;
  }

  /**
   * Calls a tool with `arguments` always an object (OSE-18) and returns the decoded `text`.
   * A lost session (404 `Session not found`, OSE-12) is re-initialized and the call sent again:
   * the terminal refuses such a request before any tool runs (OSE-8), so the resend is safe even
   * for an open. A timeout is never retried here.
   */
  async callTool(
    name: string,
    args: JsonObject = {},
    opts: { timeoutMs?: number; sendOnce?: boolean; exactNumbers?: boolean } = {},
  ): Promise<unknown> {
    if (!this.transport) await this.initialize();
    const body = () => ({ jsonrpc: "2.0", id: this.nextId++, method: "tools/call", params: { name, arguments: args } });
    let answer: { json: JsonObject };
    try {
      answer = await this.post(this.transport ?? "v2", body(), name, opts.timeoutMs);
    } catch (error) {
      // A pooled connection the terminal closed (restart) fails before any answer. A read is sent
      // again; an order call (`sendOnce`) is not, since it may have arrived (OSE-31).
      if (error instanceof TypeError && !opts.sendOnce) return this.callTool(name, args, { ...opts, sendOnce: true });
      if (!(this.transport === "v2" && error instanceof McpHttpError && error.status === 404 && /session/i.test(error.body))) throw error;
      this.sessionId = undefined;
      await this.initialize();
      this.restartStream();
      answer = await this.post(this.transport ?? "v2", body(), name, opts.timeoutMs);
    }
    const rpcError = answer.json.error as JsonObject | null | undefined;
    if (rpcError) throw new McpRpcError(Number(rpcError.code ?? rpcError.Code), String(rpcError.message ?? rpcError.Message));
    return decodeToolResult(name, answer.json.result, opts.exactNumbers);
  }

  /** Opens the event stream and keeps it open (reconnecting, re-initializing on 404). */
  startEvents(): void {
    this.streamWanted = true;
    if (!this.stream) void this.runStream();
  }

  /** Ends the stream and, on v2, the session (OSE-11). */
  async close(): Promise<void> {
    this.streamWanted = false;
    this.stream?.abort();
    this.stream = undefined;
    if (this.transport === "v2" && this.sessionId) {
      await fetch(this.endpoint("v2"), { method: "DELETE", headers: this.headers("v2"), signal: AbortSignal.timeout(2000) }).catch(
        () => undefined,
      );
    }
    this.sessionId = undefined;
    this.transport = undefined;
  }

  private restartStream(): void {
    if (!this.streamWanted) return;
    this.stream?.abort();
    this.stream = undefined;
    void this.runStream();
  }

  private async runStream(): Promise<void> {
    const controller = new AbortController();
    this.stream = controller;
    try {
      if (!this.transport) await this.initialize();
      const transport = this.transport ?? "v2";
      const url = transport === "v2" ? this.endpoint("v2") : new URL("/api/v1/events", this.options.url).toString();
      const response = await fetch(url, {
        method: "GET",
        headers: { ...this.headers(transport), accept: "text/event-stream" },
        signal: controller.signal,
      });
      if (response.status === 404 && transport === "v2") {
        // The terminal restarted and forgot the session (OSE-12, OSE-35).
        this.sessionId = undefined;
        this.transport = undefined;
        throw new McpHttpError(404, await response.text());
      }
      if (!response.ok || !response.body) throw new McpHttpError(response.status, await response.text());
      await this.readStream(response.body);
    } catch {
      // Stream ended or failed: health sees the silence; reconnect below.
    } finally {
      if (this.stream === controller) this.stream = undefined;
    }
    if (this.streamWanted && !controller.signal.aborted) {
      setTimeout(() => {
        if (this.streamWanted && !this.stream) void this.runStream();
      }, this.options.reconnectMs ?? 1000).unref();
    }
  }

  private async readStream(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.onStreamFrame(frame);
      }
    }
  }

  private onStreamFrame(frame: string): void {
    this.lastFrameAt = Date.now();
    for (const listener of this.frameListeners) this.deliver("stream frame listener", listener);
    let name = "message";
    const data: string[] = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue; // `: connected`, `: keep-alive` (OSE-35)
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) return;
    let parsed: JsonObject;
    try {
      parsed = JSON.parse(data.join("\n")) as JsonObject;
    } catch {
      return;
    }
    let event: McpEvent;
    if (name === "message" && parsed.method === "notifications/message") {
      // v2: notifications/message {level, logger, data:{event, payload}} (OSE-35)
      const inner = ((parsed.params as JsonObject | undefined)?.data ?? {}) as JsonObject;
      event = { event: String(inner.event ?? ""), payload: inner.payload };
    } else {
      // v1: `event: <name>` + data {event, timestamp, payload} (OSE-34)
      event = { event: String(parsed.event ?? name), payload: parsed.payload };
    }
    if (event.event === "heartbeat") this.lastHeartbeatAt = Date.now();
    for (const listener of this.eventListeners) this.deliver(`${event.event} event listener`, () => listener(event));
  }

  private endpoint(transport: McpTransport): string {
    return new URL(transport === "v2" ? "/api/v2/mcp" : "/api/v1/mcp", this.options.url).toString();
  }

  private headers(transport: McpTransport): Record<string, string> {
    const headers: Record<string, string> = { "x-api-key": this.options.apiKey };
    if (transport === "v2") {
      headers["mcp-protocol-version"] = MCP_PROTOCOL_VERSION;
      if (this.sessionId) headers["mcp-session-id"] = this.sessionId;
    }
    return headers;
  }

  private async post(
    transport: McpTransport,
    message: JsonObject,
    label: string,
    timeoutMs = this.options.requestTimeoutMs ?? 10_000,
  ): Promise<{ json: JsonObject; headers: Headers }> {
    let response: Response;
    try {
      response = await fetch(this.endpoint(transport), {
        method: "POST",
        // A fresh connection per call: a pooled one the terminal dropped (restart) would make an
        // order call fail after it may have been written, turning it unknown for nothing.
        headers: {
          ...this.headers(transport),
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          connection: "close",
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
        throw new McpTimeoutError(label, timeoutMs);
      throw error;
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
        throw new McpTimeoutError(label, timeoutMs);
      throw error;
    }
    if (response.status === 202) return { json: {}, headers: response.headers };
    if (response.status !== 200) throw new McpHttpError(response.status, text);
    return { json: JSON.parse(text) as JsonObject, headers: response.headers };
  }
}
