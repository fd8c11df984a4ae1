import { z } from "zod";
import { isDecimal } from "./money";
import { ORD_TYPES, TIME_IN_FORCES } from "./orders/enums";

/**
 * Reference data as administered: venues (with their fee schedules and capabilities), instruments and
 * trading accounts. The engine checks every venue row with `venueRowSchema` at start (a row that fails
 * disables that venue only) and every admin change with the same schemas; the console's forms use them
 * too. Unknown keys are refused (`.strict()`), so a misspelt setting is an error, not a silent default.
 */

const ID = /^[A-Z0-9][A-Z0-9_.-]{0,31}$/;
export const referenceId = (what: string) =>
  z.string().regex(ID, `${what} must be 1-32 characters: capital letters, digits, '_', '-', '.', starting with a letter or digit`);

/** A non-negative decimal, written as a string (numbers are accepted and kept as their text). */
const decimal = (what: string, opts: { positive?: boolean } = {}) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const s = String(v).trim();
    if (!isDecimal(s) || s.startsWith("-") || (opts.positive && Number(s) === 0)) {
      ctx.addIssue({
        code: "custom",
        message: `${what} must be a ${opts.positive ? "positive" : "non-negative"} decimal, not ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return s;
  });

const posInt = z.number().int().positive();
const nonNeg = z.number().nonnegative();

const feeRates = z.object({ perShare: decimal("perShare").optional(), bps: decimal("bps").optional() }).strict();
/** A venue's fee schedule (`config.fees`); apps/engine/src/positions/fees.ts charges fills by it. */
export const feeScheduleInput = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, "currency must be a 3-letter ISO code"),
    perShare: decimal("perShare").optional(),
    bps: decimal("bps").optional(),
    minimumPerOrder: decimal("minimumPerOrder").optional(),
    maker: feeRates.optional(),
    taker: feeRates.optional(),
    scale: z.number().int().min(0).max(12).optional(),
  })
  .strict();
export type FeeScheduleInput = z.infer<typeof feeScheduleInput>;

/** What every kind of venue may say: routing cost, depth, our rate limit, the fee schedule, and capabilities. */
const common = {
  /** The router's cost figure in basis points of notional. Absent (and no `fees`): cost unknown, ranked worst. */
  feeBps: nonNeg.optional(),
  depth: nonNeg.optional(),
  maxOrdersPerSecond: posInt.optional(),
  orderBurst: posInt.optional(),
  fees: feeScheduleInput.optional(),
  /** Capabilities: narrow what the adapter itself can take (the router sends nothing else). */
  ordTypes: z.array(z.enum(ORD_TYPES)).min(1).optional(),
  timeInForces: z.array(z.enum(TIME_IN_FORCES)).min(1).optional(),
  modify: z.boolean().optional(),
};

export const simVenueConfig = z
  .object({
    ...common,
    latencyMs: nonNeg.optional(),
    jitterMs: nonNeg.optional(),
    partialFillRate: z.number().min(0).max(1).optional(),
    rejectRate: z.number().min(0).max(1).optional(),
    /** A taking fill lands up to this many bps worse than its book level (the simulator's slippage character). */
    slippageBps: nonNeg.optional(),
    remote: z
      .string()
      .regex(/^[\w.-]+:\d{1,5}$/, "remote must be host:port")
      .optional(),
  })
  .strict();

export const fixVenueConfig = z
  .object({
    ...common,
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    socketPath: z.string().min(1).optional(),
    beginString: z.enum(["FIX.4.2", "FIX.4.4"]),
    senderCompId: z.string().min(1).max(64),
    targetCompId: z.string().min(1).max(64),
    heartBtInt: posInt.optional(),
    storeDir: z.string().min(1).optional(),
    reconnectMs: posInt.optional(),
    statusTimeoutMs: posInt.optional(),
    connectTimeoutMs: posInt.optional(),
    resetOnLogon: z.boolean().optional(),
    durability: z.enum(["fsync", "os"]).optional(),
  })
  .strict()
  .refine((c) => c.socketPath !== undefined || (c.host !== undefined && c.port !== undefined), {
    message: "a FIX venue needs host and port (a number), or socketPath",
    path: ["port"],
  });

export const osEngineVenueConfig = z
  .object({
    ...common,
    url: z.url(),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "apiKeyEnv is the NAME of an environment variable (never the key)"),
    connector: z.union([
      z.string().min(1),
      z.object({ type: z.string().min(1), number: z.number().int().nonnegative().optional() }).strict(),
    ]),
    portfolio: z.string().min(1),
    strategy: z.string().min(1),
    securities: z.record(z.string(), z.object({ name: z.string().min(1), class: z.string().optional() }).strict()).optional(),
    transport: z.enum(["v2", "v1", "auto"]).optional(),
    botPrefix: z.string().optional(),
    emulator: z.boolean().optional(),
    requestTimeoutMs: posInt.optional(),
    orderTimeoutMs: posInt.optional(),
    pollMs: posInt.optional(),
    fillPollMs: posInt.optional(),
    unknownGraceMs: posInt.optional(),
    heartbeatTimeoutMs: posInt.optional(),
    reconnectMs: posInt.optional(),
  })
  .strict();

export const VENUE_KINDS = ["sim", "fix", "osengine"] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];

const CONFIG_BY_KIND = { sim: simVenueConfig, fix: fixVenueConfig, osengine: osEngineVenueConfig } as const;

/** A venue row: id, name, kind, the kind's config, enabled. */
export const venueRowSchema = z
  .object({
    id: referenceId("venue id"),
    name: z.string().trim().min(1).max(128),
    kind: z.enum(VENUE_KINDS),
    config: z.record(z.string(), z.unknown()),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((row, ctx) => {
    const result = CONFIG_BY_KIND[row.kind].safeParse(row.config);
    if (!result.success)
      for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: ["config", ...issue.path] });
  });
export type VenueRowInput = z.input<typeof venueRowSchema>;

/** "HH:MM-HH:MM" in UTC, on the days listed (0 = Sunday); absent: always open. */
export const tradingHoursSchema = z
  .object({
    open: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "open must be HH:MM (UTC)"),
    close: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "close must be HH:MM (UTC)"),
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7).default([1, 2, 3, 4, 5]),
  })
  .strict();
export type TradingHours = z.infer<typeof tradingHoursSchema>;

export const instrumentSchema = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9][A-Z0-9._/-]{0,23}$/, "symbol must be 1-24 characters: capital letters, digits, '.', '_', '/', '-'"),
    name: z.string().trim().min(1).max(128),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "currency must be a 3-letter ISO code")
      .default("USD"),
    tickSize: decimal("tickSize", { positive: true }),
    lotSize: decimal("lotSize", { positive: true }),
    /** The price risk's collar measures limit prices against until the instrument has a live quote. */
    refPrice: decimal("refPrice", { positive: true }),
    tradable: z.boolean().default(true),
    tradingHours: tradingHoursSchema.nullable().default(null),
  })
  .strict();
export type InstrumentInput = z.input<typeof instrumentSchema>;

export const accountSchema = z
  .object({
    id: referenceId("account id"),
    name: z.string().trim().min(1).max(128),
  })
  .strict();

/** Why an admin change is made: journaled with it. */
export const changeReason = z.string().trim().min(10, "reason must say why, in at least 10 characters").max(500);

export const upsertVenueInput = z.object({ venue: venueRowSchema, reason: changeReason }).strict();
export const setVenueEnabledInput = z.object({ id: referenceId("venue id"), enabled: z.boolean(), reason: changeReason }).strict();
export const upsertInstrumentInput = z.object({ instrument: instrumentSchema, reason: changeReason }).strict();
export const upsertAccountInput = z.object({ account: accountSchema, reason: changeReason }).strict();
export const testVenueInput = z.object({ venue: venueRowSchema }).strict();

/** One step of a connection test (FIX: connect, logon, heartbeat, logout; OsEngine: its status tool). */
export interface ConnectionTestStep {
  step: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/** Reference data as GET /v1/admin/reference answers it (the Admin pages). */
export interface AdminVenueView {
  id: string;
  name: string;
  kind: VenueKind;
  config: Record<string, unknown>;
  enabled: boolean;
  /** running; draining (disabled, working orders still manageable); disabled (not running); invalid (its row failed its checks). */
  state: "running" | "draining" | "disabled" | "invalid";
  reason: string | null;
  connected: boolean;
  workingOrders: number;
  capabilities: {
    ordTypes: readonly string[];
    timeInForces: readonly string[];
    modify: boolean;
    cancel: boolean;
    nativeStops: boolean;
  } | null;
}
export interface AdminInstrumentView {
  symbol: string;
  name: string;
  currency: string;
  tickSize: string;
  lotSize: string;
  refPrice: string;
  tradable: boolean;
  tradingHours: TradingHours | null;
}
export interface AdminReferenceView {
  venues: AdminVenueView[];
  instruments: AdminInstrumentView[];
  accounts: { id: string; name: string }[];
}
export interface ConnectionTestView {
  ok: boolean;
  steps: ConnectionTestStep[];
}
