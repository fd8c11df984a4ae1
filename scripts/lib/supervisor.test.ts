import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "@fillmore/db";
import { afterEach, describe, expect, it } from "vitest";
import { backoffFor, RestartBudget, type RestartPolicy, restartPolicyFromEnv } from "./restart-policy";
import { StartupError, SupervisedProcess } from "./supervisor";

const dir = mkdtempSync(path.join(tmpdir(), "fillmore-supervisor-"));
/** A child that serves /health on PORT; with DIE_AT_START it prints an error and exits 3 before listening. */
const fakeChild = path.join(dir, "child.mjs");
writeFileSync(
  fakeChild,
  `import http from "node:http";
if (process.env.DIE_AT_START) { console.error("config: venue FIX-2 port must be a number"); process.exit(3); }
http.createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`,
);

const policy: RestartPolicy = { maxRestarts: 2, windowMs: 60_000, backoffMs: 50, maxBackoffMs: 200 };
const running: SupervisedProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function supervised(
  env: Record<string, string> = {},
  onGiveUp?: (reason: string) => void,
  onChange?: (status: ReturnType<SupervisedProcess["status"]>) => void,
) {
  const port = await findFreePort();
  const logs: string[] = [];
  const proc = new SupervisedProcess({
    name: "engine",
    command: process.execPath,
    args: [fakeChild],
    cwd: dir,
    env: { ...process.env, PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/health`,
    readyTimeoutMs: 10_000,
    policy,
    output: "ignore",
    log: (l) => logs.push(l),
    onGiveUp,
    onChange,
  });
  running.push(proc);
  return { proc, logs };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("restart policy", () => {
  it("doubles the wait per restart in the window, up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffFor({ ...policy, backoffMs: 100, maxBackoffMs: 500 }, n))).toEqual([100, 200, 400, 500, 500]);
  });

  it("allows maxRestarts within the window, then none until the oldest leaves it", () => {
    let now = 0;
    const budget = new RestartBudget(policy, () => now);
    expect(budget.take()).toEqual({ n: 1, delayMs: 50 });
    expect(budget.take()).toEqual({ n: 2, delayMs: 100 });
    expect(budget.take()).toBeNull();
    now = 60_001;
    expect(budget.take()).toEqual({ n: 1, delayMs: 50 });
  });

  it("reads FILLMORE_RESTART_* and refuses a bad value by name", () => {
    expect(restartPolicyFromEnv({ FILLMORE_RESTART_MAX: "3", FILLMORE_RESTART_WINDOW_S: "10" })).toMatchObject({
      maxRestarts: 3,
      windowMs: 10_000,
    });
    expect(restartPolicyFromEnv({})).toEqual({ maxRestarts: 5, windowMs: 300_000, backoffMs: 500, maxBackoffMs: 30_000 });
    expect(() => restartPolicyFromEnv({ FILLMORE_RESTART_MAX: "many" })).toThrow(/FILLMORE_RESTART_MAX/);
  });
});

describe("a supervised process", () => {
  it("that dies during start-up fails the start at once, quoting its last stderr lines", async () => {
    const { proc } = await supervised({ DIE_AT_START: "1" });
    const t0 = Date.now();
    const error = await proc.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect(String((error as Error).message)).toMatch(/exited during start-up \(code 3\)[\s\S]*venue FIX-2 port must be a number/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(proc.status()).toMatchObject({ state: "failed", restarts: 0 });
  });

  it("is restarted after an unexpected exit, and serves again", async () => {
    const { proc, logs } = await supervised();
    await proc.start();
    const first = proc.child?.pid;
    proc.child?.kill("SIGKILL");
    await until(() => proc.status().state === "running" && proc.child?.pid !== first);
    expect(proc.status()).toMatchObject({ restarts: 1, lastExit: { signal: "SIGKILL" } });
    expect(logs.join("\n")).toMatch(/engine exited unexpectedly \(signal SIGKILL\)[\s\S]*restart 1 of at most 2[\s\S]*engine restarted/);
  });

  it("counts a restart as soon as it is decided: the change to restarting already carries it (what the System page shows)", async () => {
    const told: { state: string; restarts: number }[] = [];
    const { proc } = await supervised({}, undefined, (s) => told.push({ state: s.state, restarts: s.restarts }));
    await proc.start();
    const first = proc.child?.pid;
    proc.child?.kill("SIGKILL");
    await until(() => proc.status().state === "running" && proc.child?.pid !== first);
    expect(told).toEqual([
      { state: "starting", restarts: 0 },
      { state: "running", restarts: 0 },
      { state: "restarting", restarts: 1 },
      { state: "running", restarts: 1 },
    ]);
  });

  it("is given up on past the limit: state failed and the launcher told", async () => {
    let gaveUp = "";
    const { proc } = await supervised({}, (reason) => {
      gaveUp = reason;
    });
    await proc.start();
    for (let i = 0; i < 3; i += 1) {
      const pid = proc.child?.pid;
      proc.child?.kill("SIGKILL");
      await until(() => (proc.status().state === "running" && proc.child?.pid !== pid) || proc.status().state === "failed");
    }
    expect(proc.status().state).toBe("failed");
    expect(gaveUp).toMatch(/engine exited 3 times within 60 s; giving up/);
  });

  it("is not restarted when stopped", async () => {
    const { proc } = await supervised();
    await proc.start();
    await proc.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(proc.status()).toMatchObject({ state: "stopped", restarts: 0, lastExit: { code: 0 } });
  });
});
