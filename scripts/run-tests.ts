// Runs lint, typecheck, Vitest (unit + integration against a real Postgres) and Playwright
// (real Chromium against the running system), then prints one closing line adding them up.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { CONSOLE_ROLE, createDatabase, ENGINE_ROLE, ensureLoginRole, findFreePort, startEmbeddedPostgres, urlForRole } from "@fillmore/db";
import { root, startStack } from "./lib/stack";

const started = Date.now();
const work = path.join(root, ".test-data");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const bin = (name: string) => path.join(root, "node_modules/.bin", name);
const only = process.argv[2]; // optional: "unit", "fix" or "e2e" (then Playwright arguments, e.g. a spec file)

function run(label: string, command: string, args: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n── ${label} ──`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

/**
 * Like `run`, but this process's event loop goes on meanwhile: it is the launcher of the browser tests'
 * stack (startStack), whose supervisor must see an engine exit and restart it while Playwright runs
 * (e2e/engine-restart.spec.ts). Under spawnSync nothing of the supervisor ran until Playwright ended.
 */
function runAsync(label: string, command: string, args: string[], env: Record<string, string> = {}): Promise<boolean> {
  console.log(`\n── ${label} ──`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
}

interface Totals {
  passed: number;
  failed: number;
}

function vitestTotals(file: string): Totals {
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const report = JSON.parse(readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number };
  return { passed: report.numPassedTests, failed: report.numFailedTests };
}

function playwrightTotals(file: string): Totals {
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const report = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
  return { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected };
}

const checks: Record<string, boolean> = {};
const totals: Totals = { passed: 0, failed: 0 };
const add = (t: Totals) => {
  totals.passed += t.passed;
  totals.failed += t.failed;
};

if (!only) {
  checks.lint = run("lint and format (biome)", bin("biome"), ["check", "."]);
  const workspaces = run("typecheck (tsc, every workspace)", bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"], {
    TURBO_TELEMETRY_DISABLED: "1",
  });
  const tools = ["scripts", "bench"].map((dir) => run(`typecheck (tsc, ${dir}/)`, bin("tsc"), ["-p", dir, "--noEmit"]));
  checks.typecheck = workspaces && tools.every(Boolean);
}

const pgHandle = await startEmbeddedPostgres({ dataDir: path.join(work, "pg"), port: await findFreePort() });
try {
  if (!only || only === "unit") {
    const vitestJson = path.join(work, "vitest.json");
    run(
      "unit and integration tests (vitest)",
      bin("vitest"),
      ["run", "--reporter=default", "--reporter=json", `--outputFile=${vitestJson}`],
      {
        TEST_DATABASE_ADMIN_URL: pgHandle.adminUrl,
      },
    );
    add(vitestTotals(vitestJson));
  }

  if (!only || only === "unit" || only === "fix") {
    // FIX adapter against QuickFIX acceptors, which listen on every interface: acceptors and tests
    // share a network namespace that has only loopback. No shared Postgres inside it.
    const fixJson = path.join(work, "vitest-fix.json");
    const vitestCmd = [
      bin("vitest"),
      "run",
      "--config",
      "apps/engine/test/fix/vitest.config.ts",
      "--reporter=default",
      "--reporter=json",
      `--outputFile=${fixJson}`,
    ];
    const unshare = process.getuid?.() === 0 ? ["-n"] : ["-r", "-n"];
    run(
      "FIX adapter against QuickFIX (vitest, loopback-only network namespace)",
      "unshare",
      [...unshare, "--", "bash", "-c", `ip link set lo up && exec ${vitestCmd.map((a) => `'${a}'`).join(" ")}`],
      { TEST_DATABASE_ADMIN_URL: "" },
    );
    add(vitestTotals(fixJson));
  }

  if (!only || only === "e2e") {
    const databaseUrl = await createDatabase(pgHandle.adminUrl, "fillmore_e2e");
    // The engine and the console run as their own roles, as `npm start` runs them (granted by startStack).
    const [enginePassword, consolePassword] = [randomBytes(24).toString("hex"), randomBytes(24).toString("hex")];
    await ensureLoginRole(pgHandle.adminUrl, ENGINE_ROLE, enginePassword);
    await ensureLoginRole(pgHandle.adminUrl, CONSOLE_ROLE, consolePassword);
    const stack = await startStack({
      dataDir: path.join(work, "stack"),
      databaseUrl,
      engineDatabaseUrl: urlForRole(databaseUrl, ENGINE_ROLE, enginePassword),
      consoleDatabaseUrl: urlForRole(databaseUrl, CONSOLE_ROLE, consolePassword),
      webPort: await findFreePort(),
      enginePort: await findFreePort(),
      demo: true,
      demoStrategy: true,
      fixDemoVenue: true,
      childStdio: "ignore",
      log: (l) => console.log(l),
    });
    try {
      const playwrightJson = path.join(work, "playwright.json");
      await runAsync(
        "browser tests (playwright, chromium)",
        bin("playwright"),
        ["test", "--config", "e2e/playwright.config.ts", ...process.argv.slice(3)],
        {
          E2E_BASE_URL: stack.webUrl,
          E2E_LOGINS: JSON.stringify(stack.logins),
          PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
        },
      );
      add(playwrightTotals(playwrightJson));
    } finally {
      await stack.stop();
    }
  }
} finally {
  await pgHandle.stop();
}

const failedChecks = Object.entries(checks)
  .filter(([, ok]) => !ok)
  .map(([name]) => name);
console.log(
  `\nchecks: ${
    Object.entries(checks)
      .map(([n, ok]) => `${n} ${ok ? "ok" : "FAILED"}`)
      .join(", ") || "skipped"
  }`,
);
console.log(`duration: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 && failedChecks.length === 0 && totals.passed > 0 ? 0 : 1);
