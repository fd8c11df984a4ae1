/**
 * Which of two identical flash animations a row plays (`flash` or `flash flash-b` in globals.css).
 * A row that changes again while it is still flashing switches to the other animation name, which
 * restarts the flash from the start: no `getAnimations()` (it flushes style) and no remount.
 */
export interface FlashPhase {
  /** The order version this phase was taken for. */
  seq: number;
  /** Plays the second animation name. */
  b: boolean;
}

/** How long a row flashes after a change: the `flash` animation's duration in globals.css. */
export const FLASH_MS = 1200;

/** The phase for `seq`: the same as before for the same version, flipped for a new one. */
export function nextFlashPhase(prev: FlashPhase | undefined, seq: number): FlashPhase {
  if (!prev) return { seq, b: false };
  return prev.seq === seq ? prev : { seq, b: !prev.b };
}

/** The row's class: every changed row has `flash` (tests look for `tr.flash`), every other change adds `flash-b`. */
export function rowClass(flash: boolean, phase: FlashPhase): string {
  if (!flash) return "row";
  return phase.b ? "row flash flash-b" : "row flash";
}
