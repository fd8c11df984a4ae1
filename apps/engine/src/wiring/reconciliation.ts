import type { Clock } from "@fillmore/shared";
import { z } from "zod";
import type { Journal } from "../journal/journal";
import type { Logger } from "../log";
import type { OrderManager } from "../orders/order-manager";
import type { Positions } from "../positions/positions";
import { Reconciliation, type ReconciliationOptions } from "../positions/reconciliation/reconciliation";
import type { RiskSettings } from "../risk/risk-settings";
import type { BrokerAdapter } from "../venues/adapter";

/** RECON_INTERVAL_MS (default 300000; 0: start and on demand only), RECON_RESTRICT_ON_START (default true), RECON_SOURCE_TIMEOUT_MS (5000). */
export function reconciliationOptions(env: NodeJS.ProcessEnv = process.env): ReconciliationOptions {
  const parsed = z
    .object({
      RECON_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
      RECON_RESTRICT_ON_START: z.enum(["true", "false"]).default("true"),
      RECON_SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    })
    .parse(env);
  return {
    intervalMs: parsed.RECON_INTERVAL_MS,
    restrictOnStart: parsed.RECON_RESTRICT_ON_START === "true",
    sourceTimeoutMs: parsed.RECON_SOURCE_TIMEOUT_MS,
  };
}

/** Reconciliation with the brokers: created before replay (it rebuilds its breaks from the journal); `start()` once venues are connected. */
export function wireReconciliation(deps: {
  orders: OrderManager;
  risk: RiskSettings;
  positions: Positions;
  journal: Journal;
  venues: ReadonlyMap<string, BrokerAdapter>;
  clock: Clock;
  log: Logger;
}): Reconciliation {
  return new Reconciliation({ ...deps, options: reconciliationOptions() });
}
