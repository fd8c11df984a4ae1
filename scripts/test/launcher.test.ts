// The launcher's stack (scripts/lib/stack.ts, what `npm start` runs) in a temporary data directory
// with its own embedded Postgres: a SIGKILLed engine is restarted and loses nothing acknowledged,
// the console follows it back, and a stop goes console, engine, then Postgres with no
// "connection lost" on the way. The console runs without Next's pages (no build needed).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "@fillmore/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../lib/stack";

const dataDir = mkdtempSync(path.join(tmpdir(), "fillmore-launcher-"));
const timeline: { at: number; what: string }[] = [];
const output: { at: number; name: string; line: string }[] = [];
const launcherLog: string[] = [];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    dataDir,
    webPort: await findFreePort(),
    enginePort: await findFreePort(),
    demo: false,
    demoStrategy: false,
    fixDemoVenue: false,
    childStdio: "ignore",
    consoleScript: "scripts/test/console-without-pages.ts",
    restartPolicy: { maxRestarts: 3, windowMs: 60_000, backoffMs: 100, maxBackoffMs: 1000 },
    log: (line) => launcherLog.push(line),
    onProcessChange: (s) => timeline.push({ at: Date.now(), what: `${s.name} ${s.state}` }),
    onStopped: (name) => timeline.push({ at: Date.now(), what: `${name} stopped (step done)` }),
    onOutput: (name, line) => output.push({ at: Date.now(), name, line }),
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function engineApi(method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.engineUrl}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${stack.secrets.engineToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
}

let clientSeq = 0;
const order = () => ({
  actor: "test:launcher",
  order: {
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "1",
    price: "189.00",
    timeInForce: "GTC",
    clOrdId: `launcher-${process.pid}-${++clientSeq}`,
  },
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const consoleHealthy = async () => (await fetch(`${stack.webUrl}/healthz`).catch(() => null))?.status === 200;

describe("the launcher's stack", () => {
  it("starts the engine and the console with their old-generation floors (scripts/lib/runtime-flags.mjs)", () => {
    const args = (pid: number | null | undefined) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const floor = expect.stringMatching(/^--initial-old-space-size=\d+$/);
    expect(args(stack.engine.pid)).toEqual(expect.arrayContaining(["--max-semi-space-size=16", floor]));
    expect(args(stack.processes.console.status().pid)).toEqual(expect.arrayContaining(["--max-semi-space-size=16", floor]));
  });

  it("refuses a bad ENGINE_OLD_SPACE_MB before it starts anything", async () => {
    const elsewhere = path.join(dataDir, "not-started");
    await expect(
      startStack({
        dataDir: elsewhere,
        webPort: 1,
        enginePort: 1,
        demo: false,
        demoStrategy: false,
        log: () => undefined,
        extraEngineEnv: { ENGINE_OLD_SPACE_MB: "lots" },
      }),
    ).rejects.toThrow(/ENGINE_OLD_SPACE_MB must be a whole number of megabytes.*got "lots"/);
    expect(existsSync(elsewhere)).toBe(false);
  });

  it("restarts an engine SIGKILLed under orders; every acknowledged order is there after, and trading goes on", async () => {
    const acknowledged: string[] = [];
    let sending = true;
    const sender = async () => {
      while (sending) {
        const response = await engineApi("POST", "/v1/orders", order()).catch(() => null);
        if (response?.status === 201) acknowledged.push(((await response.json()) as { order: { orderId: string } }).order.orderId);
        else await new Promise((r) => setTimeout(r, 20));
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    await until("orders acknowledged", () => acknowledged.length >= 40);
    const killed = stack.engine.pid;
    stack.engine.kill("SIGKILL");
    const ackedBeforeKill = acknowledged.length;
    await until("the engine restarted", () => stack.processes.engine.status().state === "running" && stack.engine.pid !== killed);
    sending = false;
    await Promise.all(senders);

    expect(stack.processes.engine.status()).toMatchObject({ restarts: 1, lastExit: { signal: "SIGKILL" } });
    expect(launcherLog.join("\n")).toMatch(/engine exited unexpectedly \(signal SIGKILL\)[\s\S]*engine restarted/);
    expect(acknowledged.length).toBeGreaterThanOrEqual(ackedBeforeKill);
    // Nothing acknowledged is lost: each order is found under its id.
    const missing: string[] = [];
    for (const orderId of acknowledged) {
      const response = await engineApi("GET", `/v1/orders/${orderId}`);
      if (response.status !== 200) missing.push(orderId);
    }
    expect(missing).toEqual([]);
    // Trading again.
    const after = await engineApi("POST", "/v1/orders", order());
    expect(after.status).toBe(201);
    // The console followed the engine back: its event stream reconnected (its /healthz says so).
    await until("the console reconnected", consoleHealthy);
    const health = (await (await fetch(`${stack.webUrl}/healthz`)).json()) as Record<string, Record<string, unknown>>;
    expect(health).toMatchObject({
      status: "ok",
      engine: { state: "running", restarts: 1, reachable: true },
      database: { reachable: true },
    });
    expect(health.engine?.pid).toBe(stack.engine.pid);
    const state = JSON.parse(readFileSync(stack.supervisorFile, "utf8")) as {
      processes: Record<string, { state: string; restarts: number }>;
    };
    expect(state.processes.engine).toMatchObject({ state: "running", restarts: 1 });
    expect(state.processes.console).toMatchObject({ state: "running", restarts: 0 });
  }, 180_000);

  it("stops the console, then the engine (which drains), then Postgres, with no connection-lost warnings", async () => {
    await until("the console healthy", consoleHealthy);
    const stopFrom = Date.now();
    await stack.stop();
    const steps = timeline.filter((e) => e.at >= stopFrom).map((e) => e.what);
    expect(steps).toEqual([
      "console stopping",
      "console stopped",
      "console stopped (step done)",
      "engine stopping",
      "engine stopped",
      "engine stopped (step done)",
      "database stopped (step done)",
    ]);
    // Both exited by themselves (drained), none killed.
    expect(stack.processes.console.status().lastExit).toMatchObject({ code: 0, signal: null });
    expect(stack.processes.engine.status().lastExit).toMatchObject({ code: 0, signal: null });
    const during = output.filter((o) => o.at >= stopFrom).map((o) => `${o.name}: ${o.line}`);
    expect(during.join("\n")).toMatch(/engine stopping/);
    expect(during.filter((l) => /connection lost|stream lost|terminating connection|ECONNREFUSED|ECONNRESET/i.test(l))).toEqual([]);
  }, 60_000);
});
