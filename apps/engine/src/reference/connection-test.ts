import type { ConnectionTestStep } from "@fillmore/shared";
import type { BrokerAdapter } from "../venues/adapter";
import { parseFixVenueConfig } from "../venues/fix/config";
import { FixVenue } from "../venues/fix/fix-venue";
import { FixSession } from "../venues/fix/session";
import type { OsEngineVenueConfig } from "../venues/osengine/config";
import { McpClient } from "../venues/osengine/mcp-client";
import { parseConnector } from "../venues/osengine/osengine-terminal";

export interface ConnectionTestResult {
  ok: boolean;
  steps: ConnectionTestStep[];
}

/** Runs named steps in order, timing each; the first that fails ends the test (later ones would only repeat why). */
class Steps {
  readonly steps: ConnectionTestStep[] = [];
  private failed = false;

  async run(step: string, body: () => Promise<string>): Promise<boolean> {
    if (this.failed) return false;
    const t0 = performance.now();
    try {
      const detail = await body();
      this.steps.push({ step, ok: true, detail, ms: Math.round(performance.now() - t0) });
      return true;
    } catch (error) {
      this.failed = true;
      this.steps.push({
        step,
        ok: false,
        detail: error instanceof Error ? error.message : String(error),
        ms: Math.round(performance.now() - t0),
      });
      return false;
    }
  }

  result(): ConnectionTestResult {
    return { ok: !this.failed && this.steps.length > 0, steps: this.steps };
  }
}

const within = <T>(ms: number, what: string, p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * FIX: logon, heartbeat, logout, step by step, with the row's own settings and session store (so the
 * sequence numbers the venue will use later stay in step with the peer's). A venue whose session is
 * running already is not logged on twice: its live session is reported instead.
 */
export async function testFixVenue(
  venueId: string,
  config: Record<string, unknown>,
  running?: BrokerAdapter,
): Promise<ConnectionTestResult> {
  const s = new Steps();
  if (running instanceof FixVenue) {
    await s.run("live session", async () => {
      if (!running.isHealthy()) throw new Error("the venue's session is running but not logged on (it keeps reconnecting)");
      const age = running.heartbeatAgeMs?.();
      return `logged on; the venue last sent something ${age ?? "?"} ms ago (heartbeats every HeartBtInt)`;
    });
    return s.result();
  }
  let parsed: ReturnType<typeof parseFixVenueConfig> | undefined;
  await s.run("settings", async () => {
    parsed = parseFixVenueConfig(venueId, config);
    return `${parsed.beginString} ${parsed.senderCompId} → ${parsed.targetCompId} at ${parsed.socketPath ?? `${parsed.host}:${parsed.port}`}`;
  });
  if (!parsed) return s.result();
  let loggedOff = "";
  // HeartBtInt 1 for the test: the peer heartbeats every second, so the heartbeat step is quick.
  const session = new FixSession(
    { ...parsed, heartBtInt: 1, reconnectMs: 60_000 },
    { onApp: () => undefined, onLoggedOff: (reason) => (loggedOff = reason) },
  );
  const timeout = Math.min(parsed.connectTimeoutMs ?? 10_000, 10_000);
  try {
    const logonAt = Date.now();
    const loggedOn = await s.run("logon", async () => {
      await within(timeout, "logon", session.start());
      return `logged on in ${Date.now() - logonAt} ms (next sender MsgSeqNum continues the venue's store)`;
    });
    if (loggedOn) {
      await s.run("heartbeat", async () => {
        const start = Date.now();
        await within(
          3000,
          "heartbeat",
          new Promise<void>((resolve) => {
            const poll = setInterval(() => {
              const heard = session.heardFromMs();
              if (heard !== null && Date.now() - heard > start) {
                clearInterval(poll);
                resolve();
              }
            }, 50);
          }),
        );
        return `the peer's Heartbeat arrived ${Date.now() - start} ms after logon`;
      });
      await s.run("logout", async () => {
        await session.stop();
        return loggedOff ? `logged out (${loggedOff})` : "logged out";
      });
    }
  } finally {
    await session.stop().catch(() => undefined);
  }
  return s.result();
}

/** OsEngine: the API key variable, the MCP session, the terminal's status tool and the connector's status. */
export async function testOsEngineVenue(config: OsEngineVenueConfig, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionTestResult> {
  const s = new Steps();
  const apiKey = env[config.apiKeyEnv] ?? "";
  await s.run("API key", async () => {
    if (!apiKey) throw new Error(`environment variable ${config.apiKeyEnv} is not set in the engine's environment`);
    return `${config.apiKeyEnv} is set (${apiKey.length} characters; never shown)`;
  });
  const client = new McpClient({ url: config.url, apiKey, transport: config.transport ?? "auto", requestTimeoutMs: 5000 });
  try {
    await s.run("initialize", async () => {
      await client.initialize();
      return `MCP session open over ${client.protocol ?? "?"}`;
    });
    await s.run("terminal_get_status", async () => {
      const status = (await client.callTool("terminal_get_status")) as { mode?: string };
      const mode = String(status.mode ?? "unknown");
      if (!/OsTrader/i.test(mode))
        throw new Error(`terminal mode is ${mode}: open the robots mode (OsTrader); orders are refused in any other`);
      return `mode ${mode}`;
    });
    const connector = parseConnector(config.connector);
    await s.run("server_instance_get_status", async () => {
      const status = (await client.callTool("server_instance_get_status", { type: connector.type, number: connector.number })) as {
        status?: string;
      };
      const value = String(status.status ?? "unknown");
      if (value !== "Connect") throw new Error(`connector ${connector.type}#${connector.number} is ${value}, not Connect`);
      return `connector ${connector.type}#${connector.number} is Connect`;
    });
  } finally {
    await client.close().catch(() => undefined);
  }
  return s.result();
}
