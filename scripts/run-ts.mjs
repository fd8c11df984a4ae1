// Runs a TypeScript entry point with tsx after making sure dependencies are installed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureNodeModules, root } from "./lib/ensure.mjs";

ensureNodeModules();
const result = spawnSync(path.join(root, "node_modules/.bin/tsx"), process.argv.slice(2), { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
