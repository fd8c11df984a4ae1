// Figures for docs/OPERATIONS.md: how fast a start-up death is noticed, how long a supervised restart takes, each stop step.
// Run: node --import tsx scripts/test/measure-supervision.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "@fillmore/db";
import { startStack } from "../lib/stack";

const dataDir = mkdtempSync(path.join(tmpdir(), "fillmore-measure-"));
const base = async () => ({
  dataDir,
  webPort: await findFreePort(),
  enginePort: await findFreePort(),
  demo: false,
  demoStrategy: false,
  fixDemoVenue: false,
  childStdio: "ignore" as const,
  consoleScript: "scripts/test/console-without-pages.ts",
  log: () => {},
});

let spawnedAt = 0;
let lastExitAt: string | undefined;
let failedAt = 0;
const failing = await base();
try {
  await startStack({
    ...failing,
    extraEngineEnv: { SIM_TICK_MS: "1" },
    onProcessChange: (s) => {
      if (s.name === "engine" && s.state === "starting") spawnedAt = Date.now();
      if (s.name === "engine" && s.lastExit) lastExitAt = s.lastExit.at;
      if (s.name === "engine" && s.state === "failed") failedAt = Date.now();
    },
  });
} catch (error) {
  const now = failedAt;
  const exitAt = Date.parse(String((error as Error).message).includes("exited") ? (lastExitAt ?? "") : "");
  console.log(
    `start-up death: failed ${now - spawnedAt} ms after spawn, ${now - exitAt} ms after the engine exited (then the database is stopped): ${String((error as Error).message).split("\n")[0]}`,
  );
}

const stops: string[] = [];
const stack = await startStack({ ...(await base()), onStopped: (name, ms) => stops.push(`${name} ${ms} ms`) });
const killedAt = Date.now();
const pid = stack.engine.pid;
stack.engine.kill("SIGKILL");
while (!(stack.processes.engine.status().state === "running" && stack.engine.pid !== pid)) await new Promise((r) => setTimeout(r, 20));
console.log(`engine SIGKILLed → serving again after ${Date.now() - killedAt} ms (includes the 500 ms backoff)`);
await stack.stop();
console.log(`stop: ${stops.join(", ")}`);
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
