import { describe, expect, it } from "vitest";
import { type FlashPhase, nextFlashPhase, rowClass } from "./flash";

describe("row flash phase", () => {
  it("switches animation name on each new version, so a second change restarts the flash", () => {
    let phase: FlashPhase | undefined;
    const classes: string[] = [];
    for (const seq of [5, 9, 9, 12, 40]) {
      phase = nextFlashPhase(phase, seq);
      classes.push(rowClass(true, phase));
    }
    // Same version (a re-render for another reason): same class, the running flash goes on.
    expect(classes).toEqual(["row flash", "row flash flash-b", "row flash flash-b", "row flash", "row flash flash-b"]);
  });

  it("keeps the phase object for the same version (React may render twice) and shows no flash when unchanged", () => {
    const first = nextFlashPhase(undefined, 3);
    expect(nextFlashPhase(first, 3)).toBe(first);
    expect(rowClass(false, first)).toBe("row");
    expect(rowClass(false, nextFlashPhase(first, 4))).toBe("row");
  });
});
