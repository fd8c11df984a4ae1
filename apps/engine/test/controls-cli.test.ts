import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Order } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, until } from "./harness";

// The out-of-band halt (scripts/halt-cli.ts) with no console at all: only an engine runs, and the
// CLI finds its service token where the launcher keeps it (<data dir>/secrets.json). The steps
// are docs/OPERATIONS.md "Emergency procedures": halt from the CLI, verify it took, reset safely.

const root = path.resolve(import.meta.dirname, "../../..");
let h: Harness;
let dataDir: string;

beforeAll(async () => {
  h = await createHarness();
  const engine = await h.start();
  await engine.risk.setLimits({ scope: "default", limits: { priceCollarPct: "99.5" } }, "user:test");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "fillmore-halt-cli-"));
  writeFileSync(path.join(dataDir, "secrets.json"), JSON.stringify({ engineToken: h.config.ENGINE_SERVICE_TOKEN, authSecret: "x" }));
}, 60_000);
afterAll(async () => {
  await h?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function halt(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/halt-cli.ts", ...args],
      {
        cwd: root,
        // No ENGINE_SERVICE_TOKEN: the CLI reads it from the data directory, as after `npm start`.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ENGINE_URL: h.engine?.url, FILLMORE_DATA_DIR: dataDir },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let n = 0;
async function submit(overrides: Record<string, unknown> = {}): Promise<Order> {
  n += 1;
  const res = await h.api("/v1/orders", {
    body: {
      actor: "user:trader@fillmore.test",
      order: {
        clOrdId: `cli-${n}`,
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Limit",
        orderQty: "10",
        price: "1.00",
        ...overrides,
      },
    },
  });
  return res.json.order as Order;
}

describe("npm run halt, with the console down", () => {
  it("halts everything, cancels working orders, shows who and why, refuses orders, then resets", async () => {
    const resting = await submit();
    await until(() => (h.engine?.orders.get(resting.orderId)?.ordStatus === "Accepted" ? true : undefined));

    const tripped = await halt("--scope", "global", "--reason", "console down, halting from the CLI", "--actor", "cli:oncall");
    expect(tripped.code, tripped.stderr).toBe(0);
    expect(tripped.stdout).toMatch(/^HALTED global by cli:oncall \(trip KS\w+\): console down, halting from the CLI/);
    expect(tripped.stdout).toMatch(/orders cancelled: 1/);
    await until(() => (h.engine?.orders.get(resting.orderId)?.ordStatus === "Cancelled" ? true : undefined));

    // Verify it took: the state names who and why, and a new order is refused naming the scope.
    const status = await halt("--status");
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^HALTED global by cli:oncall at \S+Z: console down, halting from the CLI \(reducing orders pass\)/);
    const refused = await submit();
    expect(refused.ordStatus).toBe("Rejected");
    expect(refused.rejectReason).toMatch(
      /^TRADING_HALTED: trading is HALTED for global by cli:oncall at .*: reason "console down, halting from the CLI"/,
    );

    const short = await halt("--reset", "--scope", "global", "--reason", "ok");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);

    const reset = await halt("--reset", "--scope", "global", "--reason", "incident closed, verified", "--actor", "cli:oncall");
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^ACTIVE global: reset by cli:oncall/);
    expect((await halt("--status")).stdout).toMatch(/^ACTIVE: no scope is halted or reducing/);
    expect((await submit()).ordStatus).not.toBe("Rejected");
  }, 60_000);

  it("says so, with exit code 2, when the engine cannot be reached", async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["--import", "tsx", "scripts/halt-cli.ts", "--status"],
        { cwd: root, env: { PATH: process.env.PATH, ENGINE_URL: "http://127.0.0.1:9", ENGINE_SERVICE_TOKEN: "t".repeat(32) } },
        (error, _stdout, stderr) => resolve({ code: Number((error as { code?: number } | null)?.code ?? 0), stderr }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/engine unreachable at http:\/\/127\.0\.0\.1:9/);
  }, 30_000);
});
