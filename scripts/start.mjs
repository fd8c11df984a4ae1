// `npm start`: install what is missing, then hand over to the TypeScript launcher.
import { spawn } from "node:child_process";
import { ensureNodeModules, root } from "./lib/ensure.mjs";

ensureNodeModules();
// Its own process group: a Ctrl-C in the terminal reaches this process only, and the launcher gets
// one SIGINT from here, then stops console, engine and Postgres in order (docs/OPERATIONS.md, "Stop order").
const child = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  detached: true,
});
let forwarded = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(signal, () => {
    // npm and the terminal may both deliver one: the launcher needs one.
    if (forwarded) return;
    forwarded = true;
    child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
  });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
