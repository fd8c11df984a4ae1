import { describe, expect, it } from "vitest";
import type { SystemHealth } from "../../server/system-health";
import { duration, engineSteady, processRows } from "./rows";

const health: SystemHealth = {
  status: "degraded",
  checkedAt: "2026-11-29T21:00:00.000Z",
  version: "0.1.0",
  console: { pid: 10, startedAt: "2026-11-29T20:00:00.000Z", uptimeS: 3600, engineStream: "disconnected" },
  engine: {
    state: "restarting",
    reachable: false,
    status: "unreachable",
    restarts: 1,
    lastExit: { code: null, signal: "SIGKILL", at: "2026-11-29T20:59:58.000Z" },
    version: null,
    pid: null,
    startedAt: null,
    uptimeS: null,
    liveOrders: null,
    error: "fetch failed",
  },
  database: { reachable: true, latencyMs: 1.2, version: "18.4", uptimeS: 7200, error: null },
  journal: null,
  lastCheckpoint: null,
  venues: [],
  launcher: { pid: 9, startedAt: "2026-11-29T19:00:00.000Z", uptimeS: 7201 },
};

describe("System page rows", () => {
  it("says how long in the two largest units", () => {
    expect([0, 42, 65, 3600, 3661, 90_061, null].map(duration)).toEqual(["0 s", "42 s", "1 min 5 s", "1 h", "1 h 1 min", "1 d 1 h", "—"]);
  });

  it("shows a restarting engine as such, with its restarts and how it last exited", () => {
    const engine = processRows(health).find((r) => r.name === "Engine");
    expect(engine).toMatchObject({ state: "restarting", tone: "warn" });
    expect(engine?.detail).toBe("unreachable: fetch failed · 1 restart · last exit SIGKILL at 20:59:58");
    expect(processRows(health).map((r) => r.name)).toEqual(["Launcher", "Console", "Engine", "Database"]);
  });

  it("shows a running engine whose journal is unhealthy as degraded, in red", () => {
    const rows = processRows({ ...health, engine: { ...health.engine, state: "running", reachable: true, status: "degraded" } });
    expect(rows.find((r) => r.name === "Engine")).toMatchObject({ state: "degraded", tone: "bad" });
  });

  it("refreshes fast while the engine is not serving (restarting, unreachable), slowly once it runs", () => {
    expect(engineSteady(health)).toBe(false);
    expect(engineSteady({ engine: { ...health.engine, state: "running", reachable: false } })).toBe(false);
    expect(engineSteady({ engine: { ...health.engine, state: "running", reachable: true } })).toBe(true);
    expect(engineSteady({ engine: { ...health.engine, state: "unknown", reachable: true } })).toBe(true);
  });
});
