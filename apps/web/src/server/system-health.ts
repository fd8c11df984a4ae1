import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The health of every process, one answer: the console's GET /healthz (for monitors) and
 * system.health (the System page) both give it (docs/OPERATIONS.md, "Health").
 */
export interface SystemHealth {
  /** "ok": the console follows the engine's stream, the engine answers ok, the database answers. /healthz: 200, else 503. */
  status: "ok" | "degraded";
  checkedAt: string;
  version: string;
  console: { pid: number; startedAt: string; uptimeS: number; engineStream: "connected" | "disconnected" | "idle" | "unknown" };
  engine: {
    /** From the launcher when it runs the engine (starting, running, restarting, stopping, stopped, failed), else "unknown". */
    state: string;
    reachable: boolean;
    status: "ok" | "degraded" | "unreachable";
    restarts: number | null;
    lastExit: { code: number | null; signal: string | null; at: string } | null;
    version: string | null;
    pid: number | null;
    startedAt: string | null;
    uptimeS: number | null;
    liveOrders: number | null;
    error: string | null;
  };
  database: { reachable: boolean; latencyMs: number | null; version: string | null; uptimeS: number | null; error: string | null };
  journal: { lastSeq: number; committedSeq: number; lag: number; queued: number; healthy: boolean; tradingBlocked: string | null } | null;
  lastCheckpoint: { seq: number; ts: string; ageS: number } | null;
  venues: { venueId: string; state: string; connected: boolean }[];
  launcher: { pid: number; startedAt: string; uptimeS: number } | null;
}

const exitSchema = z.object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.string() }).nullable();
const processSchema = z.object({ state: z.string(), restarts: z.number(), lastExit: exitSchema.optional() });
/** The launcher's file (scripts/lib/supervisor-state.ts): read at a boundary, so checked. */
const supervisorSchema = z.object({
  launcher: z.object({ pid: z.number(), startedAt: z.string() }),
  processes: z.record(z.string(), processSchema),
});
type SupervisorFile = z.infer<typeof supervisorSchema>;

const engineHealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string().optional(),
  pid: z.number().optional(),
  startedAt: z.string().optional(),
  uptimeS: z.number().optional(),
  liveOrders: z.number().optional(),
  journal: z
    .object({
      lastSeq: z.number(),
      committedSeq: z.number(),
      queued: z.number(),
      healthy: z.boolean(),
      tradingBlocked: z.string().optional(),
    })
    .optional(),
  lastCheckpoint: z.object({ seq: z.number(), ts: z.string() }).nullable().optional(),
  venues: z.array(z.object({ venueId: z.string(), state: z.string(), connected: z.boolean() })).optional(),
});

export interface SystemHealthDeps {
  /** The engine's internal API (its /health needs no token). */
  engineUrl: string | undefined;
  /** One round trip to the database. */
  queryDatabase: () => Promise<{ version: string; uptimeS: number }>;
  /** This console process's following of the engine's event stream (live-orders.ts); unknown where not given. */
  streamState?: () => "connected" | "disconnected" | "idle";
  /** The launcher's state file (FILLMORE_SUPERVISOR_FILE), when the launcher runs this console. */
  supervisorFile?: string;
  timeoutMs?: number;
}

const VERSION = readVersion();
const STARTED_AT = new Date(Date.now() - process.uptime() * 1000).toISOString();

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const ageS = (iso: string, now: number) => Math.max(0, Math.round((now - Date.parse(iso)) / 1000));

