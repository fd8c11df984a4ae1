/**
 * Contract tests of the MCP transport (mcp-client.ts) against the loopback OsEngine double.
 * Each test names the MCP-PROTOCOL.md points (OSE-n) it checks.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { McpClient, McpHttpError, McpRpcError, McpTimeoutError, McpToolError } from "../../src/venues/osengine/mcp-client";
import { until } from "./helpers";
import { OsEngineDouble } from "./osengine-double";

let double: OsEngineDouble;
const clients: McpClient[] = [];

function client(overrides: Partial<ConstructorParameters<typeof McpClient>[0]> = {}): McpClient {
  const c = new McpClient({ url: double.url, apiKey: double.apiKey, requestTimeoutMs: 2000, reconnectMs: 50, ...overrides });
  clients.push(c);
  return c;
}

async function raw(method: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${double.url}/api/v2/mcp`, {
    method,
    headers: { "x-api-key": double.apiKey, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

beforeEach(async () => {
  double = new OsEngineDouble();
  await double.start();
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await double.stop();
});

describe("OsEngine MCP transport contract", () => {
  it("OSE-6, OSE-7: v2 initialize gives a 32-hex session id and 2024-11-05; notifications/initialized is accepted with 202", async () => {
    const c = client();
    await c.initialize();
    expect(c.protocol).toBe("v2");
    expect(c.session).toMatch(/^[0-9a-f]{32}$/);
    const init = await raw("POST", {}, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18" } });
    expect(init.status).toBe(200);
    expect(init.headers.get("content-type")).toContain("application/json"); // OSE-5
    expect(JSON.parse(init.text).result.protocolVersion).toBe("2024-11-05");
    const note = await raw("POST", {}, { jsonrpc: "2.0", method: "notifications/initialized" });
    expect(note.status).toBe(202);
    expect(note.text).toBe("");
  });

  it("OSE-19, OSE-13: tool text is double-encoded with \\u0022 quotes and decoded to data; v2 omits error on success", async () => {
    const c = client();
    await c.initialize();
    const body = await raw(
      "POST",
      { "mcp-session-id": c.session ?? "" },
      { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "server_management_get_list", arguments: {} } },
    );
    expect(body.text).toContain("\\u0022");
    expect(JSON.parse(body.text)).not.toHaveProperty("error");
    const list = await c.callTool("server_management_get_list");
    expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ type: "TInvest", number: 0, status: "Connect" })]));
  });

  it("OSE-8, OSE-9, OSE-11: missing/unknown session, wrong protocol version, DELETE and other verbs answer text/plain errors", async () => {
    const call = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ping", arguments: {} } };
    expect(await raw("POST", {}, call)).toMatchObject({ status: 400, text: "Mcp-Session-Id header is required" });
    expect(await raw("POST", { "mcp-session-id": "0".repeat(32) }, call)).toMatchObject({ status: 404, text: "Session not found" });
    expect(await raw("POST", { "mcp-protocol-version": "2025-06-18" }, call)).toMatchObject({
      status: 400,
      text: "Invalid MCP-Protocol-Version: 2025-06-18",
    });
    const c = client();
    await c.initialize();
    expect((await raw("DELETE", { "mcp-session-id": c.session ?? "" })).status).toBe(200);
    expect((await raw("DELETE", { "mcp-session-id": c.session ?? "" })).status).toBe(404);
    expect((await raw("PUT", {})).status).toBe(405);
  });

  it("OSE-3: a wrong X-Api-Key is refused with 401 Unauthorized before anything else", async () => {
    const c = client({ apiKey: "not-the-key" });
    const error = await c.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpHttpError);
    expect(error).toMatchObject({ status: 401, body: "Unauthorized" });
  });

  it("OSE-1, OSE-2: a client address outside the allow-list gets 403 even with the right key", async () => {
    double.allowedIps = ["10.1.2.3"];
    const error = await client()
      .initialize()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, body: "Forbidden: IP not allowed" });
  });

  it("OSE-4: with the encryptor locked, initialize passes but the session cannot be used: 401 with OsEngine's message", async () => {
    double.locked = true;
    await expect(client().initialize()).rejects.toMatchObject({
      status: 401,
      body: "Encryptor is locked. Call encryption_unlock first (no API key required)",
    });
  });

  it("OSE-10, OSE-15: a non-object body is 400 on v2; tools/call without a name or with non-object params is -32603", async () => {
    const c = client();
    await c.initialize();
    const session = { "mcp-session-id": c.session ?? "" };
    expect(await raw("POST", session, [{ jsonrpc: "2.0", id: 1, method: "tools/list" }])).toMatchObject({
      status: 400,
      text: "Invalid JSON-RPC message",
    });
    const noName = await raw("POST", session, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { arguments: {} } });
    expect(JSON.parse(noName.text).error).toEqual({ code: -32603, message: "Parameter 'name' is required" });
    const badParams = await raw("POST", session, { jsonrpc: "2.0", id: 3, method: "tools/call", params: 5 });
    expect(JSON.parse(badParams.text).error).toEqual({ code: -32603, message: "Parameters must be an object" });
  });

  it("OSE-12, OSE-8: after a terminal restart the old session gets 404; the client re-initializes and the call succeeds", async () => {
    const c = client();
    await c.initialize();
    const first = c.session;
    await double.restart();
    const status = (await c.callTool("terminal_get_status")) as { mode: string };
    expect(status.mode).toBe("IsOsTrader");
    expect(c.session).not.toBe(first);
    expect(c.sessions).toBe(2);
    expect(double.refused).toContain(404);
  });

  it("OSE-16, OSE-17, OSE-18: unknown tools and bad arguments are isError with a plain message", async () => {
    const c = client();
    await expect(c.callTool("no_such_tool")).rejects.toThrow(new McpToolError("no_such_tool", "Tool 'no_such_tool' not found"));
    await expect(c.callTool("bot_fly")).rejects.toMatchObject({ toolMessage: "Method 'bot_fly' not found in robots API" });
    await expect(c.callTool("server_instance_get_status", {})).rejects.toMatchObject({
      toolMessage: "Parameter 'type' is required and must be a string",
    });
    await expect(c.callTool("server_instance_get_status", { type: "Nope" })).rejects.toMatchObject({
      toolMessage: "Unknown server type 'Nope'",
    });
  });

  it("OSE-14: a method other than initialize/tools/list/tools/call is a JSON-RPC -32601 in HTTP 200", async () => {
    const c = client();
    await c.initialize();
    const answer = await raw("POST", { "mcp-session-id": c.session ?? "" }, { jsonrpc: "2.0", id: 3, method: "ping" });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).error).toEqual({ code: -32601, message: "Method 'ping' not found. Use tools/call." });
    expect(new McpRpcError(-32601, "x").code).toBe(-32601);
  });

  it("OSE-35: the v2 stream sends heartbeats after initialize declared logging and notifications/initialized was sent", async () => {
    const c = client();
    const events: string[] = [];
    c.onEvent((e) => events.push(e.event));
    await c.initialize();
    c.startEvents();
    await until(() => events.includes("heartbeat"));
    expect(events[0]).toBe("terminal.launched");
    expect(c.sinceLastHeartbeat()).toBeLessThan(500);
  });

  it("OSE-12, OSE-35: the event stream comes back by itself after a restart (new session)", async () => {
    const c = client();
    await c.initialize();
    c.startEvents();
    await until(() => c.sinceLastHeartbeat() < 100);
    await double.restart();
    const before = c.sessions;
    await until(() => c.sessions > before, 3000);
    await new Promise((r) => setTimeout(r, 100));
    await until(() => c.sinceLastHeartbeat() < 100, 3000);
  });

  it("v1 fallback (OSE-34, OSE-13, OSE-20): without the v2 route the client uses /api/v1 with PascalCase results and v1 events", async () => {
    double.v2 = false;
    const c = client();
    await c.initialize();
    expect(c.protocol).toBe("v1");
    const status = (await c.callTool("terminal_get_status")) as { mode: string };
    expect(status.mode).toBe("IsOsTrader");
    await expect(c.callTool("server_instance_get_status", { type: "Nope" })).rejects.toBeInstanceOf(McpToolError);
    const events: string[] = [];
    c.onEvent((e) => events.push(e.event));
    c.startEvents();
    await until(() => events.includes("heartbeat"));
    expect(events[0]).toBe("terminal.launched");
    const wrong = await fetch(`${double.url}/api/v1/mcp`, {
      method: "POST",
      headers: { "x-api-key": double.apiKey },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18" } }),
    });
    const json = await wrong.json();
    expect(json).toMatchObject({
      result: null,
      error: { code: -32603, message: "Unsupported protocol version '2025-06-18'. Supported: 2024-11-05", data: null },
    });
  });

  it("a slow answer becomes McpTimeoutError (outcome unknown), never a retry", async () => {
    const c = client();
    await c.initialize();
    double.delayTool("terminal_get_status", 300);
    await expect(c.callTool("terminal_get_status", {}, { timeoutMs: 100 })).rejects.toBeInstanceOf(McpTimeoutError);
    expect(double.calls.filter((x) => x.name === "terminal_get_status")).toHaveLength(1);
  });
});
