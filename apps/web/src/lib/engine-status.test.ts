import { describe, expect, it } from "vitest";
import { onEngineStatus } from "./engine-status";

describe("a live page told about the engine", () => {
  it("says engine restarting while the launcher restarts it, engine unreachable otherwise", () => {
    expect(onEngineStatus({ connected: false, state: "restarting" }, false)).toEqual({ stale: "engine restarting" });
    expect(onEngineStatus({ connected: false, state: "starting" }, true)).toEqual({ stale: "engine restarting" });
    expect(onEngineStatus({ connected: false }, false)).toEqual({ stale: "engine unreachable" });
  });

  it("after a restart: a late 'running' marks the page stale after the console's snapshot; 'connected' then asks for a fresh one", () => {
    // The order the console sends them in (console-server.ts watchEngineState, live-orders.ts resync then follow).
    let stale = false;
    const told: string[] = [];
    const apply = (s: { connected: boolean; state?: string }) => {
      const action = onEngineStatus(s, stale);
      if (action && "stale" in action) stale = true;
      if (action) told.push("stale" in action ? action.stale : `resubscribe: ${action.resubscribe}`);
    };
    apply({ connected: false });
    apply({ connected: false, state: "restarting" });
    stale = false; // orders:snapshot from the console's resync
    apply({ connected: false, state: "running" });
    apply({ connected: true });
    expect(told).toEqual(["engine unreachable", "engine restarting", "engine unreachable", "resubscribe: engine back; resyncing"]);
    stale = false; // the fresh snapshot
    expect(onEngineStatus({ connected: true }, stale)).toBeNull();
  });
});
