import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string, name = "engine"): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
