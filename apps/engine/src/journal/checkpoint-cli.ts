// npm run audit:checkpoint [-- --export <file>]: shows the newest signed checkpoint of the journal's
// head, or copies every checkpoint (signatures checked) to a file to keep off this machine.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { auditFiles } from "./audit-files";
import { readCheckpoints } from "./checkpoint";

const { values } = parseArgs({ options: { export: { type: "string" } } });
const files = auditFiles();
if (!files.key) {
  console.error(`no journal key at ${files.keyFile} (JOURNAL_KEY_FILE): checkpoints cannot be checked`);
  process.exit(2);
}
const read = readCheckpoints(files.checkpointFile, files.key);
if (!read.exists) {
  console.error(`no checkpoint file at ${files.checkpointFile} (JOURNAL_CHECKPOINT_FILE)`);
  process.exit(2);
}
if (!read.ok) {
  console.error(`checkpoint file ${files.checkpointFile} line ${read.line}: ${read.problem}`);
  process.exit(1);
}
const newest = read.checkpoints.at(-1);
if (values.export) {
  fs.writeFileSync(values.export, read.checkpoints.map((c) => `${JSON.stringify(c)}\n`).join(""), { mode: 0o600 });
  console.log(`exported ${read.checkpoints.length} checkpoints to ${values.export} (newest: seq ${newest?.seq} at ${newest?.ts})`);
} else {
  console.log(newest ? JSON.stringify(newest) : "no checkpoints yet");
}
