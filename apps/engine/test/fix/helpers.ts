import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { newOrder, type Order, type SubmitOrderInput, submitOrderInput } from "@fillmore/shared";
import type pg from "pg";
import type { VenueReport } from "../../src/venues/adapter";
import { FixVenue, type FixVenueConfig } from "../../src/venues/fix/fix-venue";
import { type Harness, until as untilValue } from "../harness";
import type { Acceptor } from "./quickfix";

let counter = 0;
const run = Date.now().toString(36);

/** An order as the engine sends it, built by the real constructor from input that passed the real schema. */
export function order(input: Partial<SubmitOrderInput> = {}, orderId = `O${run}-${++counter}`): Order {
  const parsed = submitOrderInput.parse({
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    price: "10.5",
    orderQty: "100",
    timeInForce: "DAY",
    ...input,
  });
  const received = newOrder(parsed, { orderId, clOrdId: orderId, actor: "user:alice", now: "2025-01-02T14:30:00.000000Z" });
  return { ...received, ordStatus: "Submitted", venueId: "FIX", lastSeq: counter };
}

export interface Client {
  venue: FixVenue;
  reports: VenueReport[];
  lines: string[];
  config: FixVenueConfig;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A FIX venue adapter logged on to the acceptor, collecting every report and the wire log. */
export async function client(
  acceptor: Acceptor,
  options: Partial<FixVenueConfig> & Pick<FixVenueConfig, "beginString" | "senderCompId" | "targetCompId">,
): Promise<Client> {
  const config: FixVenueConfig = {
    host: "127.0.0.1",
    port: acceptor.port,
    heartBtInt: 30,
    storeDir: tempDir("fix-client-"),
    reconnectMs: 100,
    ...options,
  };
  const lines: string[] = [];
  const venue = new FixVenue("FIX", config, (line) => lines.push(line));
  const reports: VenueReport[] = [];
  venue.onReport((r) => reports.push(r));
  await withTimeout(venue.connect(), 5000, () => `logon: ${lines.join("\n")}`);
  return { venue, reports, lines, config };
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function until(condition: () => boolean, what: () => string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const kinds = (reports: readonly VenueReport[], orderId?: string) =>
  reports.filter((r) => orderId === undefined || r.orderId === orderId).map((r) => r.kind);

/** Lines of the wire log whose message type is `msgType`, in the given direction. */
export const wire = (lines: readonly string[], dir: ">>" | "<<", msgType: string) =>
  lines.filter((l) => l.includes(` ${dir} `) && l.includes(`|35=${msgType}|`));

/**
 * Makes QuickFIX executor (FIX 4.4, limit DAY orders only) the database's only venue, QF-EXEC, as an
 * engine started on that database will load it.
 */
export async function useExecutorAsOnlyVenue(pool: pg.Pool, acceptor: Acceptor, extra: Record<string, unknown> = {}): Promise<void> {
  const config = {
    host: "127.0.0.1",
    port: acceptor.port,
    beginString: "FIX.4.4",
    senderCompId: "FILLMORE",
    targetCompId: "EXECUTOR",
    heartBtInt: 30,
    storeDir: tempDir("fix-engine-"),
    ordTypes: ["Limit"],
    timeInForces: ["DAY"],
    ...extra,
  };
  await pool.query("UPDATE venue SET enabled = false");
  await pool.query("INSERT INTO venue (id, name, kind, config) VALUES ('QF-EXEC', 'QuickFIX executor', 'fix', $1)", [
    JSON.stringify(config),
  ]);
}

/**
 * Buys 100 AAPL through the harness's engine (a limit at the ask, or a market order) and waits
 * until the order is Filled or Rejected.
 */
export async function buyAaplAndSettle(h: Harness, clOrdId: string, ordType: "Limit" | "Market" = "Limit"): Promise<Order> {
  const engine = h.engine;
  if (!engine) throw new Error("engine not started");
  const quote = engine.feed.quote("AAPL");
  if (!quote) throw new Error("no quote");
  const result = await engine.orders.submit(
    {
      clOrdId,
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType,
      timeInForce: "DAY",
      orderQty: "100",
      ...(ordType === "Limit" ? { price: quote.ask } : {}),
    },
    "user:alice",
  );
  return untilValue(() => {
    const order = engine.orders.get(result.order.orderId);
    return order?.ordStatus === "Filled" || order?.ordStatus === "Rejected" ? order : undefined;
  });
}
