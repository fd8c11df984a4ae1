/** What the console says of the engine on the live socket (`engine:status`): `state` is the launcher's word. */
export interface EngineStatus {
  connected: boolean;
  state?: string;
}

/**
 * What a live page does with an `engine:status`: mark its data stale with a reason, ask for a fresh
 * snapshot, or nothing. The console resyncs (sends a snapshot) before it says `connected: true`, and a
 * word from the launcher read in between ("running", the stream not back yet) can mark the page stale
 * after that snapshot: so `connected: true` on a stale page asks for a fresh one (e2e/engine-restart.spec.ts).
 */
export function onEngineStatus(status: EngineStatus, stale: boolean): { stale: string } | { resubscribe: string } | null {
  if (!status.connected)
    return { stale: status.state === "restarting" || status.state === "starting" ? "engine restarting" : "engine unreachable" };
  return stale ? { resubscribe: "engine back; resyncing" } : null;
}
