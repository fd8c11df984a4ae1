export type CommandErrorCode =
  | "NOT_FOUND"
  | "NOT_CANCELLABLE"
  | "NOT_MODIFIABLE"
  | "NOT_SUPPORTED"
  | "RISK_REJECTED"
  | "INVALID_INPUT"
  | "UNAUTHORIZED"
  | "ENGINE_UNAVAILABLE"
  /** Too many commands from one principal: try again shortly (see docs/RISK.md, throttles). */
  | "RATE_LIMITED";

const HTTP_STATUS: Record<CommandErrorCode, number> = {
  NOT_FOUND: 404,
  NOT_CANCELLABLE: 409,
  NOT_MODIFIABLE: 409,
  NOT_SUPPORTED: 422,
  RISK_REJECTED: 422,
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  ENGINE_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
};

/** A command the engine refused before changing anything; the code is stable, the message says why. */
export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "CommandError";
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}
