import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSystemHealth, readSupervisor, watchEngineState } from "./system-health";

const dir = mkdtempSync(path.join(tmpdir(), "fillmore-system-health-"));
const supervisorFile = path.join(dir, "supervisor.json");
let engineHealth: { code: number; body: unknown } = { code: 200, body: {} };
const engine = http.createServer((_req, res) => {
  res.writeHead(engineHealth.code, { "content-type": "application/json" });
  res.end(JSON.stringify(engineHealth.body));
});
let engineUrl = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
  engineUrl = `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => engine.close(() => resolve())));

const okEngine = {
  status: "ok",
  version: "0.1.0",
  pid: 4242,
  startedAt: "2026-11-29T20:00:00.000Z",
  uptimeS: 60,
  liveOrders: 7,
  journal: { lastSeq: 105, committedSeq: 100, queued: 5, healthy: true },
  lastCheckpoint: { seq: 90, ts: new Date(Date.now() - 30_000).toISOString() },
  venues: [{ venueId: "SIM-FAST", state: "UP", connected: true }],
};
const database = async () => ({ version: "18.4", uptimeS: 120 });
const supervisor = (engineState: string, restarts: number) =>
  writeFileSync(
    supervisorFile,
    JSON.stringify({
      launcher: { pid: 1, startedAt: new Date(Date.now() - 90_000).toISOString() },
      database: { kind: "embedded" },
      processes: {
        engine: {
          name: "engine",
          state: engineState,
          pid: null,
          restarts,
          runningSince: null,
          lastExit: { code: null, signal: "SIGKILL", at: "2026-11-29T20:01:00.000Z" },
        },
      },
    }),
  );

describe("system health", () => {
  it("is ok with every part answering, and reports lag, checkpoint age, venues, restarts", async () => {
    engineHealth = { code: 200, body: okEngine };
    supervisor("running", 1);
    const health = await checkSystemHealth({ engineUrl, queryDatabase: database, streamState: () => "connected", supervisorFile });
    expect(health).toMatchObject({
      status: "ok",
      console: { engineStream: "connected", pid: process.pid },
      engine: { state: "running", reachable: true, status: "ok", restarts: 1, pid: 4242, liveOrders: 7, lastExit: { signal: "SIGKILL" } },
      database: { reachable: true, version: "18.4", uptimeS: 120 },
      journal: { lag: 5, healthy: true, tradingBlocked: null },
      lastCheckpoint: { seq: 90 },
      venues: [{ venueId: "SIM-FAST", state: "UP" }],
      launcher: { pid: 1 },
    });
    expect(health.lastCheckpoint?.ageS).toBeGreaterThanOrEqual(29);
    expect(health.launcher?.uptimeS).toBeGreaterThanOrEqual(89);
  });

  it("says the engine is restarting while the launcher restarts it, and is degraded", async () => {
    supervisor("restarting", 2);
    const health = await checkSystemHealth({
      engineUrl: "http://127.0.0.1:1",
      queryDatabase: database,
      streamState: () => "disconnected",
      supervisorFile,
    });
    expect(health).toMatchObject({
      status: "degraded",
      console: { engineStream: "disconnected" },
      engine: { state: "restarting", reachable: false, status: "unreachable", restarts: 2 },
      journal: null,
      venues: [],
    });
    expect(health.engine.error).toBeTruthy();
  });

  it("is degraded when the database does not answer, or the engine's journal is not healthy", async () => {
    engineHealth = { code: 200, body: okEngine };
    const noDb = await checkSystemHealth({
      engineUrl,
      queryDatabase: () => Promise.reject(new Error("ECONNREFUSED")),
      streamState: () => "connected",
    });
    expect(noDb).toMatchObject({
      status: "degraded",
      database: { reachable: false, error: "ECONNREFUSED" },
      launcher: null,
      engine: { state: "running", restarts: null },
    });
    engineHealth = {
      code: 503,
      body: { ...okEngine, status: "degraded", journal: { ...okEngine.journal, healthy: false, tradingBlocked: "chain broken" } },
    };
    const blocked = await checkSystemHealth({ engineUrl, queryDatabase: database });
    expect(blocked).toMatchObject({ status: "degraded", engine: { status: "degraded" }, journal: { tradingBlocked: "chain broken" } });
  });

  it("ignores a launcher file it cannot read or that is not the launcher's shape", () => {
    writeFileSync(supervisorFile, "{ not json");
    expect(readSupervisor(supervisorFile)).toBeNull();
    writeFileSync(supervisorFile, JSON.stringify({ processes: "engine" }));
    expect(readSupervisor(supervisorFile)).toBeNull();
    expect(readSupervisor(path.join(dir, "missing.json"))).toBeNull();
  });
});

describe("watching the engine's state", () => {
  it("tells the launcher's state while the stream is lost, each change once, and again after the stream returns", async () => {
    const told: string[] = [];
    let stale = false;
    supervisor("running", 0);
    const stop = watchEngineState(
      supervisorFile,
      () => stale,
      (s) => told.push(s),
      10,
    );
    const tick = () => new Promise((r) => setTimeout(r, 40));
    await tick();
    expect(told).toEqual([]);
    stale = true;
    supervisor("restarting", 1);
    await tick();
    supervisor("running", 1);
    await tick();
    stale = false;
    await tick();
    stale = true;
    await tick();
    stop();
    expect(told).toEqual(["restarting", "running", "running"]);
  });
});
