import type { ControlsHistoryEntry } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { openResetRequests } from "./kill-switch";

// Which second-approval reset requests are still waiting, read from the controls history (newest first, as the journal answers).

let seq = 0;
const entry = (type: ControlsHistoryEntry["type"], scope: string, actor: string, extra: Partial<ControlsHistoryEntry> = {}) => {
  seq += 1;
  return {
    seq,
    ts: `2026-11-30T00:00:${String(seq).padStart(2, "0")}.000000Z`,
    type,
    actor,
    scope,
    reason: "a reason given",
    data: {},
    ...extra,
  };
};

describe("openResetRequests", () => {
  it("a request with nothing after it is open, with who asked, when and why", () => {
    const asked = entry("KillSwitchResetRequested", "global", "user:r1", { reason: "cause fixed" });
    expect(openResetRequests([asked, entry("KillSwitchTripped", "global", "user:r1")].reverse())).toEqual([
      { scope: "global", requestedBy: "user:r1", requestedAt: asked.ts, reason: "cause fixed" },
    ]);
  });

  it("a reset, or a change to ACTIVE, of its scope closes it; other scopes and other changes do not", () => {
    const history = [
      entry("KillSwitchResetRequested", "global", "user:r1"),
      entry("KillSwitchReset", "global", "user:r2"),
      entry("KillSwitchResetRequested", "account:A", "user:r1"),
      entry("TradingStateChanged", "account:A", "user:r1", { data: { new: "ACTIVE" } }),
      entry("KillSwitchResetRequested", "symbol:X", "user:r1"),
      entry("TradingStateChanged", "symbol:X", "user:r1", { data: { new: "REDUCING" } }),
      entry("KillSwitchReset", "account:B", "user:r2"),
    ];
    expect(openResetRequests(history.reverse()).map((r) => r.scope)).toEqual(["symbol:X"]);
  });

  it("a newer request replaces an older one of the same scope", () => {
    const history = [entry("KillSwitchResetRequested", "global", "user:r1"), entry("KillSwitchResetRequested", "global", "user:r3")];
    expect(openResetRequests(history)).toMatchObject([{ requestedBy: "user:r3" }]);
  });
});
