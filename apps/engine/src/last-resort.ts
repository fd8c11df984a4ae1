import type { Journal } from "./journal/journal";
import type { Logger } from "./log";
import type { RiskSettings } from "./risk/risk-settings";

/** What the last-resort handler needs of the running engine. */
export interface LastResortEngine {
  journal: Pick<Journal, "append">;
  risk: Pick<RiskSettings, "setTradingState">;
}

/** The process events it listens to (the real `process`, or a fake in tests). */
export interface ProcessEvents {
  on(event: "uncaughtException", listener: (error: unknown) => void): unknown;
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
  off(event: "uncaughtException" | "unhandledRejection", listener: (error: unknown) => void): unknown;
}

/** The same fault again within this window is logged, not journaled again (a failing timer must not flood the journal). */
export const FAULT_REPEAT_WINDOW_MS = 60_000;

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `non-error value ${JSON.stringify(error) ?? String(error)}`;

/**
 * The engine's last resort: an exception nothing caught, or a promise rejection nobody handled,
 * does not kill the engine silently (nor leave it trading blind). It is logged, journaled as an
 * AlertRaised (code ENGINE_FAULT) and new orders are halted (global trading state HALTED, with
 * the fault as the reason), while cancels and reads keep working (fail closed, not dead).
 * Returns a function that removes the handlers.
 */
export function installLastResort(proc: ProcessEvents, engine: LastResortEngine, log: Logger, now: () => number = Date.now): () => void {
  const lastJournaled = new Map<string, number>();
  let halted = false;

  const onFault = (kind: "uncaughtException" | "unhandledRejection") => (error: unknown) => {
    const message = `${kind}: ${describe(error)}`;
    log.fatal({ err: error, kind }, "engine fault caught by the last-resort handler; new orders halted");
    const at = now();
    const previous = lastJournaled.get(message);
    if (previous !== undefined && at - previous < FAULT_REPEAT_WINDOW_MS) return;
    lastJournaled.set(message, at);
    try {
      engine.journal.append({
        type: "AlertRaised",
        orderId: null,
        accountId: null,
        actor: "engine",
        data: { code: "ENGINE_FAULT", message: message.slice(0, 1000) },
      });
    } catch (journalError) {
      log.fatal({ err: journalError }, "could not journal the engine fault");
    }
    if (halted) return;
    halted = true;
    engine.risk
      .setTradingState({ scope: "global", state: "HALTED", reason: `engine fault: ${message}`.slice(0, 500) }, "engine")
      .catch((haltError: unknown) => {
        halted = false; // try again at the next fault
        log.fatal({ err: haltError }, "could not halt trading after an engine fault");
      });
  };

  const uncaught = onFault("uncaughtException");
  const unhandled = onFault("unhandledRejection");
  proc.on("uncaughtException", uncaught);
  proc.on("unhandledRejection", unhandled);
  return () => {
    proc.off("uncaughtException", uncaught);
    proc.off("unhandledRejection", unhandled);
  };
}
