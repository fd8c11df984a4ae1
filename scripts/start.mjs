// `npm start`: install what is missing, then hand over to the TypeScript launcher.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureNodeModules, root } from "./lib/ensure.mjs";

ensureNodeModules();
const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["scripts/launch.ts", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
