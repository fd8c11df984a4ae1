// `npm run bench -- <name> [args]`: install what is missing, then run bench/<name>.ts (it starts and stops what it needs).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { ensureNodeModules, root } from "./lib/ensure.mjs";
import { engineRuntimeFlags, YOUNG_GENERATION_FLAGS } from "./lib/runtime-flags.mjs";

const benchDir = path.join(root, "bench");
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => f.slice(0, -".ts".length))
  .sort();
const [name, ...rest] = process.argv.slice(2);

if (!name || name === "--help" || name === "-h" || !available.includes(name)) {
  if (name && name !== "--help" && name !== "-h") console.error(`no benchmark named "${name}"`);
  console.log("usage: npm run bench -- <name> [args]\n\navailable benchmarks:");
  for (const b of available) console.log(`  ${b}`);
  console.log("\nresults go to bench/results/<name>.json");
  process.exit(name && name !== "--help" && name !== "-h" ? 1 : 0);
}

ensureNodeModules();
const file = path.join("bench", `${name}.ts`);
if (!existsSync(path.join(root, file))) throw new Error(`${file} is missing`);
// The benchmarks run the engine in process: the process starts with the V8 flags the launcher gives
// the engine's (some are not allowed in NODE_OPTIONS). Node processes it starts get the young generation's.
const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS ?? "", ...YOUNG_GENERATION_FLAGS].join(" ").trim() };
const child = spawn(process.execPath, [...engineRuntimeFlags(), "--import", "tsx", file, ...rest], { cwd: root, stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