/** The launcher's view, or null when no launcher runs this console (or its file is unreadable). */
export function readSupervisor(file: string | undefined): SupervisorFile | null {
  if (!file) return null;
  try {
    const parsed = supervisorSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function engineHealth(url: string | undefined, timeoutMs: number) {
  if (!url) return { error: "no engine URL" } as const;
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const parsed = engineHealthSchema.safeParse(await response.json());
    if (!parsed.success) return { error: `engine /health answered ${response.status} with an unexpected body` } as const;
    return { health: parsed.data } as const;
  } catch (error) {
    return { error: message(error) } as const;
  }
}

async function databaseHealth(deps: SystemHealthDeps, timeoutMs: number): Promise<SystemHealth["database"]> {
  const t0 = performance.now();
  try {
    const answer = await Promise.race([
      deps.queryDatabase(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return {
      reachable: true,
      latencyMs: Number((performance.now() - t0).toFixed(1)),
      version: answer.version,
      uptimeS: answer.uptimeS,
      error: null,
    };
  } catch (error) {
    return { reachable: false, latencyMs: null, version: null, uptimeS: null, error: message(error) };
  }
}

/** Asks the engine and the database (at most `timeoutMs` each, in parallel) and reads the launcher's file. */
export async function checkSystemHealth(deps: SystemHealthDeps): Promise<SystemHealth> {
  const timeoutMs = deps.timeoutMs ?? 1500;
  const [engine, database] = await Promise.all([engineHealth(deps.engineUrl, timeoutMs), databaseHealth(deps, timeoutMs)]);
  const supervisor = readSupervisor(deps.supervisorFile);
  const supervised = supervisor?.processes.engine;
  const now = Date.now();
  const h = "health" in engine ? engine.health : undefined;
  const stream = deps.streamState ? deps.streamState() : "unknown";
  const healthy = stream !== "disconnected" && h?.status === "ok" && database.reachable;
  return {
    status: healthy ? "ok" : "degraded",
    checkedAt: new Date(now).toISOString(),
    version: VERSION,
    console: { pid: process.pid, startedAt: STARTED_AT, uptimeS: Math.round(process.uptime()), engineStream: stream },
    engine: {
      state: supervised?.state ?? (h ? "running" : "unknown"),
      reachable: h !== undefined,
      status: h?.status ?? "unreachable",
      restarts: supervised?.restarts ?? null,
      lastExit: supervised?.lastExit ?? null,
      version: h?.version ?? null,
      pid: h?.pid ?? null,
      startedAt: h?.startedAt ?? null,
      uptimeS: h?.uptimeS ?? null,
      liveOrders: h?.liveOrders ?? null,
      error: "error" in engine ? (engine.error ?? null) : null,
    },
    database,
    journal: h?.journal
      ? { ...h.journal, lag: h.journal.lastSeq - h.journal.committedSeq, tradingBlocked: h.journal.tradingBlocked ?? null }
      : null,
    lastCheckpoint: h?.lastCheckpoint ? { ...h.lastCheckpoint, ageS: ageS(h.lastCheckpoint.ts, now) } : null,
    venues: h?.venues ?? [],
    launcher: supervisor ? { ...supervisor.launcher, uptimeS: ageS(supervisor.launcher.startedAt, now) } : null,
  };
}

/**
 * Tells `onState` the launcher's word on the engine each time it differs from what was last told,
 * while `stale()` (this console has lost the engine's stream); told again after the stream returns.
 */
export function watchEngineState(file: string, stale: () => boolean, onState: (state: string) => void, intervalMs = 500): () => void {
  let told: string | undefined;
  const timer = setInterval(() => {
    if (!stale()) {
      told = undefined;
      return;
    }
    const state = readSupervisor(file)?.processes.engine?.state;
    if (state === undefined || state === told) return;
    told = state;
    onState(state);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The database round trip, through the console's Prisma client: version and how long Postgres has run. */
export function databaseProbe(prisma: { $queryRaw: <T>(query: TemplateStringsArray) => Promise<T> }): SystemHealthDeps["queryDatabase"] {
  return async () => {
    const rows = await prisma.$queryRaw<{ version: string; uptime: number }[]>`
      SELECT current_setting('server_version') AS version, extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS uptime`;
    const row = rows[0];
    if (!row) throw new Error("the database answered no row");
    return { version: row.version, uptimeS: Math.round(row.uptime) };
  };
}
