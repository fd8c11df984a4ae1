// `npm test`: install what is missing (npm packages, Chromium, QuickFIX peers), then run every check and test.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureNodeModules, ensureSystemPackages, root } from "./lib/ensure.mjs";

ensureNodeModules();
ensureSystemPackages(["chromium", "libquickfix17", "libquickfix-doc", "iproute2", "util-linux"]);
const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["scripts/run-tests.ts", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
