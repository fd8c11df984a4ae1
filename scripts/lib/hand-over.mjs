// `npm start` and `npm run db`: run a TypeScript entry point in its own process group and relay stop signals to it.
import { spawn } from "node:child_process";
import { root } from "./ensure.mjs";

/**
 * Its own process group: a Ctrl-C in the terminal reaches this process only, and the script gets one
 * SIGINT from here, then stops what it started in order (docs/OPERATIONS.md, "Stop order"); a
 * terminal's SIGINT would otherwise reach Postgres at the same moment as the engine.
 */
export function handOver(script, args) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: "inherit", detached: true });
  let forwarded = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.on(signal, () => {
      // npm and the terminal may both deliver one: the script needs one.
      if (forwarded) return;
      forwarded = true;
      child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
    });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
