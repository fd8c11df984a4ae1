// `npm run db`: install what is missing, then start only the embedded database (scripts/db.ts).
import { ensureNodeModules } from "./lib/ensure.mjs";
import { handOver } from "./lib/hand-over.mjs";

ensureNodeModules();
handOver("scripts/db.ts", process.argv.slice(2));
