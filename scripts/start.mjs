// `npm start`: install what is missing, then hand over to the TypeScript launcher.
import { ensureNodeModules } from "./lib/ensure.mjs";
import { handOver } from "./lib/hand-over.mjs";

ensureNodeModules();
handOver("scripts/launch.ts", process.argv.slice(2));
