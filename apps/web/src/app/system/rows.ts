import type { SystemHealth } from "../../server/system-health";

/** "3 d 4 h", "12 min 5 s", "42 s": how long, to the two largest units. */
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3600],
    ["min", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length === 0 && size === 1)) parts.push(`${n} ${name}`);
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** The word for a state, and whether it is good, bad or in between: the page's colour. */
export type Tone = "good" | "warn" | "bad";
export interface ProcessRow {
  name: string;
  state: string;
  tone: Tone;
  pid: number | null;
  uptimeS: number | null;
  version: string | null;
  detail: string;
}

const STATE_TONE: Record<string, Tone> = { running: "good", ok: "good", starting: "warn", restarting: "warn", stopping: "warn" };

function exitText(exit: SystemHealth["engine"]["lastExit"]): string {
  if (!exit) return "";
  return `last exit ${exit.signal ?? `code ${exit.code}`} at ${exit.at.slice(11, 19)}`;
}

/** Whether the engine serves as it should (then the page refreshes every 2 s; otherwise faster, to show a restart at once). */
export function engineSteady(h: Pick<SystemHealth, "engine">): boolean {
  return h.engine.reachable && (h.engine.state === "running" || h.engine.state === "unknown");
}

/** One row per process: launcher, console, engine, database. */
export function processRows(h: SystemHealth): ProcessRow[] {
  const engineState = h.engine.state === "running" && h.engine.status === "degraded" ? "degraded" : h.engine.state;
  return [
    {
      name: "Launcher",
      state: h.launcher ? "running" : "not used",
      tone: h.launcher ? "good" : "warn",
      pid: h.launcher?.pid ?? null,
      uptimeS: h.launcher?.uptimeS ?? null,
      version: null,
      detail: h.launcher ? "restarts the engine and the console if they exit" : "this console was not started by the launcher",
    },
    {
      name: "Console",
      state: "running",
      tone: h.console.engineStream === "disconnected" ? "warn" : "good",
      pid: h.console.pid,
      uptimeS: h.console.uptimeS,
      version: h.version,
      detail:
        h.console.engineStream === "idle"
          ? "engine event stream idle (followed while a page or a program watches)"
          : `engine event stream ${h.console.engineStream}`,
    },
    {
      name: "Engine",
      state: engineState,
      tone: STATE_TONE[engineState] ?? "bad",
      pid: h.engine.pid,
      uptimeS: h.engine.uptimeS,
      version: h.engine.version,
      detail: [
        h.engine.reachable ? `${h.engine.liveOrders ?? 0} live orders` : `unreachable${h.engine.error ? `: ${h.engine.error}` : ""}`,
        h.engine.restarts === null ? "" : `${h.engine.restarts} restart${h.engine.restarts === 1 ? "" : "s"}`,
        exitText(h.engine.lastExit),
      ]
        .filter(Boolean)
        .join(" · "),
    },
    {
      name: "Database",
      state: h.database.reachable ? "running" : "unreachable",
      tone: h.database.reachable ? "good" : "bad",
      pid: null,
      uptimeS: h.database.uptimeS,
      version: h.database.version ? `Postgres ${h.database.version}` : null,
      detail: h.database.reachable ? `answered in ${h.database.latencyMs} ms` : (h.database.error ?? "no answer"),
    },
  ];
}
