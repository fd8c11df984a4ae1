// The launcher's view of its children, as a JSON file in the data directory: the console reads it
// (FILLMORE_SUPERVISOR_FILE) to tell "engine restarting" from "engine down" and for /healthz.
import { renameSync, writeFileSync } from "node:fs";
import type { ProcessStatus } from "./supervisor";

export interface SupervisorState {
  launcher: { pid: number; startedAt: string };
  database: { kind: "embedded" | "external" };
  processes: Record<string, ProcessStatus>;
}

/** Written whole and renamed into place, so a reader never sees half a file. */
export function writeSupervisorState(file: string, state: SupervisorState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
