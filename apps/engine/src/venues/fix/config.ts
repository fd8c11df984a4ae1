import path from "node:path";
import { ORD_TYPES, type OrdType, TIME_IN_FORCES, type TimeInForce } from "@fillmore/shared";
import type { FixVenueConfig } from "./fix-venue";

/**
 * A FIX venue's session settings from its `venue.config` row, e.g.
 * `{"host":"127.0.0.1","port":5001,"beginString":"FIX.4.2","senderCompId":"FILLMORE","targetCompId":"ORDERMATCH",
 *   "heartBtInt":30,"storeDir":".data/fix","timeInForces":["DAY"]}`; `socketPath` may replace host and port.
 * Throws on anything missing or wrong.
 */
export function parseFixVenueConfig(venueId: string, raw: Record<string, unknown>): FixVenueConfig {
  const fail = (what: string): never => {
    throw new Error(`venue ${venueId}: FIX config ${what}`);
  };
  const str = (key: string): string => (typeof raw[key] === "string" && raw[key] !== "" ? (raw[key] as string) : fail(`needs ${key}`));
  const num = (key: string, fallback?: number): number => {
    const value = raw[key] ?? fallback;
    return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fail(`needs a positive integer ${key}`);
  };
  const beginString = str("beginString");
  if (beginString !== "FIX.4.2" && beginString !== "FIX.4.4") fail("beginString must be FIX.4.2 or FIX.4.4");
  const list = <T extends string>(key: string, allowed: readonly T[]): T[] | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => !allowed.includes(v))) fail(`${key} must list some of ${allowed.join(", ")}`);
    return value as T[];
  };
  const socketPath = typeof raw.socketPath === "string" && raw.socketPath !== "" ? raw.socketPath : undefined;
  return {
    host: socketPath ? "localhost" : str("host"),
    port: socketPath ? 0 : num("port"),
    ...(socketPath ? { socketPath } : {}),
    beginString: beginString as FixVenueConfig["beginString"],
    senderCompId: str("senderCompId"),
    targetCompId: str("targetCompId"),
    heartBtInt: num("heartBtInt", 30),
    storeDir: path.resolve(typeof raw.storeDir === "string" ? raw.storeDir : path.join(".data", "fix", venueId)),
    reconnectMs: num("reconnectMs", 1000),
    statusTimeoutMs: num("statusTimeoutMs", 3000),
    connectTimeoutMs: num("connectTimeoutMs", 10_000),
    resetOnLogon: raw.resetOnLogon === true,
    durability:
      raw.durability === undefined || raw.durability === "fsync"
        ? "fsync"
        : raw.durability === "os"
          ? "os"
          : fail("durability must be fsync or os"),
    ordTypes: list<OrdType>("ordTypes", ORD_TYPES),
    timeInForces: list<TimeInForce>("timeInForces", TIME_IN_FORCES),
    modify: raw.modify === undefined ? undefined : raw.modify === true,
  };
}
