import { OsEngineTerminal, parseConnector } from "./osengine-terminal";
import type { OsEngineVenue } from "./osengine-venue";

/**
 * A venue row of kind "osengine". The API key is never stored here: `apiKeyEnv` names the
 * environment variable that holds it (the key grants everything, OSE-3 and §4).
 */
export interface OsEngineVenueConfig {
  /** e.g. "http://localhost:6500" (through a tunnel to the Windows machine). */
  url: string;
  apiKeyEnv: string;
  /** Connector instance inside the terminal: "TInvest", "TInvest#1" or {type, number}. */
  connector: string | { type: string; number?: number };
  portfolio: string;
  strategy: string;
  securities?: Record<string, { name: string; class?: string }>;
  transport?: "v2" | "v1" | "auto";
  botPrefix?: string;
  emulator?: boolean;
  requestTimeoutMs?: number;
  orderTimeoutMs?: number;
  pollMs?: number;
  fillPollMs?: number;
  unknownGraceMs?: number;
  heartbeatTimeoutMs?: number;
}

const sharedTerminals = new Map<string, OsEngineTerminal>();

/** Rows pointing at the same terminal (url + key variable) share one session and event stream. */
export function createOsEngineVenue(
  name: string,
  config: OsEngineVenueConfig,
  terminals: Map<string, OsEngineTerminal> = sharedTerminals,
  env: NodeJS.ProcessEnv = process.env,
): OsEngineVenue {
  if (!config.url || !config.apiKeyEnv || !config.connector || !config.portfolio || !config.strategy)
    throw new Error(`venue ${name}: osengine config needs url, apiKeyEnv, connector, portfolio and strategy`);
  const apiKey = env[config.apiKeyEnv] ?? "";
  const missingKey = apiKey ? undefined : `venue ${name}: environment variable ${config.apiKeyEnv} (the OsEngine MCP API key) is not set`;
  const key = `${config.url}|${config.apiKeyEnv}`;
  let terminal = terminals.get(key);
  if (!terminal) {
    terminal = new OsEngineTerminal({
      url: config.url,
      apiKey,
      missingKey,
      transport: config.transport,
      requestTimeoutMs: config.requestTimeoutMs,
      pollMs: config.pollMs,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    });
    terminals.set(key, terminal);
  }
  return terminal.venue(name, {
    connector: parseConnector(config.connector),
    portfolio: config.portfolio,
    strategy: config.strategy,
    securities: config.securities,
    botPrefix: config.botPrefix,
    emulator: config.emulator,
    orderTimeoutMs: config.orderTimeoutMs,
    fillPollMs: config.fillPollMs,
    unknownGraceMs: config.unknownGraceMs,
  });
}
